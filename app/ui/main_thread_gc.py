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

from app.contacts.memory import collection_paused

CHECK_INTERVAL_MS = 500


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_if_due)
        self._installed = False
        self._was_enabled = gc.isenabled()
        self._frozen = False

    def install(self) -> None:
        if self._installed:
            return
        self._installed = True
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def freeze(self) -> None:
        """What exists now (modules, start-up objects) is kept out of every later collection,
        so a full collection walks only what was made since: a short pause, not a long one."""
        gc.collect()
        gc.freeze()
        self._frozen = True

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        self._timer.stop()
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        gc.collect()  # here, on the GUI thread, before threads may collect again
        if self._was_enabled:
            gc.enable()

    def collect_if_due(self) -> None:
        if collection_paused():
            return  # a bulk import is building objects that are not garbage (contacts.memory)
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        # The oldest generation whose count passed its threshold, as automatic collection does.
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return
