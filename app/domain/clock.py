"""Time for the dialer: the loop's clock in production, a virtual one in tests.

`monotonic()` drives pacing (seconds, never jumps); `now()` is wall time for calling windows,
retry times and the rows we store. Both must move together, so a FakeClock advances both.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC wall time."""
        ...

    def monotonic(self) -> float: ...

    async def sleep_until(self, deadline: float, wake: asyncio.Event | None = None) -> bool:
        """Sleep until monotonic() >= deadline or *wake* is set; True when woken by *wake*.

        Callers must re-check monotonic() afterwards: a timer may fire a few ms early.
        """
        ...


class LoopClock:
    """The running loop's time (what qasync/asyncio timers are scheduled on)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep_until(self, deadline: float, wake: asyncio.Event | None = None) -> bool:
        delay = deadline - self.monotonic()
        if wake is None:
            await asyncio.sleep(max(0.0, delay))
            return False
        if wake.is_set():
            return True
        if delay <= 0:
            await asyncio.sleep(0)
            return wake.is_set()
        try:
            await asyncio.wait_for(wake.wait(), delay)
        except TimeoutError:
            return False
        return True


class FakeClock:
    """Virtual time that jumps to the next sleeper's deadline as soon as the loop is idle.

    "Idle" means no other callback is ready to run, so a whole simulated day of calls runs in
    milliseconds while the order of events stays exactly as on a real clock. Only for code that
    does no real I/O (fake providers); real sockets would be starved of time.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        settle_rounds: int = 1,
        early_s: float = 0.0,
    ) -> None:
        """*early_s*: wake sleepers up to this much before their deadline (5% of the wait at
        most), the way Qt's coarse timers do under qasync: callers must check the clock."""
        self._start = start or datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
        self._early_s = early_s
        if self._start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start time")
        self._mono = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._driven_loop: asyncio.AbstractEventLoop | None = None
        self._settle_rounds = settle_rounds

    def now(self) -> datetime:
        return (self._start + timedelta(seconds=self._mono)).astimezone(UTC)

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move time forward by hand (wakes sleepers whose deadline passed)."""
        self._mono += seconds
        self._wake_due()

    async def sleep_until(self, deadline: float, wake: asyncio.Event | None = None) -> bool:
        if wake is not None and wake.is_set():
            return True
        if deadline <= self._mono:
            await asyncio.sleep(0)
            return bool(wake is not None and wake.is_set())
        loop = asyncio.get_running_loop()
        timer: asyncio.Future[None] = loop.create_future()
        wake_at = deadline - min(self._early_s, 0.05 * (deadline - self._mono))
        heapq.heappush(self._sleepers, (wake_at, next(self._seq), timer))
        self._ensure_driver(loop)
        if wake is None:
            await timer
            return False
        waiter = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({timer, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if not timer.done():
                timer.cancel()
        return wake.is_set()

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._mono:
            _, _, timer = heapq.heappop(self._sleepers)
            if not timer.done():
                timer.set_result(None)

    def _ensure_driver(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._driven_loop is not loop:
            self._driven_loop = loop
            # One extra round first, as a task's first step would take.
            loop.call_soon(self._drive, loop, self._settle_rounds + 1)

    def _drive(self, loop: asyncio.AbstractEventLoop, rounds_left: int) -> None:
        """Let everything that can run now run, then jump to the next deadline. A plain
        callback rather than a task: it runs at every step of virtual time."""
        if loop is not self._driven_loop:
            return  # a driver left over from a loop that has ended
        if rounds_left > 1:
            loop.call_soon(self._drive, loop, rounds_left - 1)
            return
        if _loop_busy(loop):
            loop.call_soon(self._drive, loop, self._settle_rounds)
            return
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)  # cancelled sleepers
        if not self._sleepers:
            self._driven_loop = None
            return
        self._mono = max(self._mono, self._sleepers[0][0])
        self._wake_due()
        loop.call_soon(self._drive, loop, self._settle_rounds)


def _loop_busy(loop: asyncio.AbstractEventLoop) -> bool:
    # CPython's BaseEventLoop keeps runnable callbacks in _ready (the driver's own step has
    # already been taken off it while it runs).
    ready = getattr(loop, "_ready", None)
    return ready is not None and len(ready) > 0
