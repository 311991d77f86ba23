"""Every seat sees the others: the change feed (app.store.changes) polled off the GUI thread,
what it finds published on the context's Changes hub for the pages to re-read.

A poll is one primary-key range query every POLL_INTERVAL_S on a worker thread; on PostgreSQL
a thread LISTENs too and wakes the poll as soon as another seat commits.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QTimer, Signal

from app.store.changes import (
    POLL_INTERVAL_S,
    ChangeFeed,
    SeatChanges,
    listen_for_changes,
    prune_changes,
)
from app.store.engine import Store
from app.ui.operations import Change, Changes, Operation

log = logging.getLogger(__name__)

PRUNE_EVERY = 30  # polls (a minute): keeps the feed at app.store.changes.KEEP_ROWS rows


class SeatWatcher(QObject):
    """Signals:
    _woken(): a NOTIFY arrived (emitted on the listening thread; poll_now runs on the GUI's).
    """

    _woken = Signal()

    def __init__(self, store: Store, changes: Changes, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.changes = changes
        self.feed = ChangeFeed(store)
        self.timer = QTimer(self, interval=int(POLL_INTERVAL_S * 1000))
        self.timer.timeout.connect(self.poll_now)
        self._woken.connect(self.poll_now)
        self._polling = Operation(self)
        self._polling.succeeded.connect(self._publish)
        self._polls = 0
        self._again = False  # woken while a poll ran: poll once more after it
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None

    def start(self) -> None:
        """What the pages show now was read after this: report only changes from here on."""
        self.feed.start()
        self.timer.start()
        if self.store.backend.notifies_changes:
            self._listener = threading.Thread(
                target=self._listen, name="calldeck-seat-listener", daemon=True
            )
            self._listener.start()

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()
        self._polling.shutdown()
        if self._listener is not None:
            self._listener.join(timeout=2)

    def poll_now(self) -> None:
        if self._polling.is_running():
            self._again = True
            return
        self._again = False
        self._polling.run_thread(lambda _progress, _cancel: self._poll())

    def _poll(self) -> SeatChanges:  # on the worker thread
        found = self.feed.poll()
        self._polls += 1
        if self._polls % PRUNE_EVERY == 0:
            prune_changes(self.store)
        return found

    def _publish(self, found: SeatChanges) -> None:
        if found.everything:
            self.changes.publish(Change(campaigns=True, everything=True))
        elif found:
            self.changes.publish(Change(campaigns=found.campaigns, calls=found.calls))
        if self._again:
            self.poll_now()

    def _listen(self) -> None:  # on its own thread, PostgreSQL only
        while not self._stop.is_set():
            try:
                listen_for_changes(self.store, self._woken.emit, self._stop)
            except Exception:  # the server went away: polling carries on meanwhile
                log.warning("listening for other seats' changes failed", exc_info=True)
                self._stop.wait(POLL_INTERVAL_S * 5)
