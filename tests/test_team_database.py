"""This user's team database (Settings › Team database): the URL in their settings file
without its password, the password in the keyring, and every command opening it unless
--db or $CALLDECK_DB says otherwise."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.services import keep_team_database, team_database_url


def test_the_password_goes_to_the_keyring_never_to_the_settings_file(user_config, memory_keyring):
    kept = keep_team_database("postgresql+psycopg://ana:s3cret@db.example.lan/calldeck", None)
    assert kept == "postgresql+psycopg://ana@db.example.lan/calldeck"
    stored = (user_config / "user.json").read_text()
    assert "s3cret" not in stored and json.loads(stored)["team_database_url"] == kept
    assert memory_keyring.passwords == {("CallDeck/database", kept): "s3cret"}
    assert team_database_url() == "postgresql+psycopg://ana:s3cret@db.example.lan/calldeck"

    assert keep_team_database("", None) == ""  # forgotten, password and all
    assert team_database_url() is None and memory_keyring.passwords == {}


def test_only_a_postgresql_url_is_a_team_database():
    with pytest.raises(ValueError, match="PostgreSQL"):
        keep_team_database("sqlite:////tmp/x.db", None)
    with pytest.raises(ValueError, match="not a database URL"):
        keep_team_database("db.example.lan", None)


def test_commands_open_the_team_database_unless_told_otherwise(pg_url, home, capsys, monkeypatch):
    keep_team_database(pg_url, None)
    assert main(["db", "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["server"].startswith("PostgreSQL")
    monkeypatch.setenv("CALLDECK_DB", f"sqlite:///{home / 'mine.db'}")
    assert main(["db", "check", "--json"]) == 0  # the environment comes first
    assert json.loads(capsys.readouterr().out)["server"].startswith("SQLite")
