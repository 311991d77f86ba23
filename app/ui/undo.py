"""Destructive actions: a confirmation that names what will be lost, then an Undo bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

UNDO_SECONDS = 30


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 contact", "2,000 contacts"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def confirm_loss(
    parent: QWidget, title: str, text: str, action: str, on_yes: Callable[[], None]
) -> QMessageBox:
    """Ask without blocking; the button says what happens ("Remove 3 contacts"), Cancel is the
    default, and *on_yes* runs only on the action's button."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    box.setObjectName("confirmLoss")
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    go.clicked.connect(on_yes)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


class UndoBar(QFrame):
    """ "Removed 3 contacts. [Undo]", until the next removal, a click, or 30 seconds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self._undo)
        close = QPushButton("Dismiss")
        close.setFlat(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(close)
        self._undo_action: Callable[[], None] | None = None
        self._timer = QTimer(self, singleShot=True, interval=UNDO_SECONDS * 1000)
        self._timer.timeout.connect(self.dismiss)
        self.setVisible(False)

    def offer(self, text: str, undo: Callable[[], None] | None) -> None:
        """Say what was done; with *undo*, offer to take it back."""
        self.label.setText(text)
        self._undo_action = undo
        self.undo_button.setVisible(undo is not None)
        self.setVisible(True)
        self._timer.start()

    def dismiss(self) -> None:
        self._undo_action = None
        self._timer.stop()
        self.setVisible(False)

    def _undo(self) -> None:
        action, self._undo_action = self._undo_action, None
        self.dismiss()
        if action is not None:
            action()
