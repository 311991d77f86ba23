"""The window's services: a live workspace whose token is missing dials nothing, says why,
and starts dialing once Settings is given the token (kept for this session when there is no
keyring), without a restart."""

from __future__ import annotations

import asyncio

import keyring
from keyring.backends.fail import Keyring as NoKeyring

from app.secrets import get_auth_token
from app.settings import set_setting
from app.ui.app import (
    build_context,
    start_when_the_account_is_given,
    stop_services,
    try_start_services,
)
from app.ui.main_window import MainWindow

SID = "AC" + "2" * 32


def test_a_missing_token_dials_nothing_until_it_is_given_for_this_session(
    qtbot, qloop, store, home, monkeypatch
):
    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", SID)
    keyring.set_keyring(NoKeyring())  # no OS keyring at all on this machine
    monkeypatch.setattr("app.secrets._session_tokens", {})
    context = build_context(store, home)
    assert not context.demo_mode and context.connection is None
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()

    qloop.run_until_complete(try_start_services(context, window))
    start_when_the_account_is_given(context, window)

    assert context.services is None  # never the emulator on a live workspace
    assert "not in the keyring" in window.dialer_label.text()
    assert "Live — Twilio account AC…2222" in window.mode_label.text()
    settings = window.settings
    assert "Enter it and press Save account: calls resume at once" in settings.account_state.text()

    settings.auth_token.setText("live-token")
    settings.save_account()
    try:
        qloop.run_until_complete(asyncio.sleep(0.2))
        assert "kept for this session only" in settings.account_state.text()
        assert get_auth_token(SID) == "live-token"
        assert context.services is not None and context.dialer.running
        assert context.connection.kind == "twilio" and not context.services.emulator
        assert "Dialer not running" not in window.dialer_label.text()
    finally:
        qloop.run_until_complete(stop_services(context))
