"""What the dialer does when a create request fails: one table from error type to action."""

from __future__ import annotations

from enum import Enum

from app.telephony.errors import (
    AccountInactive,
    AmbiguousCreate,
    AuthenticationFailed,
    GeoPermissionDenied,
    InvalidNumber,
    NotPlaced,
    ProviderError,
    RateLimited,
    TrialAccountLimit,
    UnverifiedCallerId,
)


class Action(Enum):
    GIVE_BACK = "give back"  # never placed: the contact goes back to the queue
    GIVE_BACK_AND_BACK_OFF = "give back and back off"  # and the campaign waits a while
    GIVE_BACK_AND_PAUSE = "give back and pause the campaign"  # no call of it can succeed
    FAIL_PERMANENT = "fail, never retry"  # refused for good: this contact cannot be called
    FAIL_RETRYABLE = "fail, retry by the campaign's rules"
    RESOLVE_UNKNOWN_CREATE = "search for the call"  # it may have been placed: never redial


GIVE_BACKS = frozenset(
    {Action.GIVE_BACK, Action.GIVE_BACK_AND_BACK_OFF, Action.GIVE_BACK_AND_PAUSE}
)

# First match wins. Decided by the type alone, whether or not the error says "retryable".
_BY_TYPE: tuple[tuple[type[BaseException], Action], ...] = (
    (RateLimited, Action.GIVE_BACK_AND_BACK_OFF),
    (NotPlaced, Action.GIVE_BACK),
    (AuthenticationFailed, Action.GIVE_BACK_AND_PAUSE),
    (AccountInactive, Action.GIVE_BACK_AND_PAUSE),
    (UnverifiedCallerId, Action.GIVE_BACK_AND_PAUSE),
    # An account setting, not the contact's fault (21219 unverified To on a trial, 10004
    # one call at a time, 21215 geo permission): the next contacts would fail alike, so
    # stop at the first one, with the fix in the message, and burn nobody.
    (TrialAccountLimit, Action.GIVE_BACK_AND_PAUSE),
    (GeoPermissionDenied, Action.GIVE_BACK_AND_PAUSE),
    (AmbiguousCreate, Action.RESOLVE_UNKNOWN_CREATE),
)
# For a definite refusal (not retryable). A retryable one (5xx, no connection after the
# provider's own retries) leaves the create's fate unknown, and so does any other exception.
_BY_TYPE_WHEN_REFUSED: tuple[tuple[type[BaseException], Action], ...] = (
    (InvalidNumber, Action.FAIL_PERMANENT),
    (ProviderError, Action.FAIL_RETRYABLE),
)


def action_for(error: BaseException) -> Action:
    """What to do with the attempt whose create request raised *error*."""
    table = _BY_TYPE
    if not (isinstance(error, ProviderError) and error.retryable):
        table = _BY_TYPE + _BY_TYPE_WHEN_REFUSED
    for error_type, action in table:
        if isinstance(error, error_type):
            return action
    return Action.RESOLVE_UNKNOWN_CREATE
