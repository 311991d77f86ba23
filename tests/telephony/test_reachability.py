"""Whether Twilio answers at all: the emulator can stop answering and come back, and the
provider's listener hears each change; the poll pool grows for many live calls."""

from __future__ import annotations

import asyncio

import pytest

from app.telephony.errors import is_unreachable
from app.telephony.twilio_provider import TwilioProvider
from tests.telephony.conftest import run


async def no_wait(_seconds: float) -> None:
    await asyncio.sleep(0)


def provider_at(base_url: str, account_sid="AC" + "0" * 32, token="t") -> TwilioProvider:
    return TwilioProvider(account_sid, token, base_url=base_url, max_retries=2, sleep=no_wait)


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
