"""Retry policy per outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.retry import next_attempt_at
from app.domain.status import ContactStatus

ENDED = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "failed"])
def test_retryable_outcomes_come_back_after_the_delay(outcome):
    at = next_attempt_at(outcome, attempts=1, max_attempts=3, retry_delay_min=30, ended_at=ENDED)
    assert at == ENDED + timedelta(minutes=30)


def test_no_retry_after_the_last_attempt():
    assert (
        next_attempt_at("busy", attempts=3, max_attempts=3, retry_delay_min=30, ended_at=ENDED)
        is None
    )


def test_completed_is_never_retried():
    assert (
        next_attempt_at("completed", attempts=1, max_attempts=3, retry_delay_min=0, ended_at=ENDED)
        is None
    )


def test_permanent_failures_are_not_retried():
    assert (
        next_attempt_at(
            "failed", attempts=1, max_attempts=3, retry_delay_min=5, ended_at=ENDED, permanent=True
        )
        is None
    )


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        next_attempt_at(
            "busy",
            attempts=1,
            max_attempts=3,
            retry_delay_min=5,
            ended_at=ENDED.replace(tzinfo=None),
        )


def test_a_retry_delay_stored_before_the_range_was_checked_cannot_overflow():
    ended = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    at = next_attempt_at(
        ContactStatus.BUSY,
        attempts=1,
        max_attempts=3,
        retry_delay_min=5_000_000_000,  # what `--retry-after` once accepted
        ended_at=ended,
    )
    assert at == ended + timedelta(days=365)


def test_voicemail_follows_the_machine_answered_rule_or_is_final():
    def after(attempts: int, rule):
        return next_attempt_at(
            ContactStatus.VOICEMAIL,
            attempts=attempts,
            max_attempts=5,
            retry_delay_min=30,
            ended_at=ENDED,
            voicemail_rule=rule,
        )

    assert after(1, None) is None  # a message was left (or no rule): done
    assert after(1, (2, 240)) == ENDED + timedelta(minutes=240)  # its own delay
    assert after(2, (2, 240)) is None  # its own attempts
    assert after(5, (9, 240)) is None  # never past the campaign's attempts
