"""Settings' Team database group: a check that says what it found, and a save that keeps
the password out of the user's settings file."""

from __future__ import annotations

from app.settings import get_user_setting
from app.ui.team_database_group import TeamDatabaseGroup


def test_check_then_save_a_team_database(qtbot, pg_url, user_config, memory_keyring):
    group = TeamDatabaseGroup()
    qtbot.addWidget(group)
    group.url.setText(pg_url)  # the fixture's URL carries its password
    group.check()
    qtbot.waitUntil(lambda: group.state.text().startswith("Reachable: PostgreSQL"), timeout=10_000)
    assert "schema empty" in group.state.text()
    group.save()
    assert group.state.text() == "Saved: CallDeck opens it from its next start."
    kept = get_user_setting("team_database_url")
    assert group.url.text() == kept and ":calldeck-test@" not in kept
    assert "calldeck-test" not in (user_config / "user.json").read_text()
    assert list(memory_keyring.passwords.values()) == ["calldeck-test"]


def test_a_bad_url_is_said_in_words(qtbot):
    group = TeamDatabaseGroup()
    qtbot.addWidget(group)
    group.url.setText("db.example.lan")
    group.save()
    assert group.state.text().startswith("⚠ not a database URL")
    group.url.setText("postgresql+psycopg://nobody@127.0.0.1:1/calldeck")
    group.check()
    qtbot.waitUntil(lambda: group.state.text().startswith("⚠"), timeout=10_000)
