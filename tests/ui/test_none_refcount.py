"""Guards against PySide6 6.12.0 on Python 3.11 leaking a reference to None per void call."""

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_do_not_leak_references_to_none(qapp):
    label = QLabel()
    label.setText("warm-up")
    before = sys.getrefcount(None)
    for i in range(20_000):
        label.setText("x" if i % 2 else "y")
    after = sys.getrefcount(None)
    # A leaking build loses one reference per call (20,000); allow noise from the interpreter.
    assert abs(after - before) < 100
