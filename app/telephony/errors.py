"""Typed, human-readable telephony errors.

The dialer decides what to do from the type and ``retryable``; the UI shows ``user_message``,
a sentence a supervisor can act on without knowing what an HTTP status is.
"""

from __future__ import annotations

import json
from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException


class ProviderError(Exception):
    """A telephony operation failed. ``code`` is Twilio's error code when there is one."""

    retryable: bool = False

    def __init__(
        self,
        user_message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        detail: str = "",
        retryable: bool | None = None,
    ) -> None:
        super().__init__(user_message if not detail else f"{user_message} [{detail}]")
        self.user_message = user_message
        self.code = code
        self.status = status
        self.detail = detail
        if retryable is not None:
            self.retryable = retryable


class InvalidNumber(ProviderError):
    """To/From is not a callable phone number (21211, 21217, 21214, 21216)."""


class GeoPermissionDenied(ProviderError):
    """The account may not call that country (21215)."""


class TrialAccountLimit(ProviderError):
    """Trial accounts can only call verified numbers, one call at a time (21219, 10004)."""


class UnverifiedCallerId(ProviderError):
    """The From number is neither owned nor verified on the account (21210, 21212)."""


class AccountInactive(ProviderError):
    """The account is suspended or closed (10001, 20005): nothing it sends is placed."""


class AuthenticationFailed(ProviderError):
    """Account SID / auth token rejected (20003)."""


class RateLimited(ProviderError):
    """Too many requests (HTTP 429 / 20429): safe to retry later."""

    retryable = True


class ServerError(ProviderError):
    """Twilio answered with a 5xx: usually transient."""

    retryable = True


class AmbiguousCreate(ProviderError):
    """The create request was lost mid-flight: the call may or may not have been placed.

    Never redial on this: reconcile later with ``Provider.find_calls``. *lost_connection*:
    the connection broke (Twilio may be unreachable), rather than a 5xx answer.
    """

    def __init__(self, user_message: str, *, lost_connection: bool = False, **kwargs) -> None:
        super().__init__(user_message, **kwargs)
        self.lost_connection = lost_connection


class NotPlaced(ProviderError):
    """The create was abandoned before it reached Twilio (the campaign was paused meanwhile)."""


class NeverReached(NotPlaced):
    """No connection to Twilio could be made for the create (refused, DNS, connect time-out):
    provably not placed."""


class NotFound(ProviderError):
    """The call, recording or number does not exist on this account (20404)."""


class CallAlreadyEnded(ProviderError):
    """The call had already ended when we tried to change it (21220)."""


class ConnectionFailed(ProviderError):
    """Could not reach Twilio at all (no response): safe to retry for reads."""

    retryable = True


def is_unreachable(error: BaseException) -> bool:
    """Did *error* come from not reaching Twilio at all (rather than from Twilio's answer)?"""
    if isinstance(error, ConnectionFailed | NeverReached):
        return True
    return isinstance(error, AmbiguousCreate) and error.lost_connection


def _number_in(uri: str | None, details: Any) -> str:
    if isinstance(details, dict):
        for key in ("To", "to", "phone_number"):
            if details.get(key):
                return str(details[key])
    return ""


def _message_for(code: int | None, status: int | None, twilio_msg: str, number: str) -> tuple:
    """(class, user_message) for a Twilio code/status."""
    who = number or "that number"
    ref = f" (error {code})" if code else ""
    if code in (21211, 21217):
        return (
            InvalidNumber,
            f"{who} is not a valid phone number. Check it in the contact list{ref}.",
        )
    if code == 21214:
        return InvalidNumber, f"{who} cannot be reached by phone. Check the number or skip it{ref}."
    if code == 21216:
        return InvalidNumber, f"Twilio blocks calls to {who}. Remove it from the list{ref}."
    if code == 21215:
        return (
            GeoPermissionDenied,
            f"Twilio refused {who}: your account may not call this country. "
            f"Enable it under Voice Geographic Permissions in the Twilio Console{ref}.",
        )
    if code == 21219:
        return (
            TrialAccountLimit,
            f"Your Twilio trial account can only call verified numbers, and {who} is not one. "
            f"Verify it in the Twilio Console or upgrade the account{ref}.",
        )
    if code == 10004:
        return (
            TrialAccountLimit,
            f"Your Twilio trial account allows only one call at a time. "
            f"Lower concurrency to 1 or upgrade the account{ref}.",
        )
    if code in (21210, 21212):
        return (
            UnverifiedCallerId,
            "The caller ID is not a number you own or have verified on Twilio. "
            f"Pick another From number on the Phone numbers page{ref}.",
        )
    if code in (10001, 20005):
        return (
            AccountInactive,
            "Your Twilio account is not active (suspended or closed), so it cannot place calls. "
            f"Check its balance and status in the Twilio Console, then start again{ref}.",
        )
    if code == 20003 or status == 401:
        return (
            AuthenticationFailed,
            "Twilio rejected the Account SID or Auth Token. Re-enter them in Settings"
            f"{ref or ' (error 20003)'}.",
        )
    if code == 20429 or status == 429:
        return (
            RateLimited,
            f"Twilio is rate-limiting requests; CallDeck will slow down and retry{ref}.",
        )
    if code == 20404 or status == 404:
        return NotFound, f"Twilio has no such resource on this account{ref}."
    if code == 21220:
        return CallAlreadyEnded, f"The call had already ended, so there was nothing to change{ref}."
    if status is not None and status >= 500:
        return (
            ServerError,
            f"Twilio had a temporary problem (HTTP {status}). CallDeck will retry shortly{ref}.",
        )
    text = twilio_msg.strip() or "an unknown error"
    return ProviderError, f"Twilio refused the request: {text}{ref}."


def from_twilio(exc: BaseException, *, number: str | None = None) -> ProviderError:
    """Map a ``TwilioRestException`` / ``TwilioException`` (or a transport error) to ours."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, TwilioRestException):
        code = exc.code if isinstance(exc.code, int) and exc.code >= 10000 else None
        num = number or _number_in(exc.uri, exc.details)
        cls, msg = _message_for(code, exc.status, str(exc.msg or ""), num)
        return cls(msg, code=code, status=exc.status, detail=f"{exc.method} {exc.uri}: {exc.msg}")
    if isinstance(exc, TwilioException):
        # list() failures: TwilioException("Unable to fetch page", response)
        response = exc.args[1] if len(exc.args) > 1 else None
        status = getattr(response, "status_code", None)
        code = None
        twilio_msg = str(exc.args[0]) if exc.args else ""
        text = getattr(response, "text", None)
        if text:
            try:
                body = json.loads(text)
                code = body.get("code") if isinstance(body.get("code"), int) else None
                twilio_msg = body.get("message") or twilio_msg
            except (ValueError, AttributeError):
                pass
        cls, msg = _message_for(code, status, twilio_msg, number or "")
        return cls(msg, code=code, status=status, detail=twilio_msg)
    # requests' ConnectionError / Timeout and OSError: no answer from Twilio at all.
    return ConnectionFailed(
        "CallDeck could not reach Twilio. Check the internet connection; it will retry.",
        detail=f"{type(exc).__name__}: {exc}",
    )
