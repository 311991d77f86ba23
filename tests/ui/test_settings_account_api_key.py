"""Settings › Twilio account by API key (Account SID + SK… + secret) against the emulator: checked
at once, 20003 on screen for a bad secret, the secret only in the keyring, and what an API key
cannot do (the voice agent's signatures need the Auth Token) said on screen and enforced."""

from __future__ import annotations

import asyncio

from app.secrets import SERVICE
from app.services import NO_AUTH_TOKEN_FOR_AGENT, choose_connection, open_services
from app.settings import get_setting, set_setting
from app.ui.account_group import BY_API_KEY
from tests.conftest import create_api_key
from tests.ui.test_account_group import TOKEN, answered, assert_nowhere_on_disk, make_group, say_yes


def connect_by_key(qtbot, qloop, store, home, emulator, key, secret, token=""):
    group = make_group(qtbot, store, home, emulator)
    group.sign_in.setCurrentText(BY_API_KEY)
    group.account_sid.setText(emulator.account_sid)
    group.api_key.setText(key)
    group.api_secret.setText(secret)
    group.auth_token.setText(token)
    group.connect_account()
    return group, answered(qloop, group)


def test_the_api_key_fields_show_only_when_chosen(qtbot, store, home):
    group = make_group(qtbot, store, home)
    group.show()
    assert not group.api_key.isVisible() and not group.api_key_note.isVisible()
    group.sign_in.setCurrentText(BY_API_KEY)
    assert group.api_key.isVisible() and group.api_secret.isVisible()
    assert "Auth Token" in group.api_key_note.text()
    assert group.auth_token.placeholderText().startswith("Optional: for the voice agent")


def test_connect_by_api_key_goes_live_with_the_secret_only_in_the_keyring(
    qtbot, qloop, store, home, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    key, secret = create_api_key(emulator)
    group, _ = connect_by_key(qtbot, qloop, store, home, emulator, key, secret)
    say_yes(group)
    assert memory_keyring.passwords == {(SERVICE, key): secret}
    assert NO_AUTH_TOKEN_FOR_AGENT in group.message.text()
    assert f"by API key SK…{key[-4:]}" in group.mode.text()
    assert NO_AUTH_TOKEN_FOR_AGENT in group.mode.text()
    assert group.api_secret.text() == ""
    with store.session() as session:
        assert get_setting(session, "twilio_api_key_sid") == key
    connection = choose_connection(store)
    assert (connection.api_key, connection.api_secret, connection.auth_token) == (key, secret, None)
    assert_nowhere_on_disk(home, secret)


def test_a_bad_api_key_secret_is_twilios_20003_on_screen(
    qtbot, qloop, store, home, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    key, _ = create_api_key(emulator)
    group, text = connect_by_key(qtbot, qloop, store, home, emulator, key, "not-the-secret")
    assert "rejected these credentials (error 20003)" in text
    assert group.message.styleSheet() and group.confirmation is None
    assert memory_keyring.passwords == {}


def test_the_auth_token_given_with_the_key_is_checked_and_kept_for_the_agent(
    qtbot, qloop, store, home, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    key, secret = create_api_key(emulator)
    _, text = connect_by_key(qtbot, qloop, store, home, emulator, key, secret, "f" * 31 + "0")
    assert "error 20003" in text and memory_keyring.passwords == {}
    group, _ = connect_by_key(qtbot, qloop, store, home, emulator, key, secret, TOKEN)
    say_yes(group)
    assert memory_keyring.passwords == {
        (SERVICE, key): secret,
        (SERVICE, emulator.account_sid): TOKEN,
    }
    assert NO_AUTH_TOKEN_FOR_AGENT not in group.mode.text()


def test_a_key_only_connection_refuses_campaigns_with_the_reason(store, make_emulator):
    emulator = make_emulator(auth_token=TOKEN)
    key, secret = create_api_key(emulator)
    with store.session.begin() as session:
        set_setting(session, "relay_port", 0)  # any free port
    from app.services import Connection

    connection = Connection(
        "twilio",
        account_sid=emulator.account_sid,
        base_url=emulator.base_url,
        api_key=key,
        api_secret=secret,
    )

    async def opened():
        services = await open_services(store, connection)
        try:
            await services.provider.account_info()  # the key authenticates the REST calls
            return services.dialer.agent_refusal
        finally:
            await services.close()

    assert asyncio.run(opened()) == NO_AUTH_TOKEN_FOR_AGENT
