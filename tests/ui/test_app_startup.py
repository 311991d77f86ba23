"""Start-up: the window paints before the database stack loads, then fills in its pages."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from app.demo import seed_demo
from app.ui.app import build_context
from app.ui.main_window import MainWindow
from tests.conftest import REPO

PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication
    from app.ui.app import run_gui

    class Probe(QObject):
        seen = []

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                if obj.objectName() == "mainWindow" and not self.seen:
                    self.seen.append("sqlalchemy" in sys.modules)
                    print("window painted; sqlalchemy loaded:", self.seen[0], flush=True)
                    if db == "close-at-once":
                        QTimer.singleShot(0, obj.close)
                parent = obj.parent()
                if parent is not None and parent.objectName() == "campaignsTable":
                    if len(self.seen) == 1:
                        self.seen.append(True)
                        print("campaigns painted", flush=True)
                        QTimer.singleShot(0, obj.window().close)
            return False

    db = sys.argv[2] if len(sys.argv) > 2 else None
    app = QApplication([])
    probe = Probe()
    app.installEventFilter(probe)
    QTimer.singleShot(30_000, app.closeAllWindows)  # never hang the suite
    if db == "close-at-once":
        code = run_gui(home=Path(sys.argv[1]))
        print("database opened:", "sqlalchemy" in sys.modules, flush=True)
        sys.exit(code)
    sys.exit(run_gui(home=Path(sys.argv[1]), db_url=db, smoke_test=db is not None))
    """
)


def run_probe(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    return subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "home"), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=90,
    )


def test_the_window_paints_before_sqlalchemy_loads_then_lists_campaigns(tmp_path):
    from app.store.engine import open_store

    store = open_store(tmp_path / "home")
    seed_demo(store)
    store.dispose()
    result = run_probe(tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "window painted; sqlalchemy loaded: False",
        "campaigns painted",
    ]


def test_closing_the_window_before_the_database_opens_starts_nothing(tmp_path):
    result = run_probe(tmp_path, "close-at-once")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "window painted; sqlalchemy loaded: False",
        "database opened: False",
    ]


def test_a_database_that_cannot_be_opened_is_reported_not_crashed_on(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    result = run_probe(tmp_path, f"sqlite:///{not_a_folder}/calldeck.db")
    assert result.returncode == 1
    assert "window painted" in result.stdout and "campaigns painted" not in result.stdout
    log = (tmp_path / "home" / "logs" / "calldeck.log").read_text()
    assert "could not open the database" in log


def test_the_shell_waits_for_the_database_then_becomes_the_app(qtbot, store, home):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.title.text() == "Campaigns"
    assert not window.nav.isEnabled()
    assert window.stack.currentWidget() is window.opening_label
    QTest.keySequence(window, QKeySequence.StandardKey.New)  # nothing to open yet: ignored
    window.show_page("Campaigns")  # the rail is on row 0 before the pages exist
    window.show_startup_error("CallDeck could not open its database: disk I/O error")
    assert "disk I/O error" in window.opening_label.text()

    seed_demo(store)
    window.attach(build_context(store, home))
    assert window.nav.isEnabled()
    assert window.stack.currentWidget() is window.campaigns
    assert window.campaigns.model.rowCount() == 2
    assert "Demo mode" in window.mode_label.text()
    assert window.main_action_button.isVisible()
    assert window.main_action_button.text() == "New campaign"
    with pytest.raises(RuntimeError):
        window.attach(build_context(store, home))
