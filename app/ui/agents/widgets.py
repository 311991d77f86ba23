"""Small widgets of the agent editor: a line the agent says, with {{variable}} completion,
and the label that shows a problem beside a field."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QTextCursor
from PySide6.QtWidgets import QCompleter, QLabel, QPlainTextEdit, QWidget

_OPEN_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]*)$")
LINES_SHOWN = 3
_POPUP_KEYS = (Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Tab)


class VariableLineEdit(QPlainTextEdit):
    """A spoken line, wrapped over a few rows; typing "{{" offers the variable names.

    Signals: textEdited(str): the user changed the text (not setText)."""

    textEdited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)  # Tab moves on, as in every other field
        rows = self.fontMetrics().lineSpacing() * LINES_SHOWN
        self.setFixedHeight(rows + 2 * self.frameWidth() + 8)
        self._names = QStringListModel(self)
        self.completer_ = QCompleter(self._names, self)
        self.completer_.setWidget(self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.activated.connect(self.insert_variable)
        self._quiet = False
        self.textChanged.connect(self._changed)

    # -- a QLineEdit's API, which the forms use ---------------------------------------------------
    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        if text == self.toPlainText():
            return
        self._quiet = True
        self.setPlainText(text)
        self._quiet = False

    def cursorPosition(self) -> int:
        return self.textCursor().position()

    def setCursorPosition(self, position: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(min(position, len(self.toPlainText())))
        self.setTextCursor(cursor)

    # -- completion ---------------------------------------------------------------------------------
    def set_variables(self, names: Sequence[str]) -> None:
        if names != self._names.stringList():
            self._names.setStringList(list(names))

    def variables(self) -> list[str]:
        return self._names.stringList()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.completer_.popup().isVisible() and event.key() in _POPUP_KEYS:
            event.ignore()  # the popup takes it
            return
        if event.key() in (Qt.Key.Key_Enter, Qt.Key.Key_Return):
            return  # a line is one paragraph: the voice would read a newline as nothing
        super().keyPressEvent(event)

    def _changed(self) -> None:
        if self._quiet:
            return
        self.textEdited.emit(self.toPlainText())
        self._offer()

    def _open_prefix(self) -> re.Match[str] | None:
        return _OPEN_VARIABLE.search(self.toPlainText()[: self.cursorPosition()])

    def _offer(self) -> None:
        match = self._open_prefix()
        if match is None or not self.hasFocus():
            self.completer_.popup().hide()
            return
        self.completer_.setCompletionPrefix(match.group(1))
        rect = self.cursorRect()
        rect.setWidth(self.completer_.popup().sizeHintForColumn(0) + 24)
        self.completer_.complete(rect)

    def insert_variable(self, name: str) -> None:
        """Replace the "{{partial" before the cursor by "{{name}}" (what picking does)."""
        match = self._open_prefix()
        cursor = self.textCursor()
        end = cursor.position()
        start = match.start() if match else end
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(f"{{{{{name}}}}}")  # textChanged: written into the draft
        self.setTextCursor(cursor)


def problem_label() -> QLabel:
    """A wrapped label for a field's problems, in a red readable on light and dark."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    dark = label.palette().color(QPalette.ColorRole.Window).lightness() < 128
    label.setStyleSheet(f"color: {'#ff8a80' if dark else '#a94442'};")
    return label
