"""An import commits all its valid rows or none: cancel or a crash leaves the campaign as it was."""

from __future__ import annotations

import threading

import pytest

from app.contacts import importer
from app.contacts.errors import ImportCancelled
from app.contacts.importer import import_file, import_pasted


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "big.csv"
    lines = ["name,phone"] + [f"P{i},+1 415 555 {i:04d}" for i in range(200, 260)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def existing(store, campaign_id, count_contacts):
    import_pasted(store, campaign_id, "4155550100\n4155550101", region="US")
    assert count_contacts(campaign_id) == 2


def test_cancel_while_writing_leaves_campaign_unchanged(
    store, home, campaign_id, existing, big_file, count_contacts, monkeypatch
):
    monkeypatch.setattr(importer, "INSERT_CHUNK", 10)
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done, total):
        seen.append((done, total))
        if done > total // 2:  # past validation, a chunk or more already inserted
            cancel.set()

    with pytest.raises(ImportCancelled):
        import_file(store, campaign_id, big_file, progress=progress, cancel=cancel, home=home)

    assert any(total // 2 < done < total for done, total in seen)
    assert count_contacts(campaign_id) == 2
    assert not (home / "imports").exists()


def test_cancel_while_validating(store, campaign_id, existing, big_file, count_contacts):
    with pytest.raises(ImportCancelled):
        import_file(store, campaign_id, big_file, cancel=lambda: True)
    assert count_contacts(campaign_id) == 2


def test_crash_mid_insert_rolls_back(
    store, campaign_id, existing, big_file, count_contacts, monkeypatch
):
    monkeypatch.setattr(importer, "INSERT_CHUNK", 10)
    calls = {"n": 0}

    def progress(done, total):
        if done > total // 2:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        import_file(store, campaign_id, big_file, progress=progress)
    assert count_contacts(campaign_id) == 2


def test_progress_reaches_total(store, campaign_id, big_file):
    seen: list[tuple[int, int]] = []
    import_file(store, campaign_id, big_file, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (120, 120)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_garbage_collector_is_back_on_after_success_and_failure(store, campaign_id, big_file):
    import gc

    assert gc.isenabled()
    import_file(store, campaign_id, big_file)
    assert gc.isenabled()
    with pytest.raises(ImportCancelled):
        import_file(store, campaign_id, big_file, cancel=lambda: True)
    assert gc.isenabled()
