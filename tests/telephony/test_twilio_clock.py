"""TwilioClock: Twilio's clock estimated from Date headers, robust to one odd response."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from app.telephony.twilio_clock import TwilioClock

OURS = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


def header(at: datetime) -> str:
    return format_datetime(at, usegmt=True)


def test_unmeasured_means_no_skew_and_junk_headers_are_ignored():
    clock = TwilioClock()
    clock.observe(None, OURS)
    clock.observe("not a date", OURS)
    assert not clock.measured and clock.skew == timedelta(0)
    assert clock.to_twilio(OURS) == OURS


def test_skew_is_the_median_of_recent_headers():
    clock = TwilioClock()
    for _ in range(4):
        clock.observe(header(OURS - timedelta(seconds=300)), OURS)
    clock.observe(header(OURS + timedelta(hours=1)), OURS)  # one odd response
    assert clock.measured
    assert abs(clock.skew.total_seconds() + 300) <= 1  # whole-second headers: within 1 s
    assert abs((clock.to_twilio(OURS) - (OURS - timedelta(seconds=300))).total_seconds()) <= 1
