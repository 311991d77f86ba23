"""An operation outlives the widget that started it: deleting the widget while (or just after)
its worker thread ran neither crashes Qt nor calls back into the deleted widget."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# In a child process: a crash (SIGSEGV) must fail this test, not take the whole run down.
SCRIPT = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication, QWidget
    from app.ui.operations import Change, Changes, run_op

    app = QApplication(sys.argv)
    changes = Changes()
    published = []
    changes.changed.connect(published.append)
    for _ in range(150):
        widget = QWidget()
        done = []
        run_op(widget, lambda progress, cancel: done.append(1), kind="thread",
               change=Change(agents=True), changes=changes)
        deadline = time.monotonic() + 5
        while not done and time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        del widget  # deleted at once, before the operation's end is delivered
        app.processEvents()
    deadline = time.monotonic() + 5
    while len(published) < 150 and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    print(len(published))
    """
)


def test_deleting_the_owner_after_thread_work_neither_crashes_nor_loses_the_change():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "150"  # every change was still published


def test_a_deleted_owner_is_not_called_back(qtbot):
    from PySide6.QtWidgets import QWidget

    from app.ui.operations import run_op

    widget = QWidget()
    gone = threading.Event()
    widget.destroyed.connect(gone.set)

    def work(progress, cancel):  # its result comes only once the widget is gone
        assert gone.wait(5)
        return 7

    called = []
    op = run_op(widget, work, kind="thread", on_success=called.append)
    ended = []
    op.ended.connect(lambda: ended.append(True))
    widget.deleteLater()
    qtbot.waitUntil(lambda: bool(ended), timeout=5_000)
    assert called == []  # the widget was gone when the result came
