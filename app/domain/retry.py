"""Retry policy: which outcomes are tried again, and when."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.campaign_settings import BOUNDS
from app.domain.status import RETRYABLE_STATUSES, ContactStatus

_LONGEST_DELAY_MIN = BOUNDS["retry_delay_min"].maximum


def next_attempt_at(
    outcome: ContactStatus | str,
    *,
    attempts: int,
    max_attempts: int,
    retry_delay_min: float,
    ended_at: datetime,
    permanent: bool = False,
    voicemail_rule: tuple[int, float] | None = None,
) -> datetime | None:
    """When to call again after *outcome*, or None when the contact is done.

    *attempts* counts the attempts made so far, this one included. *permanent* marks a failure
    that another attempt cannot fix (the provider refused the number itself).
    *voicemail_rule* (max attempts, delay in minutes) is the campaign's machine-answered
    retry rule; without one a voicemail outcome is final.
    """
    if ended_at.tzinfo is None:
        raise ValueError("ended_at must be an aware datetime")
    if ContactStatus(outcome) == ContactStatus.VOICEMAIL and voicemail_rule is not None:
        voicemail_max, retry_delay_min = voicemail_rule
        max_attempts = min(max_attempts, voicemail_max)
    elif permanent or ContactStatus(outcome) not in RETRYABLE_STATUSES:
        return None
    if attempts >= max_attempts:
        return None
    # Clamped: a value stored before the range was checked must not overflow the date maths
    # (and strand the contact in "calling").
    delay = min(max(0.0, float(retry_delay_min)), _LONGEST_DELAY_MIN)
    return ended_at + timedelta(minutes=delay)
