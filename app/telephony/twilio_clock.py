"""Twilio's clock, as seen from here: estimated from the Date header of its responses.

A call's date_created comes from Twilio's clock, not ours. The search for a call a lost create
may have made must not depend on the desktop clock being right, so every response's Date
header updates an estimate of how far Twilio's clock runs ahead of ours.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from statistics import median

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


class ClockWatchingHttpClient(TwilioHttpClient):
    """The SDK's HTTP client, noting each response's Date into *clock*; with *base_url* it
    talks to that server (the local emulator) instead of Twilio."""

    def __init__(self, clock: TwilioClock, base_url: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.base_url = base_url.rstrip("/") if base_url else None

    def request(self, method: str, url: str, *args, **kwargs):
        response = super().request(method, rewrite_url(url, self.base_url), *args, **kwargs)
        headers = response.headers or {}
        self.clock.observe(headers.get("Date"), datetime.now(UTC))
        return response
