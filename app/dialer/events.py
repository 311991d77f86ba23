"""What the dialer tells the world. Subscribers are called on the dialer's loop thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContactChanged:
    campaign_id: int
    contact_id: int
    status: str


@dataclass(frozen=True)
class CallEnded:
    """A call reached its final status and all its results are stored (or marked unavailable)."""

    campaign_id: int
    call_id: int
    contact_id: int


@dataclass(frozen=True)
class CampaignStateChanged:
    campaign_id: int
    state: str
    message: str
    paused_because: str | None = None  # set when the dialer itself had to pause the campaign


@dataclass(frozen=True)
class DialerStatus:
    active_calls: int
    line_capacity: int
    next_call_in_s: float | None
    message: str
    # Set while Twilio cannot be reached (what the campaign rows say): no create is sent.
    unreachable: str | None = None


DialerEvent = ContactChanged | CallEnded | CampaignStateChanged | DialerStatus
Subscriber = Callable[[DialerEvent], object]


class EventHub:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Add *callback*; returns a function that removes it again."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: DialerEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                # A broken subscriber must not stop the dialer.
                log.exception("dialer event subscriber %r failed on %r", callback, event)
