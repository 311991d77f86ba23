"""One condition (a transition's "If ...", a global step's trigger) as a kind and a value."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from app.agents.definition import CONDITION_KINDS

KIND_LABELS = {
    "always": "Otherwise",
    "field": "If a field is",
    "keywords": "If they say",
    "dtmf": "If they press",
    "regex": "If what they say matches",
    "expression": "If this holds",
    "llm": "If the model judges",
    "after_speaking": "After the line is said",
}
PLACEHOLDERS = {
    "field": "yes, no, filled, or a value",
    "keywords": "words, separated by commas",
    "dtmf": "a key: 0-9, * or #",
    "regex": "a regular expression",
    "expression": "monthly_bill >= 100",
    "llm": "the callee sounds upset",
}


def condition_kind(when: dict[str, Any] | None) -> str:
    if not when:
        return "always"
    return next((k for k in CONDITION_KINDS if when.get(k) is not None), "always")


def condition_data(kind: str, field: str, value: str) -> dict[str, Any] | None:
    """The JSON of a condition from what the editor shows (None: no condition, "always")."""
    value = value.strip()
    if kind == "always":
        return None
    if kind == "after_speaking":
        return {"after_speaking": True}
    if kind == "field":
        if value.lower() in ("", "filled"):
            return {"field": field, "filled": True}
        if value.lower() in ("yes", "true"):
            return {"field": field, "is": True}
        if value.lower() in ("no", "false"):
            return {"field": field, "is": False}
        try:
            return {"field": field, "is": float(value) if "." in value else int(value)}
        except ValueError:
            return {"field": field, "is": value}
    if kind == "keywords":
        return {"keywords": [w.strip() for w in value.split(",") if w.strip()]}
    return {kind: value}


def condition_value(when: dict[str, Any] | None) -> str:
    kind = condition_kind(when)
    if when is None or kind in ("always", "after_speaking"):
        return ""
    if kind == "field":
        if when.get("is") is True:
            return "yes"
        if when.get("is") is False:
            return "no"
        return "filled" if when.get("is") is None else str(when["is"])
    if kind == "keywords":
        return ", ".join(when["keywords"])
    return str(when[kind])


class ConditionEditor(QWidget):
    """Signals: edited(object): the condition's new JSON (None for "Otherwise")."""

    edited = Signal(object)

    def __init__(self, kinds: tuple[str, ...] = CONDITION_KINDS, parent=None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        for kind in kinds:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.field = QComboBox()
        self.field.setEditable(True)
        self.field.setMinimumContentsLength(10)
        self.value = QLineEdit()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.field)
        layout.addWidget(self.value, 1)
        self._filling = False
        self.kind.currentIndexChanged.connect(self._changed)
        self.field.currentTextChanged.connect(self._changed)
        self.value.textEdited.connect(self._changed)
        self._show_parts()

    def show_condition(self, when: dict[str, Any] | None, fields: list[str]) -> None:
        self._filling = True
        index = self.kind.findData(condition_kind(when))
        self.kind.setCurrentIndex(max(index, 0))
        self.field.clear()
        self.field.addItems(fields)
        self.field.setCurrentText((when or {}).get("field") or (fields[0] if fields else ""))
        if not self.value.hasFocus():
            self.value.setText(condition_value(when))
        self._show_parts()
        self._filling = False

    def condition(self) -> dict[str, Any] | None:
        return condition_data(self.kind.currentData(), self.field.currentText(), self.value.text())

    def _show_parts(self) -> None:
        kind = self.kind.currentData()
        self.field.setVisible(kind == "field")
        self.value.setVisible(kind in PLACEHOLDERS)
        self.value.setPlaceholderText(PLACEHOLDERS.get(kind, ""))

    def _changed(self, *_args: Any) -> None:
        self._show_parts()
        if not self._filling:
            self.edited.emit(self.condition())
