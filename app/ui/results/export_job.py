"""Exporting a step at a time on the GUI thread: the window stays responsive, no thread.

Each event-loop turn writes one batch of rows (a few milliseconds), so progress shows and
Cancel works. No worker thread means no Qt object is ever touched, or collected, off the GUI
thread.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.results.calls import CallFilter
from app.results.export import export_steps
from app.store.engine import Store

log = logging.getLogger(__name__)

ROWS_PER_STEP = 500


class ExportJob(QObject):
    """Signals:
    progressed(int, int): rows written, rows in all.
    finished(int, str): rows written and the file written.
    failed(str): what went wrong, for the user.
    cancelled(): the user cancelled; no file was left behind.
    """

    progressed = Signal(int, int)
    finished = Signal(int, str)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        store: Store,
        campaign_id: int,
        fmt: str,
        out: Path,
        parent: QObject | None = None,
        *,
        flt: CallFilter | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.campaign_id = campaign_id
        self.fmt = fmt
        self.out = Path(out)
        self.flt = flt or CallFilter()  # which calls: the ones the page shows
        self._session = None
        self._steps = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._session = self.store.session()
        try:
            self._steps = export_steps(
                self._session,
                self.campaign_id,
                self.fmt,
                self.out,
                flt=self.flt,
                batch=ROWS_PER_STEP,
            )
        except Exception as exc:
            self._fail(exc)
            return
        self._timer.start()

    def cancel(self) -> None:
        if not self.running:
            return
        self._timer.stop()
        self._steps.close()  # removes the partial file
        self._end_session()
        self.cancelled.emit()

    def _step(self) -> None:
        try:
            done, total = next(self._steps)
        except StopIteration as stop:
            self._timer.stop()
            self._end_session()
            self.finished.emit(int(stop.value or 0), str(self.out))
            return
        except Exception as exc:  # reported to the user; the detail goes to the log
            self._fail(exc)
            return
        self.progressed.emit(done, total)

    def _fail(self, exc: Exception) -> None:
        log.error("export to %s failed", self.out, exc_info=exc)
        self._timer.stop()
        self._end_session()
        self.failed.emit(f"Could not export to {self.out}: {exc}")

    def _end_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
