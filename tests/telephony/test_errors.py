"""Twilio exceptions become typed errors with sentences a supervisor can act on."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response

from app.telephony import errors


def rest(code: int | None, status: int = 400) -> TwilioRestException:
    return TwilioRestException(status, "/Calls.json", "Unable to create record: nope", code, "POST")


@pytest.mark.parametrize(
    ("code", "status", "kind", "retryable"),
    [
        (21211, 400, errors.InvalidNumber, False),
        (21217, 400, errors.InvalidNumber, False),
        (21214, 400, errors.InvalidNumber, False),
        (21216, 400, errors.InvalidNumber, False),
        (21215, 400, errors.GeoPermissionDenied, False),
        (21219, 400, errors.TrialAccountLimit, False),
        (10004, 400, errors.TrialAccountLimit, False),
        (21210, 400, errors.UnverifiedCallerId, False),
        (21212, 400, errors.UnverifiedCallerId, False),
        (20003, 401, errors.AuthenticationFailed, False),
        (20429, 429, errors.RateLimited, True),
        (None, 429, errors.RateLimited, True),
        (20500, 500, errors.ServerError, True),
        (None, 503, errors.ServerError, True),
        (20404, 404, errors.NotFound, False),
        (21220, 400, errors.CallAlreadyEnded, False),
        (13227, 400, errors.ProviderError, False),
    ],
)
def test_rest_exceptions_map_to_typed_errors(code, status, kind, retryable):
    err = errors.from_twilio(rest(code, status), number="+447700900123")
    assert type(err) is kind
    assert (err.code, err.status, err.retryable) == (code, status, retryable)
    assert err.user_message.endswith(".") and len(err.user_message) > 30
    if code:
        assert f"error {code}" in err.user_message


def test_geo_message_names_the_number_and_the_fix():
    err = errors.from_twilio(rest(21215), number="+447700900123")
    assert "+447700900123" in err.user_message and "Geographic Permissions" in err.user_message


def test_list_failures_carry_the_response():
    body = '{"code": 20003, "message": "Authenticate", "more_info": "x", "status": 401}'
    err = errors.from_twilio(TwilioException("Unable to fetch page", Response(401, body)))
    assert isinstance(err, errors.AuthenticationFailed) and err.code == 20003


def test_transport_errors_are_retryable_connection_failures():
    err = errors.from_twilio(requests.exceptions.ConnectionError("reset"))
    assert isinstance(err, errors.ConnectionFailed) and err.retryable
    assert "could not reach Twilio" in err.user_message


def test_ambiguous_create_is_not_retryable():
    assert not errors.AmbiguousCreate("maybe").retryable
    assert issubclass(errors.AmbiguousCreate, errors.ProviderError)
