"""One-time tickets: what the relay server knows of a call before Twilio connects it.

The dialer asks for a ticket before it creates the call (the token goes into the TwiML's
websocket URL), tells the book the CallSid once the create is answered, and Twilio's upgrade
must then present that token, once, for that CallSid. A replayed upgrade (the URL and its
signature are static) finds the ticket spent and is refused.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.agents.definition import AgentDefinition

TOKEN_BYTES = 24
# Twilio connects seconds after the create is answered; a token never bound or used within
# this long belongs to a call that was not placed.
TICKET_TTL_S = 3600.0
BIND_WAIT_S = 5.0  # an upgrade may race the dialer saving the CallSid


@dataclass(frozen=True)
class CallTicket:
    """A call the agent will handle: who, with which agent version and variables."""

    call_id: int
    contact_id: int
    to: str
    definition: AgentDefinition
    version_id: int | None
    variables: Mapping[str, Any] = field(default_factory=dict)
    campaign_id: int | None = None
    extension: str | None = None  # pressed once the call is answered, before the agent talks
    answered_by: str | None = None  # Twilio's AMD verdict, when the dialer knows it
    # The call runs async AMD: the agent holds (says nothing) until the verdict is human.
    amd: bool = False


@dataclass
class _Entry:
    token: str
    ticket: CallTicket
    issued_at: float
    call_sid: str | None = None
    bound: asyncio.Event = field(default_factory=asyncio.Event)
    spent: bool = False


class TicketBook:
    def __init__(self, clock=None) -> None:
        self._by_token: dict[str, _Entry] = {}
        self._by_sid: dict[str, _Entry] = {}
        self._clock = clock or (lambda: asyncio.get_running_loop().time())

    def issue(self, ticket: CallTicket) -> str:
        self._forget_stale()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._by_token[token] = _Entry(token, ticket, self._clock())
        return token

    def bind(self, token: str, call_sid: str) -> None:
        """The create for *token*'s call was answered with *call_sid*."""
        entry = self._by_token.get(token)
        if entry is None or entry.call_sid is not None:
            return
        entry.call_sid = call_sid
        self._by_sid[call_sid] = entry
        entry.bound.set()

    def discard(self, token: str) -> None:
        """The call was never placed: the token must not open anything."""
        entry = self._by_token.pop(token, None)
        if entry is not None and entry.call_sid:
            self._by_sid.pop(entry.call_sid, None)

    def usable(self, token: str) -> bool:
        """Known and not spent (checked at the upgrade, before the socket opens)."""
        entry = self._by_token.get(token)
        return entry is not None and not entry.spent

    async def redeem(self, token: str, call_sid: str) -> CallTicket | None:
        """The ticket for *token*, once, when *call_sid* is the call it was issued for."""
        entry = self._by_token.get(token)
        if entry is None or entry.spent:
            return None
        if entry.call_sid is None:
            try:
                await asyncio.wait_for(entry.bound.wait(), BIND_WAIT_S)
            except TimeoutError:
                return None
        if entry.spent or entry.call_sid != call_sid:
            return None
        entry.spent = True
        return entry.ticket

    def for_call(self, call_sid: str) -> CallTicket | None:
        entry = self._by_sid.get(call_sid)
        return entry.ticket if entry is not None else None

    def close(self, call_sid: str) -> None:
        """The call is over: forget it."""
        entry = self._by_sid.pop(call_sid, None)
        if entry is not None:
            self._by_token.pop(entry.token, None)

    def _forget_stale(self) -> None:
        now = self._clock()
        stale = [t for t, e in self._by_token.items() if now - e.issued_at > TICKET_TTL_S]
        for token in stale:
            self.discard(token)

    def __len__(self) -> int:
        return len(self._by_token)
