"""How often a live call is polled when no status callbacks arrive, and how many threads
that takes: one rule, used by the dialer and sized into the provider.

*base_s* is the dialer's poll interval (2 s by default; tests shrink it and every delay
scales with it). Queued and ringing: every *base_s*, so an answer is seen within it. In
progress: 2.5 x base at first (5 s), growing with the time in progress to 5 x base (10 s)
after a minute's worth of base intervals (2 minutes at 2 s): a long conversation changes
nothing we show until it ends, and 100+ live calls must not flood Twilio.
"""

from __future__ import annotations

import math

IN_PROGRESS_FIRST = 2.5  # x base
IN_PROGRESS_LAST = 5.0  # x base
IN_PROGRESS_GROWTH = 60.0  # base intervals from the first to the last
# A status request to Twilio takes about 0.2-0.5 s from a desktop. A ringing call asks every
# base interval (2 s): one thread serves about four calls at the busiest rate, with room.
CALLS_PER_POLL_THREAD = 4
MIN_POLL_THREADS = 8
MAX_POLL_THREADS = 64


def poll_delay_s(provider_status: str | None, in_progress_for_s: float, base_s: float) -> float:
    """Seconds until the next status poll of a call Twilio last reported as *provider_status*
    (None: not known yet), in progress for *in_progress_for_s*."""
    if provider_status != "in-progress":
        return base_s
    growth = min(1.0, max(0.0, in_progress_for_s) / (IN_PROGRESS_GROWTH * base_s))
    return base_s * (IN_PROGRESS_FIRST + (IN_PROGRESS_LAST - IN_PROGRESS_FIRST) * growth)


def poll_threads_for(live_calls: int) -> int:
    """Worker threads for polling *live_calls* at once without a queue forming."""
    wanted = math.ceil(max(0, live_calls) / CALLS_PER_POLL_THREAD)
    return max(MIN_POLL_THREADS, min(MAX_POLL_THREADS, wanted))
