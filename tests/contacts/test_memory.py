"""Pausing the collector for bulk work, from several threads at once."""

from __future__ import annotations

import gc
import threading

from app.contacts.memory import collection_paused, collector_paused


def test_overlapping_pauses_on_two_threads_turn_collection_back_on_once_both_end():
    entered = threading.Event()
    release = threading.Event()

    @collector_paused
    def long_work() -> None:
        entered.set()
        release.wait(10)

    @collector_paused
    def short_work() -> bool:
        return gc.isenabled()

    assert gc.isenabled() and not collection_paused()
    worker = threading.Thread(target=long_work)
    worker.start()
    entered.wait(10)
    assert collection_paused()
    assert short_work() is False
    assert not gc.isenabled()  # the long one is still running
    release.set()
    worker.join()
    assert gc.isenabled() and not collection_paused()


def test_a_pause_leaves_collection_off_when_it_was_off():
    gc.disable()
    try:
        collector_paused(lambda: None)()
        assert not gc.isenabled()
    finally:
        gc.enable()
