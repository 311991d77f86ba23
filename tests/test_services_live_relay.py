"""Live calls need Twilio to reach the agent's relay: without a public address that does,
every campaign is refused before any call, with what to do."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy import select

from app.dialer.events import CampaignStateChanged
from app.secrets import set_auth_token, set_ngrok_authtoken
from app.services import SetupError, choose_connection, open_services
from app.settings import set_setting
from app.store.models import Call, Campaign
from tests.dialer.helpers import make_campaign

SID = "AC" + "1" * 32


def live_store(store, **settings) -> None:
    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", SID)
        set_setting(session, "relay_port", 0)  # any free port, for the test
        for key, value in settings.items():
            set_setting(session, key, value)
    set_auth_token(SID, "token")
    make_campaign(store, "Live", ["+12125550100"])


def refusal_of(store) -> tuple[str, int]:
    """Start the live dialer and return why it paused the campaign, and the calls made."""

    async def go() -> str:
        services = await open_services(store, choose_connection(store))
        paused: list[str] = []
        services.dialer.subscribe(
            lambda e: (
                paused.append(e.paused_because)
                if isinstance(e, CampaignStateChanged) and e.paused_because
                else None
            )
        )
        try:
            await services.dialer.start()
            for _ in range(200):
                if paused:
                    break
                await asyncio.sleep(0.02)
        finally:
            await services.close()
        return paused[0] if paused else ""

    message = asyncio.run(go())
    with store.session() as session:
        calls = len(session.scalars(select(Call)).all())
        assert session.scalar(select(Campaign.state)) == "paused"
    return message, calls


def test_without_a_public_address_a_live_campaign_is_refused_before_any_call(store):
    live_store(store)
    message, calls = refusal_of(store)
    assert "public address" in message and "Settings" in message and "No call was placed" in message
    assert calls == 0


def test_an_address_that_does_not_reach_the_relay_is_refused(store):
    live_store(store, public_url="https://127.0.0.1:9")  # nothing listens on port 9
    message, calls = refusal_of(store)
    assert "cannot be reached" in message and calls == 0


def test_a_plain_http_address_is_refused_since_twilio_needs_tls(store):
    live_store(store, public_url="http://calls.example.com")
    message, _ = refusal_of(store)
    assert "not an https:// address" in message


def test_the_tunnel_without_its_authtoken_says_where_to_enter_it(store):
    live_store(store, ngrok_tunnel=True)
    message, calls = refusal_of(store)
    assert "authtoken is not in the keyring" in message and calls == 0


def test_a_tunnel_that_cannot_open_says_why(store):
    """The real ngrok package, with an authtoken it cannot use from this machine."""
    live_store(store, ngrok_tunnel=True)
    set_ngrok_authtoken("not-a-real-authtoken")
    message, calls = refusal_of(store)
    assert "ngrok tunnel could not open" in message and calls == 0


def test_a_relay_port_in_use_is_a_setup_error_with_what_to_do(store):
    async def go() -> None:
        from aiohttp import web

        runner = web.AppRunner(web.Application())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        with store.session.begin() as session:
            set_setting(session, "relay_port", port)
        try:
            with pytest.raises(SetupError, match=f"port {port}"):
                await open_services(store, choose_connection(store))
        finally:
            await runner.cleanup()

    live_store(store)
    asyncio.run(go())


def test_the_relay_health_page_names_this_relay(store):
    async def go() -> None:
        services = await open_services(store, choose_connection(store, True))
        try:
            relay = services.relay
            assert relay is not None
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{relay.http_base}/relay/health") as response,
            ):
                assert await response.json() == {"relay": relay.relay_id}
        finally:
            await services.close()

    asyncio.run(go())
