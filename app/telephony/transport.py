"""Was a lost request possibly received? It decides whether a failed create is ambiguous."""

from __future__ import annotations

import requests

# urllib3 reasons that mean the TCP connection was never made.
_CONNECT_PHASE = ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError")


def may_have_reached_twilio(exc: BaseException) -> bool:
    """True when a transport failure happened after the request may have been received.

    Connect-phase failures (refused, DNS, connect timeout) provably never reached Twilio;
    a read timeout or a dropped connection may have, so a create may exist.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return type(inner).__name__ not in _CONNECT_PHASE
    return isinstance(exc, requests.exceptions.RequestException | OSError)
