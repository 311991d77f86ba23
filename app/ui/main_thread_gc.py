"""Run Python's cyclic garbage collector on the GUI thread only.

Automatic collection runs on whichever thread happens to allocate, and CallDeck allocates on
several (the SDK's executor, the emulator thread, the import worker). A Qt object that ends
up in a garbage cycle would then be destroyed off the GUI thread, which Qt refuses ("Timers
cannot be stopped from another thread") or worse. So while the GUI runs, automatic
collection is off and a timer on the GUI thread collects whenever the allocation counts
pass the usual thresholds. Reference counting still frees everything else at once.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_if_due)
        self._was_enabled = gc.isenabled()

    def install(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def uninstall(self) -> None:
        self._timer.stop()
        gc.collect()  # here, on the GUI thread, before threads may collect again
        if self._was_enabled:
            gc.enable()

    def collect_if_due(self) -> None:
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        # The oldest generation whose count passed its threshold, as automatic collection does.
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return
