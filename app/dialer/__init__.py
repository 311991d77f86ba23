"""The campaign runner (plain asyncio): DialerService and the events it publishes."""

from app.dialer.events import (
    CallEnded,
    CampaignStateChanged,
    ContactChanged,
    DialerEvent,
    DialerStatus,
)
from app.dialer.service import DialerService, DoneReport

__all__ = [
    "CallEnded",
    "CampaignStateChanged",
    "ContactChanged",
    "DialerEvent",
    "DialerService",
    "DialerStatus",
    "DoneReport",
]
