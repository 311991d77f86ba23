"""Settings › Twilio account against the emulator: Connect asks Twilio at once and says what
is wrong; the token goes to the keyring or, with none, stays in memory for the session only;
the live/demo switch asks first, naming what changes."""

from __future__ import annotations

import asyncio
import json
import socket

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as NoKeyring
from PySide6.QtWidgets import QMessageBox

from app.secrets import SERVICE, get_auth_token
from app.settings import get_setting, set_setting
from app.store.campaigns import create_campaign, get_by_name
from app.telephony.account import TRIAL_LIMITS
from app.ui.account_group import AccountGroup
from app.ui.context import AppContext

TOKEN = "f" * 32


def make_group(qtbot, store, home, emulator=None, **context) -> AccountGroup:
    context.setdefault("demo_mode", True)
    group = AccountGroup(AppContext(store=store, home=home, **context))
    group.api_url = emulator.base_url if emulator is not None else None
    qtbot.addWidget(group)
    return group


def answered(qloop, group) -> str:
    async def checked():
        while group.message.text().startswith("Checking"):
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(checked(), 20))
    return group.message.text()


def say_yes(group) -> str:
    box = group.confirmation
    assert box is not None and box.isVisible()
    text = box.text()
    box.done(QMessageBox.StandardButton.Yes.value)
    group.confirmation = None
    return text


def published(group) -> list:
    seen: list = []
    group.context.changes.changed.connect(seen.append)
    return seen


def assert_nowhere_on_disk(home, secret: str) -> None:
    for path in home.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_connect_checks_the_account_then_goes_live_after_a_confirmation(
    qtbot, qloop, store, home, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    with store.session.begin() as session:
        create_campaign(session, "Renewals", caller_id="+15005550006").state = "running"
    group = make_group(qtbot, store, home, emulator)
    changes = published(group)
    assert group.mode.text().startswith("Demo mode")
    group.account_sid.setText(emulator.account_sid)
    group.auth_token.setText(TOKEN)
    group.connect_account()
    answered(qloop, group)

    question = say_yes(group)
    assert "Go live with Twilio account 'CallDeck emulator account'?" in question
    assert "real calls" in question and "Renewals" in question
    assert memory_keyring.passwords == {(SERVICE, emulator.account_sid): TOKEN}
    assert "the token is in the OS keyring" in group.message.text()
    assert "Paused: Renewals." in group.message.text()
    assert group.auth_token.text() == ""
    with store.session() as session:
        assert get_setting(session, "twilio_account_sid") == emulator.account_sid
        assert get_setting(session, "twilio_account_trial") is False
        assert get_by_name(session, "Renewals").state == "paused"
    assert [c.account for c in changes] == [True]
    assert group.mode.text().startswith("Live: calls go to Twilio account AC…")
    assert group.switch_button.text() == "Switch to demo mode…"
    assert_nowhere_on_disk(home, TOKEN)


def test_a_wrong_token_is_error_20003_and_nothing_is_kept(
    qtbot, qloop, store, home, make_emulator, memory_keyring
):
    emulator = make_emulator()
    group = make_group(qtbot, store, home, emulator)
    group.account_sid.setText(emulator.account_sid)
    group.auth_token.setText("not-the-token")
    group.connect_account()
    text = answered(qloop, group)
    assert "rejected these credentials (error 20003)" in text
    assert group.confirmation is None and memory_keyring.passwords == {}
    with store.session() as session:
        assert get_setting(session, "twilio_account_sid") is None


def test_malformed_input_is_explained_before_asking_twilio(qtbot, qloop, store, home):
    group = make_group(qtbot, store, home)
    group.account_sid.setText("AC123")
    group.connect_account()
    assert "starts with AC and has 34 characters" in answered(qloop, group)
    group.account_sid.setText("AC" + "1" * 32)
    group.connect_account()
    assert "Enter the Auth Token" in answered(qloop, group)


def write_scenario(tmp_path, **account) -> object:
    path = tmp_path / "account.json"
    path.write_text(json.dumps(account), encoding="utf-8")
    return path


def test_a_trial_account_is_accepted_and_what_it_cannot_do_is_said(
    qtbot, qloop, store, home, make_emulator, tmp_path
):
    emulator = make_emulator(auth_token=TOKEN, scenario=write_scenario(tmp_path, trial=True))
    group = make_group(qtbot, store, home, emulator)
    group.account_sid.setText(emulator.account_sid)
    group.auth_token.setText(TOKEN)
    group.connect_account()
    answered(qloop, group)
    question = say_yes(group)
    assert "trial account" in question and TRIAL_LIMITS in question
    assert TRIAL_LIMITS in group.mode.text()
    with store.session() as session:
        assert get_setting(session, "twilio_account_trial") is True


def test_a_suspended_account_is_refused(qtbot, qloop, store, home, make_emulator, tmp_path):
    scenario = write_scenario(tmp_path, account_status="suspended")
    emulator = make_emulator(auth_token=TOKEN, scenario=scenario)
    group = make_group(qtbot, store, home, emulator)
    group.account_sid.setText(emulator.account_sid)
    group.auth_token.setText(TOKEN)
    group.connect_account()
    assert "is suspended: it cannot place calls" in answered(qloop, group)
    assert group.confirmation is None


def test_no_network_is_said_as_such(qtbot, qloop, store, home):
    with socket.socket() as closed:  # a port nothing listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    group = make_group(qtbot, store, home)
    group.api_url = f"http://127.0.0.1:{port}"
    group.account_sid.setText("AC" + "1" * 32)
    group.auth_token.setText(TOKEN)
    group.connect_account()
    assert "could not reach Twilio" in answered(qloop, group)


def test_without_a_keyring_the_token_is_kept_for_the_session_only(
    qtbot, qloop, store, home, make_emulator, monkeypatch
):
    emulator = make_emulator(auth_token=TOKEN)
    keyring.set_keyring(NoKeyring())
    monkeypatch.setattr("app.secrets._session_tokens", {})
    group = make_group(qtbot, store, home, emulator)
    group.account_sid.setText(emulator.account_sid)
    group.auth_token.setText(TOKEN)
    group.connect_account()
    answered(qloop, group)
    say_yes(group)
    assert "no OS keyring, so the token is kept for this session only" in group.message.text()
    assert get_auth_token(emulator.account_sid) == TOKEN
    assert_nowhere_on_disk(home, TOKEN)


@pytest.fixture
def live_account(store, memory_keyring):
    sid = "AC" + "3" * 32
    memory_keyring.set_password(SERVICE, sid, TOKEN)
    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", sid)
        create_campaign(session, "Renewals", caller_id="+15005550006").state = "scheduled"
    return sid


def test_switching_to_demo_asks_first_and_keeps_the_account_to_go_back(
    qtbot, store, home, live_account, memory_keyring
):
    group = make_group(qtbot, store, home, demo_mode=False, account_sid=live_account)
    changes = published(group)
    group.switch_mode()
    box = group.confirmation
    assert "Switch to demo mode?" in box.text() and "simulated" in box.text()
    assert "Renewals" in box.text()
    box.done(QMessageBox.StandardButton.Cancel.value)  # no: nothing changes
    with store.session() as session:
        assert get_setting(session, "twilio_account_sid") == live_account
    assert changes == []

    group.switch_mode()
    say_yes(group)
    with store.session() as session:
        assert get_setting(session, "twilio_account_sid") is None
        assert get_setting(session, "twilio_last_account_sid") == live_account
        assert get_by_name(session, "Renewals").state == "paused"
    assert [c.account for c in changes] == [True]
    assert memory_keyring.passwords == {(SERVICE, live_account): TOKEN}
    assert group.switch_button.text() == "Go live…"

    group.switch_mode()  # back to live: the token is still in the keyring
    assert "Go live with Twilio account AC…3333?" in say_yes(group)
    with store.session() as session:
        assert get_setting(session, "twilio_account_sid") == live_account


def test_a_live_account_without_its_token_says_so_and_takes_it(
    qtbot, qloop, store, home, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", emulator.account_sid)
        create_campaign(session, "Renewals", caller_id="+15005550006").state = "running"
    group = make_group(
        qtbot, store, home, emulator, demo_mode=False, account_sid=emulator.account_sid
    )
    assert "is not in the keyring, so no calls are placed" in group.mode.text()
    group.auth_token.setText(TOKEN)
    group.connect_account()
    answered(qloop, group)
    assert group.confirmation is None  # the same account: nothing to confirm, nothing paused
    assert "Calls go to this account now." in group.message.text()
    with store.session() as session:
        assert get_by_name(session, "Renewals").state == "running"


class FileKeyring(KeyringBackend):
    """A keyring kept in a file outside the data folder, as an OS keyring keeps its own."""

    priority = 1

    def __init__(self, path) -> None:
        super().__init__()
        self.path = path

    def _read(self) -> dict:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service, username):
        return self._read().get(f"{service}/{username}")

    def set_password(self, service, username, password):
        self.path.write_text(json.dumps({**self._read(), f"{service}/{username}": password}))

    def delete_password(self, service, username):
        kept = self._read()
        kept.pop(f"{service}/{username}", None)
        self.path.write_text(json.dumps(kept))


def test_with_a_file_keyring_the_token_is_there_and_not_in_the_data_folder(
    qtbot, qloop, store, home, make_emulator, tmp_path
):
    emulator = make_emulator(auth_token=TOKEN)
    keyring.set_keyring(FileKeyring(tmp_path / "os-keyring.json"))
    group = make_group(qtbot, store, home, emulator)
    group.account_sid.setText(emulator.account_sid)
    group.auth_token.setText(TOKEN)
    group.connect_account()
    answered(qloop, group)
    say_yes(group)
    assert TOKEN in (tmp_path / "os-keyring.json").read_text()
    assert_nowhere_on_disk(home, TOKEN)  # the database, logs and exports live under home
    assert get_auth_token(emulator.account_sid) == TOKEN


def test_forgetting_the_account_asks_then_deletes_its_token(
    qtbot, store, home, live_account, memory_keyring
):
    group = make_group(qtbot, store, home, demo_mode=False, account_sid=live_account)
    group.forget_account()
    question = say_yes(group)
    assert "Forget Twilio account AC…3333?" in question and "deleted from the keyring" in question
    assert "Renewals" in question  # it was live: its campaigns are paused
    assert memory_keyring.passwords == {}
    with store.session() as session:
        assert get_setting(session, "twilio_account_sid") is None
        assert get_setting(session, "twilio_last_account_sid") is None
        assert get_by_name(session, "Renewals").state == "paused"
    assert "forgotten" in group.message.text() and not group.forget_button.isEnabled()
