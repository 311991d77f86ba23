"""Whether Twilio answers at all: a refused create is provably not placed, every request's
fate reaches the listener, and the emulator can stop answering and come back."""

from __future__ import annotations

import asyncio
import socket

import pytest

from app.telephony.base import CallRequest
from app.telephony.errors import NeverReached, is_unreachable
from app.telephony.twilio_provider import TwilioProvider
from tests.telephony.conftest import FROM, run


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def no_wait(_seconds: float) -> None:
    await asyncio.sleep(0)


def provider_at(base_url: str, account_sid="AC" + "0" * 32, token="t") -> TwilioProvider:
    return TwilioProvider(account_sid, token, base_url=base_url, max_retries=2, sleep=no_wait)


def test_a_refused_create_is_never_reached_and_the_listener_hears_it():
    provider = provider_at(f"http://127.0.0.1:{closed_port()}")
    heard: list[bool] = []
    provider.watch_reachability(heard.append)
    request = CallRequest(to="+14155551230", from_=FROM, twiml="<Response/>")
    with pytest.raises(NeverReached) as raised:
        run(provider.place_call(request))
    assert is_unreachable(raised.value)
    assert heard == [False]  # told once, at the first refused request
    run(provider.close())


def test_the_emulator_goes_offline_and_comes_back_on_the_same_port(make_emulator):
    emu = make_emulator()
    provider = provider_at(emu.base_url, emu.account_sid, emu.auth_token)
    heard: list[bool] = []
    provider.watch_reachability(heard.append)

    run(provider.ping())
    emu.go_offline()
    with pytest.raises(Exception) as raised:
        run(provider.ping())
    assert is_unreachable(raised.value)
    emu.come_back()
    run(provider.ping())
    assert heard == [False, True]
    run(provider.close())


def test_the_poll_pool_grows_for_many_live_calls_and_never_shrinks():
    provider = provider_at("http://127.0.0.1:9")
    provider.size_for(120)
    assert provider._executor._max_workers == 30
    provider.size_for(10)
    assert provider._executor._max_workers == 30
    run(provider.close())
