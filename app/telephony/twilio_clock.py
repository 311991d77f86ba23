"""Twilio's clock, as seen from here: estimated from the Date header of its responses; and
whether Twilio answers at all (Reachability), from the fate of every request.

A call's date_created comes from Twilio's clock, not ours. The search for a call a lost create
may have made must not depend on the desktop clock being right, so every response's Date
header updates an estimate of how far Twilio's clock runs ahead of ours.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from statistics import median

import requests
from twilio.http.http_client import TwilioHttpClient

from app.telephony.http_seam import rewrite_url

SAMPLES_KEPT = 15  # the median of the last few: one slow response does not move it


class TwilioClock:
    """The estimated offset of Twilio's clock from ours (thread-safe; zero until measured)."""

    def __init__(self) -> None:
        self._samples: deque[float] = deque(maxlen=SAMPLES_KEPT)
        self._lock = threading.Lock()

    def observe(self, date_header: str | None, received_at: datetime) -> None:
        """One response's Date header (whole seconds), received at *received_at* by our clock."""
        if not date_header:
            return
        try:
            theirs = parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            return
        if theirs.tzinfo is None:
            theirs = theirs.replace(tzinfo=UTC)
        # The header truncates to the second: on average it reads half a second early.
        offset = (theirs - received_at).total_seconds() + 0.5
        with self._lock:
            self._samples.append(offset)

    @property
    def measured(self) -> bool:
        with self._lock:
            return bool(self._samples)

    @property
    def skew(self) -> timedelta:
        """How far Twilio's clock is ahead of ours (negative: behind)."""
        with self._lock:
            return timedelta(seconds=median(self._samples)) if self._samples else timedelta(0)

    def to_twilio(self, ours: datetime) -> datetime:
        """The Twilio time of the moment our clock read *ours*."""
        return ours + self.skew


class Reachability:
    """Whether Twilio answers requests at all (thread-safe). *listener* hears each change, on
    the requesting worker thread.

    Only a request begun since the last failure proves Twilio answers again: one that was
    already on its way when the network went may still get its answer.
    """

    def __init__(self) -> None:
        self.reachable = True
        self.listener: Callable[[bool], None] | None = None
        self._failures = 0
        self._lock = threading.Lock()

    def begin(self) -> int:
        """Call before a request; pass what it returns to note()."""
        with self._lock:
            return self._failures

    def note(self, reachable: bool, begun: int) -> None:
        with self._lock:
            if not reachable:
                self._failures += 1
            elif begun != self._failures:
                return  # stale: it began before the latest failure
            changed, self.reachable = reachable != self.reachable, reachable
        listener = self.listener
        if changed and listener is not None:
            listener(reachable)


class ClockWatchingHttpClient(TwilioHttpClient):
    """The SDK's HTTP client, noting each response's Date into *clock* and whether Twilio
    answered into *reachability*; with *base_url* it talks to that server (the local
    emulator) instead of Twilio."""

    def __init__(
        self,
        clock: TwilioClock,
        base_url: str | None = None,
        *,
        reachability: Reachability | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.reachability = reachability or Reachability()
        self.base_url = base_url.rstrip("/") if base_url else None

    def request(self, method: str, url: str, *args, **kwargs):
        begun = self.reachability.begin()
        try:
            response = super().request(method, rewrite_url(url, self.base_url), *args, **kwargs)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
            self.reachability.note(False, begun)
            raise
        self.reachability.note(True, begun)
        headers = response.headers or {}
        self.clock.observe(headers.get("Date"), datetime.now(UTC))
        return response
