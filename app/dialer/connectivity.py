"""Can the dialer reach Twilio? One plain state that the scheduler and the status line follow.

It goes offline on the first request that got no answer at all (refused, DNS failure,
time-out: from the provider's transport, or from an error the dialer sees) and online on
the first answer of any kind. While offline no create is sent; one cheap probe goes out
with backoff, and whatever was waiting for the network (status polls, searches for lost
creates) wakes the moment it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from app.domain.clock import Clock
from app.telephony.errors import is_unreachable

log = logging.getLogger(__name__)

OFFLINE_MESSAGE = "Cannot reach Twilio — retrying, no calls are being placed"


class Connectivity:
    """*on_change(online)* is called on the loop thread at each change."""

    def __init__(self) -> None:
        self.on_change: Callable[[bool], None] | None = None
        self.reset()

    def reset(self) -> None:
        """Online until a request says otherwise (at each start: the event is the loop's)."""
        self.online = True
        self.outages = 0  # how often it went offline: a request's evidence is dated by it
        self._back_online = asyncio.Event()
        self._back_online.set()

    @property
    def message(self) -> str | None:
        """What the status bar and the campaign rows say while offline (None: online)."""
        return None if self.online else OFFLINE_MESSAGE

    def reached(self, begun: int | None = None) -> None:
        """The provider answered a request begun when outages was *begun* (None: now).
        An answer to a request sent before the latest outage began proves nothing."""
        if begun is None or begun == self.outages:
            self._set(True)

    def observe(self, error: BaseException) -> None:
        """A request failed with *error*: offline if it never got an answer."""
        if is_unreachable(error):
            self._set(False)

    def threadsafe_listener(self, loop: asyncio.AbstractEventLoop) -> Callable[[bool], None]:
        """A listener for the provider's worker threads that hops to *loop*."""

        def listener(reachable: bool) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the dialer is gone
                loop.call_soon_threadsafe(self._set, reachable)

        return listener

    async def wait_online(self) -> None:
        await self._back_online.wait()

    async def wait(self, clock: Clock, deadline: float) -> None:
        """Sleep until *deadline*, or less: while offline, until the network is back."""
        await clock.sleep_until(deadline, None if self.online else self._back_online)

    def _set(self, online: bool) -> None:
        if online == self.online:
            return
        self.online = online
        if online:
            self._back_online.set()
            log.warning("Twilio answers again: dialing resumes")
        else:
            self.outages += 1
            self._back_online.clear()
            log.warning("Twilio cannot be reached: no calls are placed until it answers")
        if self.on_change is not None:
            self.on_change(online)
