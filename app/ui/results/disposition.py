"""The disposition as large buttons, numbered for their 1–9 keyboard shortcuts, with the voice
agent's suggestion beside it (the supervisor's choice is the one that counts)."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

COLUMNS = 3
MAX_SHORTCUTS = 9
# The chosen disposition must be obvious at a glance, in light and dark palettes alike.
BUTTON_STYLE = (
    "QPushButton:checked { background: #0d6efd; color: white; font-weight: bold;"
    " border: 1px solid #0a58ca; border-radius: 4px; }"
)


class DispositionEditor(QWidget):
    """Signals:
    dispositionChosen(str): the user picked a disposition ("" clears it).
    """

    dispositionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<b>Disposition</b>")
        self.hint = QLabel()
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setFlat(True)
        self.clear_button.setToolTip("Remove the disposition (0)")
        self.clear_button.clicked.connect(lambda: self.choose(""))
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addWidget(self.hint, 1)
        header.addWidget(self.clear_button)
        self.set_by = QLabel()  # who chose the disposition, and when
        self.set_by.setStyleSheet("color: palette(placeholder-text);")
        self.suggestion = QLabel()
        self.suggestion.setWordWrap(True)
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.use_suggestion = QPushButton("Use suggestion")
        self.use_suggestion.clicked.connect(lambda: self.choose(self._suggested or ""))
        suggestion_row = QHBoxLayout()
        suggestion_row.setContentsMargins(0, 0, 0, 0)
        suggestion_row.addWidget(self.suggestion, 1)
        suggestion_row.addWidget(self.use_suggestion)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addLayout(suggestion_row)
        layout.addLayout(self.grid)
        layout.addWidget(self.set_by)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._names: list[str] = []
        self._current = ""
        self._suggested: str | None = None
        self.set_dispositions([], None)

    def set_dispositions(
        self, names: list[str], current: str | None, suggested: str | None = None
    ) -> None:
        """Show the campaign's dispositions with *current* chosen and the agent's *suggested*
        one beside them (no signal)."""
        self._suggested = suggested or None
        if names != self._names:
            for button in self.group.buttons():
                self.group.removeButton(button)
                button.deleteLater()
            self._names = list(names)
            for i, name in enumerate(self._names):
                label = f"{i + 1}  {name}" if i < MAX_SHORTCUTS else name
                button = QPushButton(label)
                button.setCheckable(True)
                button.setMinimumHeight(34)
                button.setStyleSheet(BUTTON_STYLE)
                button.setProperty("disposition", name)
                if i < MAX_SHORTCUTS:
                    button.setToolTip(f"Press {i + 1}")
                button.clicked.connect(lambda _=False, n=name: self.choose(n))
                self.group.addButton(button, i)
                self.grid.addWidget(button, i // COLUMNS, i % COLUMNS)
        self._show(current or "")

    def show_chosen(self, name: str, by: str | None, at: datetime | None) -> None:
        """Show *name* as the call's disposition (no signal), set by *by* at *at*."""
        self._show(name)
        self.show_set_by(by, at)

    def show_set_by(self, by: str | None, at: datetime | None) -> None:
        shown = bool(self._current and by and at)
        self.set_by.setText(f"Set by {by}, {at.astimezone():%d %b %H:%M}" if shown else "")
        self.set_by.setVisible(shown)

    def names(self) -> list[str]:
        return list(self._names)

    def current(self) -> str:
        return self._current

    def choose(self, name: str) -> None:
        """Pick *name* as if the user did (a button, a shortcut); "" clears."""
        if name == self._current:
            self._show(name)
            return
        self._show(name)
        self.dispositionChosen.emit(name)

    def choose_number(self, number: int) -> None:
        """Shortcut 1–9 picks the n-th disposition; 0 clears."""
        if number == 0:
            self.choose("")
        elif 1 <= number <= min(len(self._names), MAX_SHORTCUTS) and self.isEnabled():
            self.choose(self._names[number - 1])

    def _show(self, name: str) -> None:
        self._current = name
        self.group.setExclusive(False)  # lets every button be unchecked for "none"
        for button in self.group.buttons():
            button.setChecked(button.property("disposition") == name)
        self.group.setExclusive(True)
        unknown = name and name not in self._names
        self.hint.setText(f"{name} (not in this campaign's list)" if unknown else "")
        self.clear_button.setEnabled(bool(name))
        self._show_suggestion()

    def _show_suggestion(self) -> None:
        suggested = self._suggested
        self.suggestion.setVisible(suggested is not None)
        # One click only while the supervisor has chosen nothing: their choice counts.
        offered = suggested is not None and not self._current and suggested in self._names
        self.use_suggestion.setVisible(offered)
        if suggested is None:
            return
        self.use_suggestion.setToolTip(f"Set the disposition to {suggested}")
        text = f"Agent suggests: <b>{html.escape(suggested)}</b>"
        if suggested not in self._names:
            text += " (not in this campaign's list)"
        elif self._current == suggested:
            text += " ✓"
        self.suggestion.setText(text)
