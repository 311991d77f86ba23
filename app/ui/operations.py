"""One way to run work started from the UI, and one signal that says what it changed.

`run_op` runs *work* now, as an asyncio task, on a worker thread, or a step per event-loop
turn, and reports through one `Operation`: progress, success, a user-facing error (logged,
shown without a modal exec()), cancel. After success it publishes a `Change` on the
context's `Changes` hub, to which pages subscribe to refresh what they show (Anki's
`CollectionOp` and `operation_did_execute`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.ui.messages import show_error
from app.ui.tasks import keep_running

log = logging.getLogger(__name__)

Kind = Literal["now", "task", "thread", "steps"]
Progress = Callable[[int, int], None]
ThreadWork = Callable[[Progress, threading.Event], Any]
UNEXPECTED = "Something went wrong: {error}. The details are in the log."


@dataclass(frozen=True)
class Change:
    """What an operation changed: the rows that pages showing them should re-read."""

    agents: bool = False
    numbers: bool = False
    campaigns: bool = False
    contacts_of: int | None = None  # a campaign whose contacts were added or changed
    account: bool = False  # the Twilio account or its token was given (services may start)
    # Another seat (GUI, `calldeck run`, CLI) changed these calls: (campaign id, call id).
    calls: frozenset[tuple[int, int]] = frozenset()
    everything: bool = False  # this seat lost track of other seats' changes: re-read all


class Changes(QObject):
    """The hub every page shares (one per AppContext).

    Signals:
        changed(Change): data changed; emitted on the GUI thread after the operation's work.
    """

    changed = Signal(object)

    def publish(self, change: Change) -> None:
        self.changed.emit(change)


class _Worker(QRunnable):
    def __init__(self, op: Operation, work: ThreadWork) -> None:
        super().__init__()
        self.op = op
        self.work = work

    def run(self) -> None:  # on the pool's thread: only emit signals from here
        try:
            result = self.work(self.op._progress, self.op.cancel_event)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.op._thread_failed.emit(exc)
        else:
            self.op._thread_done.emit(result)


class Operation(QObject):
    """One piece of work started from the UI, reported in one way whatever runs it.

    Signals:
        progressed(int, int): done, total.
        succeeded(object): the work's result (after the change is published).
        failed(str): a message for the user (already logged).
        cancelled(): the work stopped because cancel() was called.
        ended(): after any of succeeded, failed and cancelled.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()
    _thread_done = Signal(object)
    _thread_failed = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        change: Change | None = None,
        changes: Changes | None = None,
        expected: tuple[type[BaseException], ...] = (),
        cancelled_by: tuple[type[BaseException], ...] = (),
    ) -> None:
        # No Qt parent: a widget deleted while (or just after) a worker thread ran would delete
        # the operation and its thread pool with it, which crashes Qt. The operation lives
        # until it ends (run_op keeps it) and only stops talking to its owner once that is gone.
        super().__init__()
        self._owner_gone = False
        if parent is not None:
            parent.destroyed.connect(self._owner_destroyed)
        self.change = change
        self.changes = changes
        self.expected = expected  # errors whose text is written for the user
        self.cancelled_by = cancelled_by  # errors the work raises when it has been cancelled
        self.cancel_event = threading.Event()
        self._running = False
        self._task: asyncio.Task | None = None
        self._steps: Iterator | None = None
        self._timer: QTimer | None = None
        self._pool: QThreadPool | None = None
        self._thread_done.connect(self._succeed)
        self._thread_failed.connect(self._fail)

    def is_running(self) -> bool:
        return self._running

    def _owner_destroyed(self) -> None:
        self._owner_gone = True

    def _progress(self, done: int, total: int) -> None:
        if not self._owner_gone:
            self.progressed.emit(done, total)

    # -- starting ----------------------------------------------------------------------------
    def run_now(self, work: Callable[[], Any]) -> None:
        self._running = True
        try:
            result = work()
        except Exception as exc:
            self._fail(exc)
        else:
            self._succeed(result)

    def run_task(self, work: Coroutine[Any, Any, Any]) -> None:
        self._running = True
        self._task = keep_running(asyncio.ensure_future(work))
        self._task.add_done_callback(self._task_done)

    def run_thread(self, work: ThreadWork) -> None:
        if self._pool is None:
            self._pool = QThreadPool(self)
            self._pool.setMaxThreadCount(1)
        self.cancel_event.clear()
        self._running = True
        self._pool.start(_Worker(self, work))

    def run_steps(self, steps: Iterator[tuple[int, int]]) -> None:
        """*steps* yields (done, total) once per turn and returns its result."""
        self._running = True
        self._steps = steps
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._step)
        self._timer.start()

    # -- cancelling ----------------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the work to stop; cancelled() follows once it has."""
        self.cancel_event.set()
        if not self._running:
            return
        if self._task is not None:
            self._task.cancel()
        elif self._steps is not None:
            self._timer.stop()
            self._steps.close()  # the generator's finally: blocks clean up
            self._cancelled()

    def shutdown(self) -> None:
        """Cancel and wait for a worker thread (before its owner goes away)."""
        self.cancel_event.set()
        if self._pool is not None:
            self._pool.waitForDone()

    # -- outcomes ------------------------------------------------------------------------------
    def _task_done(self, task: asyncio.Task) -> None:
        if task.cancelled():
            self._cancelled()
        elif task.exception() is not None:
            self._fail(task.exception())
        else:
            self._succeed(task.result())

    def _step(self) -> None:
        try:
            done, total = next(self._steps)
        except StopIteration as stop:
            self._timer.stop()
            self._succeed(stop.value)
        except Exception as exc:
            self._timer.stop()
            self._fail(exc)
        else:
            self._progress(done, total)

    def _succeed(self, result: Any) -> None:
        self._running = False
        if self.change is not None and self.changes is not None:
            self.changes.publish(self.change)  # other pages still show what changed
        if not self._owner_gone:
            self.succeeded.emit(result)
        self.ended.emit()

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, (*self.cancelled_by, asyncio.CancelledError)):
            self._cancelled()
            return
        self._running = False
        log.error("operation failed", exc_info=exc)
        message = user_message(exc, self.expected)
        if self._owner_gone:  # its window is closed: the user still hears of it
            show_error(None, "CallDeck", message)
        else:
            self.failed.emit(message)
        self.ended.emit()

    def _cancelled(self) -> None:
        self._running = False
        if not self._owner_gone:
            self.cancelled.emit()
        self.ended.emit()


def user_message(exc: BaseException, expected: tuple[type[BaseException], ...] = ()) -> str:
    """The text to show: the error's own when it was written for the user."""
    message = getattr(exc, "user_message", None)
    if message:
        return message
    if isinstance(exc, expected):
        return str(exc)
    return UNEXPECTED.format(error=exc)


def run_op(
    parent: QWidget,
    work: Callable[..., Any] | Coroutine[Any, Any, Any] | Iterator[tuple[int, int]],
    *,
    on_success: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    kind: Kind | None = None,
    change: Change | None = None,
    changes: Changes | None = None,
    expected: tuple[type[BaseException], ...] = (Exception,),
    cancelled_by: tuple[type[BaseException], ...] = (),
) -> Operation:
    """Run *work* and report on it; the kind follows from what *work* is unless given:
    a coroutine runs as a task, a generator a step per turn, a callable on a worker thread
    (called with progress and a cancel event); "now" calls it at once on the GUI thread.
    Errors go to *on_error*, or to a non-modal message box over *parent*."""
    op = Operation(
        parent, change=change, changes=changes, expected=expected, cancelled_by=cancelled_by
    )
    if on_success is not None:
        op.succeeded.connect(on_success)
    op.failed.connect(on_error or (lambda message: show_error(parent, "CallDeck", message)))
    _RUNNING.add(op)
    op.ended.connect(lambda: _release(op))
    kind = kind or _kind_of(work)
    if kind == "task":
        op.run_task(work)
    elif kind == "steps":
        op.run_steps(work)
    elif kind == "thread":
        op.run_thread(work)
    else:
        op.run_now(work)
    return op


_RUNNING: set[Operation] = set()  # run_op's operations, kept until they end


def _release(op: Operation) -> None:
    _RUNNING.discard(op)
    op.deleteLater()


def in_transaction(store: Any, command: Callable[[Any], Any]) -> Callable[[], Any]:
    """Work that runs *command(session)* in one transaction of *store* (an app.store Store)."""

    def work(*_thread_args: Any) -> Any:
        with store.session.begin() as session:
            return command(session)

    return work


def _kind_of(work: Any) -> Kind:
    if inspect.iscoroutine(work):
        return "task"
    if inspect.isgenerator(work):
        return "steps"
    return "thread"
