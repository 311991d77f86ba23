"""The polling rule: fast while ringing, slower and slower in progress; threads to match."""

from __future__ import annotations

import pytest

from app.domain.polling import (
    MAX_POLL_THREADS,
    MIN_POLL_THREADS,
    poll_delay_s,
    poll_threads_for,
)


@pytest.mark.parametrize("status", [None, "queued", "ringing", "a-status-from-2030"])
def test_not_yet_answered_calls_are_polled_every_base_interval(status):
    assert poll_delay_s(status, 0.0, 2.0) == 2.0


def test_in_progress_calls_go_from_5_to_10_seconds_with_age():
    delays = [poll_delay_s("in-progress", age, 2.0) for age in (0, 30, 60, 120, 3600)]
    assert delays[0] == 5.0 and delays[-1] == 10.0 and delays[3] == 10.0
    assert delays == sorted(delays) and 5.0 < delays[1] < delays[2] < 10.0


def test_the_rule_scales_with_the_base_interval():
    assert poll_delay_s("in-progress", 0.0, 0.02) == pytest.approx(0.05)
    assert poll_delay_s("in-progress", 1.2, 0.02) == pytest.approx(0.1)


def test_threads_follow_the_live_calls_within_bounds():
    assert poll_threads_for(0) == MIN_POLL_THREADS
    assert poll_threads_for(120) == 30
    assert poll_threads_for(100_000) == MAX_POLL_THREADS
