"""Add or edit one scenario: what the callee says (lines or a persona) and what the call must
come to. Used by the Scenarios pane and by Results' "Save as test"."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.agents.actions import OUTCOMES
from app.agents.scenarios import Expectation, Scenario
from app.telephony.emulator.personas import PERSONA_NAMES

ANY = "(any)"
LINES = "Lines typed below"
DNC_CHOICES = (("(not checked)", None), ("yes", True), ("no", False))


def pairs_text(values: Mapping[str, Any]) -> str:
    """{"a": 1, "b": "x"} -> "a=1, b=x" (JSON for what is not a plain string)."""
    return ", ".join(f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in values.items())


def parse_pairs(text: str) -> dict[str, Any]:
    """ "a=1, b=x" -> {"a": 1, "b": "x"}: a value that reads as JSON is taken as JSON."""
    values: dict[str, Any] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, raw = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{part!r}: write name=value")
        try:
            values[key.strip()] = json.loads(raw.strip())
        except json.JSONDecodeError:
            values[key.strip()] = raw.strip()
    return values


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


class ScenarioDialog(QDialog):
    """Calls *on_save(scenario)* when the user saves a valid scenario; *on_save* returns an
    error message to show (the dialog stays open) or None (it closes)."""

    def __init__(
        self,
        scenario: Scenario | None,
        on_save: Callable[[Scenario], str | None],
        parent: QWidget | None = None,
        title: str = "Scenario",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.on_save = on_save
        self.name = QLineEdit()
        self.callee = QComboBox()
        self.callee.addItem(LINES, None)
        for persona in PERSONA_NAMES:
            self.callee.addItem(f"Persona: {persona}", persona)
        self.lines = QPlainTextEdit(placeholderText="One line per turn, e.g.\nHello?\nYes\n#dtmf 2")
        self.callee.currentIndexChanged.connect(
            lambda _i: self.lines.setEnabled(self.callee.currentData() is None)
        )
        self.variables = QLineEdit(placeholderText="first_name=Ada, pet_name=Rex")
        self.outcome = QComboBox()
        self.outcome.addItems([ANY, *OUTCOMES])
        self.fields = QLineEdit(placeholderText="confirmed=true")
        self.steps = QLineEdit(placeholderText="confirmed, goodbye")
        self.tools = QLineEdit(placeholderText="transfer")
        self.dnc = QComboBox()
        for text, value in DNC_CHOICES:
            self.dnc.addItem(text, value)
        self.error = QLabel()
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("The callee", self.callee)
        form.addRow("", self.lines)
        form.addRow("Contact variables", self.variables)
        form.addRow("Expected outcome", self.outcome)
        form.addRow("Fields captured", self.fields)
        form.addRow("Steps reached", self.steps)
        form.addRow("Tools called", self.tools)
        form.addRow("Opted out", self.dnc)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 520)
        if scenario is not None:
            self.fill(scenario)

    def fill(self, scenario: Scenario) -> None:
        self.name.setText(scenario.name)
        index = self.callee.findData(scenario.persona) if not scenario.lines else 0
        self.callee.setCurrentIndex(max(index, 0))
        self.lines.setPlainText("\n".join(scenario.lines))
        self.variables.setText(pairs_text(scenario.vars))
        self.variables.setCursorPosition(0)
        expect = scenario.expect
        self.outcome.setCurrentText(expect.outcome or ANY)
        self.fields.setText(pairs_text(expect.fields))
        self.steps.setText(", ".join(expect.steps))
        self.tools.setText(", ".join(expect.tools))
        self.dnc.setCurrentIndex(self.dnc.findData(expect.dnc))

    def scenario(self) -> Scenario:
        """The scenario as filled in; ValueError (pydantic's is one) when it is not valid."""
        persona = self.callee.currentData()
        lines = [] if persona else [t for t in self.lines.toPlainText().splitlines() if t.strip()]
        outcome = self.outcome.currentText()
        expect = Expectation(
            outcome=None if outcome == ANY else outcome,
            fields=parse_pairs(self.fields.text()),
            steps=_words(self.steps.text()),
            tools=_words(self.tools.text()),
            dnc=self.dnc.currentData(),
        )
        return Scenario(
            name=self.name.text().strip(),
            lines=lines,
            persona=persona,
            vars=parse_pairs(self.variables.text()),
            expect=expect,
        )

    def save(self) -> None:
        try:
            scenario = self.scenario()
        except ValueError as exc:
            errors = getattr(exc, "errors", None)
            self.error.setText(errors()[0]["msg"] if callable(errors) else str(exc))
            return
        problem = self.on_save(scenario)
        if problem:
            self.error.setText(problem)
        else:
            self.accept()
