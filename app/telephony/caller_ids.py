"""Verifying a number the user already has as a caller-ID (Twilio's ValidationRequests).

Twilio calls the number and asks for a six-digit code; the number shows among the account's
OutgoingCallerIds once it was typed. `verify_caller_id` shows the code (through *on_code*) and
waits for that, for the window and the CLI alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from app.telephony.base import OwnedNumber
from app.telephony.errors import ProviderError

VERIFY_WAIT_S = 180.0  # Twilio's call rings, then the person listens and keys in the code
VERIFY_POLL_S = 3.0


class NotVerified(ProviderError):
    """Twilio did not list the number as verified in time."""


async def verify_caller_id(
    provider,
    e164: str,
    on_code: Callable[[str], None],
    *,
    timeout_s: float | None = None,
    poll_s: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[OwnedNumber]:
    """Ask Twilio to call *e164*, hand the code to *on_code*, and return the account's numbers
    once *e164* is among its verified caller-IDs; raise NotVerified after *timeout_s*."""
    timeout_s = timeout_s or VERIFY_WAIT_S
    poll_s = poll_s or VERIFY_POLL_S
    code = await provider.request_caller_id_verification(e164)
    on_code(code)
    waited = 0.0
    while waited < timeout_s:
        await sleep(poll_s)
        waited += poll_s
        numbers = await provider.list_numbers()
        if any(n.phone_number == e164 for n in numbers):
            return numbers
    raise NotVerified(
        f"Twilio has not confirmed {e164} after {timeout_s / 60:.0f} minutes: the call may have "
        "gone unanswered or the code was mistyped. Press Verify to get a new call and code."
    )
