"""One runner for work started from the UI: each kind reports success, errors and cancel
the same way, and a successful operation says what it changed."""

from __future__ import annotations

import asyncio
import threading

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.operations import UNEXPECTED, Change, Changes, Operation, run_op, user_message

TIMEOUT_MS = 5_000


class Seen:
    def __init__(self, changes: Changes | None = None) -> None:
        self.events: list[tuple] = []
        if changes is not None:
            changes.changed.connect(lambda change: self.events.append(("changed", change)))

    def watch(self, op: Operation) -> Operation:
        op.succeeded.connect(lambda result: self.events.append(("succeeded", result)))
        op.failed.connect(lambda message: self.events.append(("failed", message)))
        op.cancelled.connect(lambda: self.events.append(("cancelled",)))
        op.progressed.connect(lambda done, total: self.events.append(("progress", done, total)))
        return op


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_now_publishes_the_change_before_success(qtbot, parent):
    changes = Changes()
    seen = Seen(changes=changes)
    results = []
    op = run_op(
        parent,
        lambda: 42,
        kind="now",
        change=Change(agents=True),
        changes=changes,
        on_success=lambda result: results.append(("on_success", result)),
    )
    seen.events.extend(results)
    assert seen.events == [("changed", Change(agents=True)), ("on_success", 42)]
    assert not op.is_running()


def test_an_error_is_logged_and_shown_without_a_modal_loop(qtbot, parent, caplog):
    def broken():
        raise RuntimeError("disk on fire")

    changes = Changes()
    seen = Seen(changes=changes)
    run_op(parent, broken, kind="now", change=Change(agents=True), changes=changes)
    [box] = parent.findChildren(QMessageBox)
    assert box.text() == "disk on fire" and box.isVisible()  # opened, not exec()'d
    assert "operation failed" in caplog.text and "disk on fire" in caplog.text
    assert seen.events == []  # nothing changed


def test_only_expected_errors_speak_for_themselves():
    class Written(ValueError):
        pass

    assert user_message(Written("Pick a file."), (Written,)) == "Pick a file."
    assert user_message(KeyError("x"), (Written,)) == UNEXPECTED.format(error=KeyError("x"))
    error = RuntimeError("raw")
    error.user_message = "Twilio is down."
    assert user_message(error) == "Twilio is down."


def test_a_task_succeeds_or_is_cancelled(qtbot, qloop, parent):
    changes = Changes()
    seen = Seen(changes=changes)

    async def answer():
        await asyncio.sleep(0)
        return "ok"

    seen.watch(run_op(parent, answer(), change=Change(numbers=True), changes=changes))
    qloop.run_until_complete(asyncio.sleep(0.05))
    assert seen.events == [("changed", Change(numbers=True)), ("succeeded", "ok")]

    seen.events.clear()
    op = seen.watch(run_op(parent, asyncio.sleep(10), changes=changes, change=Change()))
    assert op.is_running()
    op.cancel()
    qloop.run_until_complete(asyncio.sleep(0.05))
    assert seen.events == [("cancelled",)] and not op.is_running()


def test_a_thread_reports_progress_and_stops_on_cancel(qtbot, parent):
    class Stopped(Exception):
        pass

    started = threading.Event()

    def work(progress, cancel):
        progress(1, 2)
        started.set()
        if cancel.wait(5):
            raise Stopped()
        return "finished"

    seen = Seen()
    op = seen.watch(Operation(parent, cancelled_by=(Stopped,)))
    op.run_thread(work)
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
    assert op.is_running()
    with qtbot.waitSignal(op.cancelled, timeout=TIMEOUT_MS):
        op.cancel()
    assert seen.events == [("progress", 1, 2), ("cancelled",)]
    assert not op.is_running()

    seen.events.clear()
    with qtbot.waitSignal(op.succeeded, timeout=TIMEOUT_MS):
        op.run_thread(lambda progress, cancel: "again")  # the cancel flag starts clear
    assert seen.events == [("succeeded", "again")]
    op.shutdown()


def test_steps_run_a_turn_at_a_time_and_close_on_cancel(qtbot, parent):
    closed = []

    def steps(total):
        try:
            for done in range(1, total + 1):
                yield done, total
            return total
        finally:
            closed.append(True)

    seen = Seen()
    op = seen.watch(run_op(parent, steps(3)))
    qtbot.waitSignal(op.succeeded, timeout=TIMEOUT_MS).wait()
    assert seen.events == [
        ("progress", 1, 3),
        ("progress", 2, 3),
        ("progress", 3, 3),
        ("succeeded", 3),
    ]

    seen.events.clear()
    op = seen.watch(run_op(parent, steps(10**9)))
    qtbot.waitUntil(lambda: len(seen.events) >= 2, timeout=TIMEOUT_MS)
    op.cancel()
    assert seen.events[-1] == ("cancelled",) and closed == [True, True]
