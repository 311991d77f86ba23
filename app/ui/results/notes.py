"""Free-text notes on a call, saved as you type (debounced), with who wrote them and when.

The editor remembers the text its edits started from (*base*): a save says it, so that a
save over another seat's newer notes is a conflict (app.results.edits), and while a conflict
is open (*held*) autosave waits and nothing replaces the text."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

SAVE_DELAY_MS = 700


class NotesEditor(QWidget):
    """Signals:
    notesEdited(str): the text to save, SAVE_DELAY_MS after the last keystroke (or on flush).
    """

    notesEdited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText("Notes for this call — saved as you type")
        self.edit.setTabChangesFocus(True)
        self.status = QLabel()
        self.status.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Notes</b>"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._loading = False
        self.base = ""  # the saved text the edits started from
        self._sent = ""  # the text of the save in flight
        self.held = False  # a conflict is open: no autosave, nothing replaces the text
        self.edit.textChanged.connect(self._on_text_changed)

    def set_notes(self, text: str, by: str | None, at: datetime | None) -> None:
        """Show a call's notes (the caller flushes the previous call's edits first)."""
        self._timer.stop()
        self.held = False
        self.base = text
        self._loading = True
        try:
            self.edit.setPlainText(text)
        finally:
            self._loading = False
        self.show_saved(by, at)

    def save_over(self, base: str, text: str | None = None) -> None:
        """Save what the editor has (or *text*, e.g. a merge) as an edit of *base*."""
        self.held = False
        self.base = base
        if text is not None:
            self.edit.setPlainText(text)
        self.flush()

    def text(self) -> str:
        return self.edit.toPlainText()

    def has_pending(self) -> bool:
        return self._timer.isActive() or self.held

    def flush(self) -> None:
        """Save now what is waiting for the debounce."""
        self._timer.stop()
        if self.held:
            return
        self._sent = self.edit.toPlainText()
        self.notesEdited.emit(self._sent)

    def saved(self, by: str | None, at: datetime | None) -> None:
        """The save went through: what was sent is the new base."""
        self.base = self._sent
        self.show_saved(by, at)

    def hold(self) -> None:
        """Another seat's notes conflict with these: keep them, do not autosave."""
        self._timer.stop()
        self.held = True
        self.status.setText("Not saved: another seat changed these notes (see above)")

    def show_saved(self, by: str | None, at: datetime | None) -> None:
        if by and at:
            self.status.setText(f"Saved · {by}, {at.astimezone():%d %b %H:%M}")
        else:
            self.status.setText("")

    def _on_text_changed(self) -> None:
        if self._loading or self.held:
            return
        self.status.setText("Editing…")
        self._timer.start()
