"""Garbage holding Qt objects is collected on the GUI thread, never on a worker's."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

from app.ui.main_thread_gc import CHECK_INTERVAL_MS, MainThreadCollector


class Cyclic(QObject):
    """A QObject with a running timer, kept alive only by a reference cycle."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.start(60_000)
        self.me = self


def test_worker_allocations_do_not_collect_qt_garbage_off_the_gui_thread(qtbot, qapp):
    collector = MainThreadCollector(qapp)
    collector.install()
    collecting_threads: set[int] = set()

    def note_thread(phase: str, _info: dict) -> None:
        if phase == "start":
            collecting_threads.add(threading.get_ident())

    gc.callbacks.append(note_thread)
    try:
        for _ in range(gc.get_threshold()[0] * 2):
            Cyclic()
        worker = threading.Thread(target=lambda: [[i] for i in range(100_000)])
        worker.start()
        worker.join()
        assert worker.ident not in collecting_threads

        qtbot.wait(CHECK_INTERVAL_MS * 3)
        assert collecting_threads == {threading.get_ident()}
    finally:
        gc.callbacks.remove(note_thread)
        collector.uninstall()
    assert not gc.isenabled()  # the autouse fixture's collector is still installed


def test_uninstall_restores_automatic_collection(qapp):
    gc.enable()
    collector = MainThreadCollector(qapp)
    collector.install()
    assert not gc.isenabled()
    collector.uninstall()
    assert gc.isenabled()


def test_no_collection_while_bulk_work_has_paused_it(qapp):
    from app.contacts.memory import collector_paused

    collector = MainThreadCollector(qapp)
    collector.install()
    collections = []
    gc.callbacks.append(lambda phase, _info: phase == "start" and collections.append(phase))
    try:
        garbage = [Cyclic() for _ in range(gc.get_threshold()[0] * 2)]
        del garbage
        collector_paused(collector.collect_if_due)()
        assert collections == []
        collector.collect_if_due()
        assert collections
    finally:
        gc.callbacks.pop()
        collector.uninstall()


def test_install_twice_then_uninstall_restores_collection(qapp):
    gc.enable()
    collector = MainThreadCollector(qapp)
    collector.install()
    collector.install()
    collector.freeze()
    assert gc.get_freeze_count() > 0
    collector.uninstall()
    assert gc.isenabled() and gc.get_freeze_count() == 0
