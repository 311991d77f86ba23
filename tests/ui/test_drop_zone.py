"""Dropping files (and text) on the DropZone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.ui.drop_zone import PROMPT, DropZone


def drag_and_drop(zone: DropZone, mime: QMimeData) -> tuple[bool, bool]:
    centre = zone.rect().center()
    enter = QDragEnterEvent(
        QPoint(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(zone, enter)
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(zone, drop)
    return enter.isAccepted(), drop.isAccepted()


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_shows_the_prompt(qtbot):
    zone = DropZone()
    qtbot.addWidget(zone)
    assert zone.label.text() == PROMPT == "Drop a CSV or Excel file here, or paste numbers"


def test_dropping_files_emits_their_paths(qtbot, tmp_path):
    zone = DropZone()
    qtbot.addWidget(zone)
    zone.show()
    first, second = tmp_path / "a.csv", tmp_path / "b.xlsx"

    with qtbot.waitSignal(zone.filesDropped) as blocker:
        accepted = drag_and_drop(zone, file_mime(first, second))

    assert accepted == (True, True)
    assert blocker.args == [[first, second]]


def test_remote_urls_are_refused(qtbot):
    zone = DropZone()
    qtbot.addWidget(zone)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/list.csv")])

    with qtbot.assertNotEmitted(zone.filesDropped):
        accepted = drag_and_drop(zone, mime)

    assert accepted[0] is False


def test_dropped_text_is_passed_on(qtbot):
    zone = DropZone()
    qtbot.addWidget(zone)
    mime = QMimeData()
    mime.setText("4155550100\n4155550101")

    with qtbot.waitSignal(zone.textDropped) as blocker:
        drag_and_drop(zone, mime)

    assert blocker.args == ["4155550100\n4155550101"]


def test_ctrl_v_pastes_numbers(qtbot):
    zone = DropZone()
    qtbot.addWidget(zone)
    QApplication.clipboard().setText("+1 415 555 0100")

    with qtbot.waitSignal(zone.textDropped) as blocker:
        qtbot.keyClick(zone, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    assert blocker.args == ["+1 415 555 0100"]
