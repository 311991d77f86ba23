"""Exporting on a worker thread, so the window never freezes; progress and cancel included."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.results.export import ExportCancelled, export_calls
from app.store.engine import Store

log = logging.getLogger(__name__)


class ExportJob(QObject):
    """Signals (delivered on the GUI thread):
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
        self, store: Store, campaign_id: int, fmt: str, out: Path, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.campaign_id = campaign_id
        self.fmt = fmt
        self.out = Path(out)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="calldeck-export", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self._cancel.is_set()

    def _run(self) -> None:
        try:
            with self.store.session() as session:
                rows = export_calls(
                    session, self.campaign_id, self.fmt, self.out, progress=self._progress
                )
        except ExportCancelled:
            self.cancelled.emit()
        except Exception as exc:  # reported to the user; the detail goes to the log
            log.exception("export to %s failed", self.out)
            self.failed.emit(f"Could not export to {self.out}: {exc}")
        else:
            self.finished.emit(rows, str(self.out))
