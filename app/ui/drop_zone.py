"""The "drop a file here" box shown where a campaign has no contacts yet, and the drop
target that lets tables and the window take the same drops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

PROMPT = "Drop a CSV or Excel file here, or paste numbers"
IMPORT_FILTER = "Contact lists (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)"


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files in a drag (remote URLs cannot be read, so they are left out)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropZone(QFrame):
    """Accepts dropped contact files, dropped or pasted text, or a file picked with a button.

    Signals:
        filesDropped(list): the local paths (pathlib.Path) of the files dropped or chosen.
        textDropped(str): text dropped on the zone or pasted with Ctrl+V (typed numbers).
    """

    filesDropped = Signal(list)
    textDropped = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, prompt: str = PROMPT) -> None:
        super().__init__(parent)
        self.setObjectName("DropZone")
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(140)
        self.setProperty("dragActive", False)
        self.setStyleSheet(
            "#DropZone { border: 2px dashed palette(mid); border-radius: 8px; }"
            '#DropZone[dragActive="true"] { border-color: palette(highlight); }'
        )

        self.label = QLabel(prompt)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.label.setFont(font)
        self.choose_button = QPushButton("Choose a file…")
        self.choose_button.clicked.connect(self.choose_files)

        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import contacts", "", IMPORT_FILTER)
        if paths:
            self.filesDropped.emit([Path(p) for p in paths])

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        paths, text = dropped_content(event.mimeData())
        if paths or text:
            event.acceptProposedAction()
            self._set_drag_active(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._set_drag_active(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_drag_active(False)
        paths, text = dropped_content(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)
        elif text:
            event.acceptProposedAction()
            self.textDropped.emit(text)
        else:
            event.ignore()

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text()
            if text.strip():
                self.textDropped.emit(text)
            return
        super().keyPressEvent(event)

    def _set_drag_active(self, active: bool) -> None:
        self.setProperty("dragActive", active)
        self.style().unpolish(self)
        self.style().polish(self)


def dropped_content(mime: QMimeData) -> tuple[list[Path], str]:
    """(files, text) a drop carries: local files, or else plain text (typed numbers)."""
    paths = local_paths(mime)
    if paths:
        return paths, ""
    if not mime.hasUrls() and mime.hasText() and mime.text().strip():
        return [], mime.text()
    return [], ""


class DropTarget(QObject):
    """Lets any widget (a table's viewport, the window) take dropped contact files and text.

    *accepts(pos)* says whether a drop may land at that point of the widget.

    Signals:
        dropped(list, str, QPoint): the files (pathlib.Path), or else the text, and where.
    """

    dropped = Signal(list, str, QPoint)

    def __init__(self, widget: QWidget, accepts: Callable[[QPoint], bool] | None = None) -> None:
        super().__init__(widget)
        self._accepts = accepts or (lambda _pos: True)
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            paths, text = dropped_content(event.mimeData())
            if (paths or text) and self._accepts(event.position().toPoint()):
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            paths, text = dropped_content(event.mimeData())
            point = event.position().toPoint()
            if (paths or text) and self._accepts(point):
                event.acceptProposedAction()
                self.dropped.emit(paths, text, point)
            else:
                event.ignore()
            return True
        return False
