"""Non-blocking message boxes (never exec() from a coroutine)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.open()
    return box


def confirm(parent: QWidget, title: str, text: str, on_yes) -> QMessageBox:
    """Ask without blocking; *on_yes* runs only if the user says yes."""
    yes = QMessageBox.StandardButton.Yes
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, yes | QMessageBox.StandardButton.Cancel, parent
    )
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    # finished() carries the clicked standard button; don't capture the box in the slot.
    box.finished.connect(lambda result: on_yes() if result == yes.value else None)
    box.open()
    return box
