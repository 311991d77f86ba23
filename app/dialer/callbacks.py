"""What Twilio's callbacks tell the dialer, handed to the attempt that follows each call.

The callback routes (app/telephony/callback_routes.py) check signatures and order; this inbox
keeps, per call sid, the status reports not yet applied, the async-AMD verdict and whether
the recording is ready, and wakes the call's attempt. The attempt applies a status report
through the same write as a poll (app.dialer.writes.apply_call_info), one report at a time,
so a change a callback and a poll both report is applied once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from app.telephony.base import CallInfo

EARLY_KEPT = 1000  # mailboxes of sids no attempt has claimed yet (a callback beat the create)
# Once a call's callbacks arrive, polling it is only a safety net for a lost one: this many
# times the poll interval (30 s at the default 2 s). Until the first arrives, it is polled.
SAFETY_NET_FACTOR = 15


@dataclass
class Mailbox:
    """One call's callbacks, not yet taken by its attempt."""

    reports: deque[CallInfo] = field(default_factory=deque)
    answered_by: str | None = None  # the async-AMD verdict
    heard: bool = False  # at least one status callback came for this call
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    amd_known: asyncio.Event = field(default_factory=asyncio.Event)
    recording_ready: asyncio.Event = field(default_factory=asyncio.Event)


class CallbackInbox:
    """The dialer's CallbackSink."""

    def __init__(self) -> None:
        self._boxes: dict[str, Mailbox] = {}
        self._early: OrderedDict[str, Mailbox] = OrderedDict()

    # -- the attempts' side -----------------------------------------------------------------

    def open(self, sid: str, *, amd_expected: bool) -> Mailbox:
        """The attempt that follows *sid* takes its mailbox (with anything that came early).
        *amd_expected*: the create asked for async AMD; otherwise no verdict will come."""
        box = self._early.pop(sid, None) or self._boxes.get(sid) or Mailbox()
        if not amd_expected:
            box.amd_known.set()  # nothing to wait for: the agent talks at once
        self._boxes[sid] = box
        return box

    def close(self, sid: str) -> None:
        box = self._boxes.pop(sid, None)
        if box is not None:
            box.amd_known.set()  # the call is over: nobody waits for its verdict any more

    async def verdict(self, sid: str) -> str | None:
        """The AMD verdict of *sid* once known (None at once when the call has no AMD, or
        when it ended without one); the caller bounds the wait."""
        box = self._box(sid)
        await box.amd_known.wait()
        return box.answered_by

    # -- the routes' side (CallbackSink) ----------------------------------------------------

    def call_status(self, info: CallInfo) -> None:
        box = self._box(info.sid)
        box.heard = True
        box.reports.append(info)
        if info.is_final:
            box.amd_known.set()  # a lost AMD callback must not hold the agent past the call
        box.wake.set()

    def recording_status(self, call_sid: str, recording_sid: str, status: str) -> None:
        if status in ("completed", "absent", "failed"):
            self._box(call_sid).recording_ready.set()

    def answered_by(self, call_sid: str, answered_by: str) -> None:
        box = self._box(call_sid)
        if box.answered_by is None:
            box.answered_by = answered_by
            box.amd_known.set()
            box.wake.set()

    def _box(self, sid: str) -> Mailbox:
        return self._boxes.get(sid) or self._early_box(sid)

    def _early_box(self, sid: str) -> Mailbox:
        box = self._early.get(sid)
        if box is None:
            box = self._early[sid] = Mailbox()
            if len(self._early) > EARLY_KEPT:
                self._early.popitem(last=False)
        return box
