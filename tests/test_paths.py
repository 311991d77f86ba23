"""Where files are offered first: Documents when the user has one, else the data folder."""

from __future__ import annotations

from app import paths


def test_exports_are_offered_in_documents_else_the_data_folder(tmp_path, monkeypatch):
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(paths.platformdirs, "user_documents_dir", lambda: str(documents))
    assert paths.documents_dir(tmp_path / "home") == documents
    documents.rmdir()
    assert paths.documents_dir(tmp_path / "home") == tmp_path / "home" / "exports"
    assert (tmp_path / "home" / "exports").is_dir()
