"""Let a widget's finished operations go before the test deletes the widget.

An Operation that ran on a worker thread is deleted later (deleteLater) with its thread
pool; deleting its parent widget first, as pytest-qt does right after a test, crashes Qt
now and then. Tests of panes that run work on a thread end with `settle(qtbot, pane)`.
"""

from __future__ import annotations

from app.ui.operations import Operation


def settle(qtbot, widget) -> None:
    qtbot.waitUntil(lambda: not widget.findChildren(Operation))
