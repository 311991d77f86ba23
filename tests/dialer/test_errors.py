"""The one table from a failed create's error to what the dialer does with the attempt."""

from __future__ import annotations

import inspect

import pytest

from app.dialer.errors import GIVE_BACKS, Action, action_for
from app.telephony import errors as telephony_errors
from app.telephony.errors import (
    AccountInactive,
    AmbiguousCreate,
    AuthenticationFailed,
    CallAlreadyEnded,
    ConnectionFailed,
    GeoPermissionDenied,
    InvalidNumber,
    NeverReached,
    NotFound,
    NotPlaced,
    ProviderError,
    RateLimited,
    ServerError,
    TrialAccountLimit,
    UnverifiedCallerId,
)

A = Action
CASES = [
    # (error, action): every provider error type, and the code/retryable that change it.
    (RateLimited("slow down", code=20429), A.GIVE_BACK_AND_BACK_OFF),
    (NotPlaced("dialling stopped"), A.GIVE_BACK),
    (NeverReached("connection refused"), A.GIVE_BACK),
    (AuthenticationFailed("bad token", code=20003), A.GIVE_BACK_AND_PAUSE),
    (AccountInactive("suspended", code=10001), A.GIVE_BACK_AND_PAUSE),
    (UnverifiedCallerId("not yours", code=21210), A.GIVE_BACK_AND_PAUSE),
    (TrialAccountLimit("one call at a time", code=10004), A.GIVE_BACK_AND_PAUSE),
    (TrialAccountLimit("verified numbers only", code=21219), A.GIVE_BACK_AND_PAUSE),
    (TrialAccountLimit("marked retryable", code=21219, retryable=True), A.GIVE_BACK_AND_PAUSE),
    (AmbiguousCreate("lost"), A.RESOLVE_UNKNOWN_CREATE),
    (InvalidNumber("not a number", code=21211), A.FAIL_PERMANENT),
    (InvalidNumber("marked retryable", code=21211, retryable=True), A.RESOLVE_UNKNOWN_CREATE),
    (GeoPermissionDenied("not that country", code=21215), A.GIVE_BACK_AND_PAUSE),
    (NotFound("no such thing", code=20404), A.FAIL_RETRYABLE),
    (CallAlreadyEnded("over", code=21220), A.FAIL_RETRYABLE),
    (ProviderError("something else", code=12345), A.FAIL_RETRYABLE),
    (ServerError("500", status=500), A.RESOLVE_UNKNOWN_CREATE),
    (ConnectionFailed("no route"), A.RESOLVE_UNKNOWN_CREATE),
    (ProviderError("a retryable something", retryable=True), A.RESOLVE_UNKNOWN_CREATE),
    (RuntimeError("a bug of ours"), A.RESOLVE_UNKNOWN_CREATE),
]


@pytest.mark.parametrize(("error", "action"), CASES, ids=lambda v: type(v).__name__)
def test_each_error_type_has_one_action(error, action):
    assert action_for(error) is action


def test_every_provider_error_type_is_decided_by_the_table_test():
    """A new error type in app/telephony/errors.py must be given a case above."""
    declared = {
        cls
        for _, cls in inspect.getmembers(telephony_errors, inspect.isclass)
        if issubclass(cls, ProviderError)
    }
    assert declared <= {type(error) for error, _ in CASES}


def test_only_give_backs_return_the_contact_to_the_queue():
    assert {A.GIVE_BACK, A.GIVE_BACK_AND_BACK_OFF, A.GIVE_BACK_AND_PAUSE} == GIVE_BACKS
