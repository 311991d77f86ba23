"""The window's services follow the account without a restart: a live workspace whose token
is missing dials nothing, says why, and starts once Settings is given the token (kept for
this session when there is no keyring); connecting an account in demo mode, or switching back
to demo, restarts the services for where calls go now."""

from __future__ import annotations

import asyncio
import dataclasses

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from PySide6.QtWidgets import QMessageBox

from app.secrets import get_auth_token
from app.settings import set_setting
from app.store.numbers import last_refreshed, list_numbers
from app.ui.app import build_context, follow_the_account, stop_services, try_start_services
from app.ui.main_window import MainWindow

TOKEN = "e" * 32


@pytest.fixture
def live_emulator(make_emulator, monkeypatch):
    """An emulator that stands for Twilio: live connections go to it instead."""
    import app.services

    emulator = make_emulator(auth_token=TOKEN)
    real_choose = app.services.choose_connection

    def choose(*args, **kwargs):
        connection = real_choose(*args, **kwargs)
        if connection.kind == "twilio":
            connection = dataclasses.replace(connection, base_url=emulator.base_url)
        return connection

    monkeypatch.setattr(app.services, "choose_connection", choose)
    return emulator


def open_window(qtbot, qloop, store, home):
    context = build_context(store, home)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qloop.run_until_complete(try_start_services(context, window))
    follow_the_account(context, window)
    return context, window


def settle(qloop, until) -> None:
    async def wait():
        while not until():
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(wait(), 20))


def connect(account, sid: str) -> None:
    """Press Connect; the caller waits for what it expects in one go (the loop must not stop
    while the services are switching)."""
    account.account_sid.setText(sid)
    account.auth_token.setText(TOKEN)
    account.connect_account()


def test_a_missing_token_dials_nothing_until_it_is_given_for_this_session(
    qtbot, qloop, store, home, monkeypatch, live_emulator
):
    sid = live_emulator.account_sid
    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", sid)
    keyring.set_keyring(NoKeyring())  # no OS keyring at all on this machine
    monkeypatch.setattr("app.secrets._session_tokens", {})
    context, window = open_window(qtbot, qloop, store, home)
    assert not context.demo_mode and context.connection is None
    assert context.services is None  # never the emulator on a live workspace
    assert "not in the keyring" in window.dialer_label.text()
    assert f"Live — Twilio account AC…{sid[-4:]}" in window.mode_label.text()
    account = window.settings.account
    account.api_url = live_emulator.base_url
    assert "Enter it and press Connect: calls resume at once" in account.mode.text()

    connect(account, sid)
    try:
        settle(qloop, lambda: context.services is not None and context.dialer.running)
        assert "kept for this session only" in account.message.text()
        assert get_auth_token(sid) == TOKEN
        assert context.connection.kind == "twilio" and not context.services.emulator
        assert "Dialer not running" not in window.dialer_label.text()
    finally:
        qloop.run_until_complete(stop_services(context))


def test_connecting_in_demo_mode_goes_live_and_back_without_a_restart(
    qtbot, qloop, store, home, live_emulator
):
    context, window = open_window(qtbot, qloop, store, home)
    try:
        assert context.demo_mode and context.services.emulator is not None
        demo_services = context.services
        account = window.settings.account
        account.api_url = live_emulator.base_url
        connect(account, live_emulator.account_sid)
        settle(qloop, lambda: account.confirmation is not None)
        account.confirmation.done(QMessageBox.StandardButton.Yes.value)
        settle(
            qloop,
            lambda: context.services not in (None, demo_services) and last_refreshed_of(store),
        )
        assert not context.demo_mode and context.services.emulator is None
        assert context.dialer.running and not demo_services.dialer.running
        assert "Live — Twilio account" in window.mode_label.text()
        # The caller-IDs are the live account's now, read when it was connected.
        with store.session() as session:
            numbers = {n.e164: n.can_call_from for n in list_numbers(session)}
        assert numbers["+15005550006"] is True

        live_services = context.services
        account.switch_mode()
        account.confirmation.done(QMessageBox.StandardButton.Yes.value)
        settle(
            qloop,
            lambda: context.services not in (None, live_services) and context.dialer.running,
        )
        assert context.demo_mode and context.services.emulator is not None
        assert "Demo mode" in window.mode_label.text()
    finally:
        qloop.run_until_complete(stop_services(context))


def last_refreshed_of(store):
    with store.session() as session:
        return last_refreshed(session)
