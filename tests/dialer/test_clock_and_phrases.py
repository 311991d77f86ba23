"""The injectable clocks, and spotting a do-not-call request in a transcript."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import FakeClock, LoopClock
from app.domain.donotcall import asks_not_to_be_called


def test_fake_clock_runs_sleepers_in_deadline_order_instantly():
    clock = FakeClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    woke = []

    async def sleeper(name: str, deadline: float) -> None:
        await clock.sleep_until(deadline)
        woke.append((name, clock.monotonic()))

    async def go():
        await asyncio.gather(sleeper("late", 3600), sleeper("early", 60), sleeper("mid", 600))

    asyncio.run(go())
    assert woke == [("early", 60), ("mid", 600), ("late", 3600)]
    assert clock.now() == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_fake_clock_wake_event_cuts_a_sleep_short():
    clock = FakeClock()

    async def go():
        wake = asyncio.Event()

        async def poke():
            await clock.sleep_until(5)
            wake.set()

        asyncio.ensure_future(poke())
        woken = await clock.sleep_until(100, wake)
        return woken, clock.monotonic()

    assert asyncio.run(go()) == (True, 5)


def test_fake_clock_can_fire_early_like_coarse_timers():
    clock = FakeClock(early_s=0.005)

    async def go():
        await clock.sleep_until(10.0)
        return clock.monotonic()

    woke = asyncio.run(go())
    assert 10.0 - 0.005 <= woke < 10.0


def test_fake_clock_needs_an_aware_start():
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))


def test_loop_clock_follows_the_loop_and_wakes_on_the_event():
    clock = LoopClock()

    async def go():
        loop = asyncio.get_running_loop()
        assert clock.monotonic() == pytest.approx(loop.time(), abs=0.01)
        assert clock.now().tzinfo is not None
        wake = asyncio.Event()
        loop.call_later(0.01, wake.set)
        woken = await clock.sleep_until(clock.monotonic() + 30, wake)
        slept = await clock.sleep_until(clock.monotonic() + 0.01, asyncio.Event())
        return woken, slept

    assert asyncio.run(go()) == (True, False)
    assert abs(LoopClock().now() - datetime.now(UTC)) < timedelta(seconds=1)


@pytest.mark.parametrize(
    "said",
    [
        "Please take me off your list and do not call me again.",
        "Don't call me.",
        "don\u2019t call this number",
        "Remove me from your list",
        "Stop calling!",
        "put me on the do-not-call list",
    ],
)
def test_do_not_call_requests(said):
    assert asks_not_to_be_called(said)


@pytest.mark.parametrize(
    "said",
    ["Hello?", "Yes, this is a good time, go ahead.", "I do not call my mother on Sundays."],
)
def test_ordinary_talk(said):
    assert not asks_not_to_be_called(said)
