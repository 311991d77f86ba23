"""DialerBridge: the dialer's events as Qt signals, always delivered on the GUI thread."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.dialer.events import (
    CallEnded,
    CampaignStateChanged,
    ContactChanged,
    DialerEvent,
    DialerStatus,
)

log = logging.getLogger(__name__)


class DialerBridge(QObject):
    """Subscribes to a DialerService and re-emits what it publishes.

    Signals:
        contactChanged(campaign_id, contact_id, status): a contact's status changed.
        callEnded(campaign_id, call_id): a call is over and its results are stored.
        campaignStateChanged(campaign_id, state, message): started, paused, completed, ...
        campaignPausedBecause(campaign_id, reason): the dialer paused it; the reason says the fix.
        statusChanged(DialerStatus): the status-bar line (active calls, lines, next call).
    """

    contactChanged = Signal(int, int, str)
    callEnded = Signal(int, int)
    campaignStateChanged = Signal(int, str, str)
    campaignPausedBecause = Signal(int, str)
    statusChanged = Signal(object)

    # Internal hop: events may be published from any thread; a queued connection delivers
    # them on this object's (the GUI) thread.
    _received = Signal(object)

    def __init__(self, dialer=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = None
        self._received.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        if dialer is not None:
            self.attach(dialer)

    def attach(self, dialer) -> None:
        """Listen to *dialer* (a DialerService) instead of any previous one."""
        self.detach()
        self._unsubscribe = dialer.subscribe(self._received.emit)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @Slot(object)
    def _dispatch(self, event: DialerEvent) -> None:
        if isinstance(event, ContactChanged):
            self.contactChanged.emit(event.campaign_id, event.contact_id, event.status)
        elif isinstance(event, CallEnded):
            self.callEnded.emit(event.campaign_id, event.call_id)
        elif isinstance(event, CampaignStateChanged):
            if event.paused_because:  # first: the rows repaint on the state change
                self.campaignPausedBecause.emit(event.campaign_id, event.paused_because)
            self.campaignStateChanged.emit(event.campaign_id, event.state, event.message)
        elif isinstance(event, DialerStatus):
            self.statusChanged.emit(event)
        else:
            log.debug("dialer bridge: ignoring %r", event)
