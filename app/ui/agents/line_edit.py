"""A line the agent says, with {{variable}} completion: typing "{{" offers the names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

_OPEN_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]*)$")


class VariableLineEdit(QLineEdit):
    """A QLineEdit whose completer completes the {{name}} being typed, not the whole text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = QStringListModel(self)
        self.completer_ = QCompleter(self._names, self)
        self.completer_.setWidget(self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer_.activated.connect(self.insert_variable)
        self.textEdited.connect(self._offer)

    def set_variables(self, names: Sequence[str]) -> None:
        self._names.setStringList(list(names))

    def variables(self) -> list[str]:
        return self._names.stringList()

    def _open_prefix(self) -> re.Match[str] | None:
        return _OPEN_VARIABLE.search(self.text()[: self.cursorPosition()])

    def _offer(self, _text: str) -> None:
        match = self._open_prefix()
        if match is None:
            self.completer_.popup().hide()
            return
        self.completer_.setCompletionPrefix(match.group(1))
        self.completer_.complete()

    def insert_variable(self, name: str) -> None:
        """Replace the "{{partial" before the cursor by "{{name}}" (what picking does)."""
        match = self._open_prefix()
        cursor = self.cursorPosition()
        start = match.start() if match else cursor
        text = self.text()
        self.setText(f"{text[:start]}{{{{{name}}}}}{text[cursor:]}")
        self.setCursorPosition(start + len(name) + 4)
        self.textEdited.emit(self.text())
