"""A database that cannot be opened is one line saying what and what to do; nothing changes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from app.store.engine import open_store
from app.store.errors import StoreError
from app.store.migrate import packaged_head
from tests.conftest import REPO


def calldeck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=REPO, timeout=60
    )


def test_a_damaged_database_file_is_explained_and_left_alone(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "calldeck.db").write_bytes(b"this is not sqlite at all\n" * 100)
    before = (home / "calldeck.db").read_bytes()
    with pytest.raises(StoreError, match="is not a readable CallDeck database") as failed:
        open_store(home)
    assert "\n" not in str(failed.value) and "Move it aside" in str(failed.value)
    assert (home / "calldeck.db").read_bytes() == before
    assert not list(home.glob("*.bak"))


def test_a_database_from_a_newer_calldeck_is_refused_before_any_backup(tmp_path):
    home = tmp_path / "home"
    open_store(home).dispose()
    with sqlite3.connect(home / "calldeck.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError) as failed:
        open_store(home)
    assert str(failed.value) == (
        f"this database was last used by a newer CallDeck (schema 9999; this version knows up "
        f"to {packaged_head()}); nothing was changed. Update CallDeck to open it"
    )
    assert not list(home.glob("*.bak"))


def test_a_file_given_as_the_data_folder(tmp_path):
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    with pytest.raises(StoreError, match="is a file; give a folder"):
        open_store(afile)


def test_an_unreachable_server_and_a_bad_url_are_one_line_without_the_password(tmp_path):
    with pytest.raises(StoreError) as refused:
        open_store(tmp_path, "postgresql://calldeck:s3cret@127.0.0.1:1/calls")
    message = str(refused.value)
    assert message.startswith("cannot use the database at postgresql://calldeck:***@127.0.0.1:1")
    assert "s3cret" not in message and "\n" not in message
    with pytest.raises(StoreError, match="is not a database URL"):
        open_store(tmp_path, "nonsense")


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        ("file", ["--home", "{tmp}/afile"], "the data folder {tmp}/afile is a file"),
        ("damaged", ["--home", "{tmp}/home"], "is not a readable CallDeck database"),
        ("none", ["--db", "postgresql://u:pw@127.0.0.1:1/x"], "cannot use the database at"),
    ],
)
def test_the_cli_says_it_in_one_line(tmp_path, setup, args, expected):
    if setup == "file":
        (tmp_path / "afile").write_text("x")
    elif setup == "damaged":
        (tmp_path / "home").mkdir()
        (tmp_path / "home" / "calldeck.db").write_text("garbage")
    args = [a.format(tmp=tmp_path) for a in args]
    if "--home" not in args:
        args += ["--home", str(tmp_path / "h")]
    result = calldeck(*args, "campaign", "list")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert expected.format(tmp=tmp_path) in result.stderr
