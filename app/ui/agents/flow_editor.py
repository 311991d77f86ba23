"""The flow without JSON: the steps as a list, the selected step's line, fields and
transitions (as sentences), global steps apart, and each step's problems beside it."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.agents.definition import Transition
from app.agents.references import GLOBAL_TRIGGERS
from app.agents.sentences import transition_sentence
from app.ui.agents.condition_editor import ConditionEditor
from app.ui.agents.controller import AgentsController
from app.ui.agents.draft_form import DraftForm
from app.ui.agents.widgets import VariableLineEdit, problem_label

FIELD_TYPES = ("yes_no", "number", "choice", "date", "time", "datetime", "phone", "email", "text")
PROBLEM_MARK = "⚠ "


def _sentence(transition: dict[str, Any]) -> str:
    try:
        return transition_sentence(Transition.model_validate(transition))
    except ValidationError:
        return f"(unfinished condition) → {transition.get('to', '?')}"


def _buttons(*labels: str) -> tuple[QHBoxLayout, list[QPushButton]]:
    row = QHBoxLayout()
    buttons = [QPushButton(label) for label in labels]
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row, buttons


def _new_id(existing: set[str], base: str = "step") -> str:
    return next(f"{base}_{n}" for n in range(1, len(existing) + 2) if f"{base}_{n}" not in existing)


class FlowEditor(DraftForm):
    def __init__(self, controller: AgentsController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.group = "steps"  # "steps" or "global": which list the selected step is in
        self.index = 0

        # -- the lists of steps ------------------------------------------------------------------
        self.start = QComboBox()
        self.start.currentTextChanged.connect(
            lambda text: self._write(lambda d: d["flow"].__setitem__("start", text))
        )
        self.steps = QListWidget()
        self.steps.currentRowChanged.connect(lambda row: self._select("steps", row))
        steps_row, (self.add_step, self.step_up, self.step_down, self.delete_step) = _buttons(
            "Add step", "Up", "Down", "Delete"
        )
        self.add_step.clicked.connect(lambda: self._add("steps"))
        self.step_up.clicked.connect(lambda: self._move_step(-1))
        self.step_down.clicked.connect(lambda: self._move_step(1))
        self.delete_step.clicked.connect(self._delete_step)
        self.globals = QListWidget()
        self.globals.setMinimumHeight(60)
        self.globals.currentRowChanged.connect(lambda row: self._select("global", row))
        global_row, (self.add_global, self.delete_global) = _buttons(
            "Add global step", "Delete global step"
        )
        self.add_global.clicked.connect(lambda: self._add("global"))
        self.delete_global.clicked.connect(self._delete_step)
        self.steps.setMinimumHeight(120)
        main_steps = QVBoxLayout()
        start_row = QHBoxLayout()
        start_row.addWidget(QLabel("The call starts at"))
        start_row.addWidget(self.start, 1)
        main_steps.addLayout(start_row)
        main_steps.addWidget(self.steps, 1)
        main_steps.addLayout(steps_row)
        global_steps = QVBoxLayout()
        global_steps.addWidget(QLabel("Global steps (fire from any step)"))
        global_steps.addWidget(self.globals, 1)
        global_steps.addLayout(global_row)
        lists = QHBoxLayout()
        lists.addLayout(main_steps, 3)
        lists.addLayout(global_steps, 2)

        # -- the selected step -------------------------------------------------------------------
        self.step_id = QLineEdit()
        self.step_id.editingFinished.connect(self._rename)
        self.say = VariableLineEdit()
        self.say.textEdited.connect(lambda text: self._write_step("say", text))
        self.trigger = ConditionEditor(GLOBAL_TRIGGERS)
        self.trigger.edited.connect(lambda when: self._write_step("when", when))
        self.trigger_label = QLabel("Fires when")
        self.fields = QListWidget()
        self.fields.setMaximumHeight(70)
        self.fields.currentRowChanged.connect(lambda _row: self._show_field())
        fields_row, (self.add_field, self.delete_field) = _buttons("Add field", "Delete field")
        self.add_field.clicked.connect(self._add_field)
        self.delete_field.clicked.connect(self._delete_field)
        self.field_name = QLineEdit()
        self.field_name.textEdited.connect(lambda text: self._write_field("name", text))
        self.field_type = QComboBox()
        self.field_type.addItems(FIELD_TYPES)
        self.field_type.currentTextChanged.connect(lambda t: self._write_field("type", t))
        self.field_choices = QLineEdit()
        self.field_choices.setPlaceholderText("choices, separated by commas")
        self.field_choices.textEdited.connect(
            lambda text: self._write_field(
                "choices", [c.strip() for c in text.split(",") if c.strip()]
            )
        )
        field_form = QHBoxLayout()
        for widget in (self.field_name, self.field_type, self.field_choices):
            field_form.addWidget(widget)

        self.transitions = QListWidget()
        self.transitions.setMaximumHeight(90)
        self.transitions.currentRowChanged.connect(lambda _row: self._show_transition())
        moves, buttons = _buttons("Add transition", "Up", "Down", "Delete")
        self.add_transition, self.transition_up, self.transition_down = buttons[:3]
        self.delete_transition = buttons[3]
        self.add_transition.clicked.connect(self._add_transition)
        self.transition_up.clicked.connect(lambda: self._move_transition(-1))
        self.transition_down.clicked.connect(lambda: self._move_transition(1))
        self.delete_transition.clicked.connect(self._delete_transition)
        self.condition = ConditionEditor()
        self.condition.edited.connect(lambda when: self._write_transition("when", when))
        self.target = QComboBox()
        self.target.currentTextChanged.connect(lambda to: self._write_transition("to", to))
        transition_form = QHBoxLayout()
        transition_form.addWidget(self.condition, 1)
        self.arrow = QLabel("→")
        transition_form.addWidget(self.arrow)
        transition_form.addWidget(self.target)

        self.end = QCheckBox("The call ends after this step's line")
        self.end.toggled.connect(lambda on: self._write_step("end", on))
        self.tool = QComboBox()
        self.tool.currentIndexChanged.connect(
            lambda _i: self._write_step("tool", self.tool.currentData())
        )
        self.disposition = QLineEdit()
        self.disposition.textEdited.connect(lambda t: self._write_step("disposition", t or None))
        self.step_problems = problem_label()

        details = QGroupBox("Step")
        form = QFormLayout(details)
        form.addRow("Name", self.step_id)
        form.addRow(self.step_problems)
        form.addRow(self.trigger_label, self.trigger)
        form.addRow("The agent says", self.say)
        form.addRow("It collects", self.fields)
        form.addRow("", fields_row)
        form.addRow("", field_form)
        form.addRow("Then", self.transitions)
        form.addRow("", moves)
        form.addRow("", transition_form)
        form.addRow("", self.end)
        form.addRow("Uses the tool", self.tool)
        form.addRow("Disposition", self.disposition)
        self.details = details

        layout = QVBoxLayout(self)
        layout.addLayout(lists)
        layout.addWidget(details, 1)
        controller.draft_changed.connect(self.show_draft)

    # -- the selection ------------------------------------------------------------------------------
    def _group(self, data: dict[str, Any] | None = None, group: str | None = None) -> list:
        data = data if data is not None else self.controller.data
        return data["flow"].setdefault(group or self.group, []) if data else []

    def _step(self, data: dict[str, Any] | None = None) -> dict[str, Any] | None:
        steps = self._group(data)
        return steps[self.index] if 0 <= self.index < len(steps) else None

    def _select(self, group: str, row: int) -> None:
        if self._filling or row < 0:
            return
        self.group, self.index = group, row
        other = self.globals if group == "steps" else self.steps
        self._filling = True
        other.setCurrentRow(-1)
        self._filling = False
        self.show_draft()

    def select_step(self, step_id: str) -> None:
        for group, widget in (("steps", self.steps), ("global", self.globals)):
            ids = [s["id"] for s in self._group(group=group)]
            if step_id in ids:
                widget.setCurrentRow(ids.index(step_id))
                return

    # -- writing ---------------------------------------------------------------------------------------
    def _write(self, change) -> None:
        if not self._filling:
            self.controller.edit(change)

    def _write_step(self, key: str, value: Any) -> None:
        def change(data: dict[str, Any]) -> None:
            step = self._step(data)
            if step is not None:
                step[key] = value

        self._write(change)

    def _rename(self) -> None:
        step = self._step()
        new = self.step_id.text().strip()
        if step is not None and new and new != step["id"]:
            self.controller.rename_step(step["id"], new)

    def _add(self, group: str) -> None:
        existing = {s["id"] for s in _all_steps(self.controller.data)}
        step_id = _new_id(existing, "global" if group == "global" else "step")
        step: dict[str, Any] = {"id": step_id, "say": "", "end": group == "steps"}
        if group == "global":
            step["when"] = {"keywords": ["operator"]}

        def change(data: dict[str, Any]) -> None:
            self._group(data, group).append(step)

        self.controller.edit(change)
        self.select_step(step_id)
        self.say.setFocus()

    def _move_step(self, offset: int) -> None:
        target = self.index + offset
        steps = self._group()
        if self.group != "steps" or not (0 <= target < len(steps)):
            return

        def change(data: dict[str, Any]) -> None:
            group = self._group(data)
            group[self.index], group[target] = group[target], group[self.index]

        self.controller.edit(change)
        self.steps.setCurrentRow(target)

    def _delete_step(self) -> None:
        if self._step() is None:
            return

        def change(data: dict[str, Any]) -> None:
            del self._group(data)[self.index]

        self.controller.edit(change)
        self.index = max(0, self.index - 1)
        self.show_draft()

    def _field_index(self) -> int:
        return self.fields.currentRow()

    def _write_field(self, key: str, value: Any) -> None:
        row = self._field_index()

        def change(data: dict[str, Any]) -> None:
            step = self._step(data)
            if step is not None and 0 <= row < len(step.get("collect", [])):
                step["collect"][row][key] = value

        self._write(change)

    def _add_field(self) -> None:
        step = self._step()
        if step is None:
            return
        names = {f["name"] for f in step.get("collect", [])}
        name = _new_id(names, "answer")
        self._write_step("collect", [*step.get("collect", []), {"name": name, "type": "text"}])
        self.fields.setCurrentRow(len(names))
        self.field_name.setFocus()

    def _delete_field(self) -> None:
        step, row = self._step(), self._field_index()
        if step is not None and 0 <= row < len(step.get("collect", [])):
            self._write_step("collect", [f for i, f in enumerate(step["collect"]) if i != row])

    def _write_transition(self, key: str, value: Any) -> None:
        row = self.transitions.currentRow()

        def change(data: dict[str, Any]) -> None:
            step = self._step(data)
            if step is not None and 0 <= row < len(step.get("next", [])):
                step["next"][row][key] = value

        self._write(change)

    def _add_transition(self) -> None:
        step = self._step()
        if step is None:
            return
        target = self.controller.data["flow"]["start"]
        self._write_step("next", [*step.get("next", []), {"when": None, "to": target}])
        self.transitions.setCurrentRow(len(step.get("next", [])))

    def _move_transition(self, offset: int) -> None:
        step, row = self._step(), self.transitions.currentRow()
        moves = list(step.get("next", [])) if step else []
        if not (0 <= row < len(moves) and 0 <= row + offset < len(moves)):
            return
        moves[row], moves[row + offset] = moves[row + offset], moves[row]
        self._write_step("next", moves)
        self.transitions.setCurrentRow(row + offset)

    def _delete_transition(self) -> None:
        step, row = self._step(), self.transitions.currentRow()
        if step is not None and 0 <= row < len(step.get("next", [])):
            self._write_step("next", [t for i, t in enumerate(step["next"]) if i != row])

    # -- from the draft ---------------------------------------------------------------------------------
    def _fill(self, data: dict[str, Any]) -> None:
        flow = data["flow"]
        problems_of: dict[str, list[str]] = {}
        for problem in self.controller.problems:
            if problem.step is not None:
                problems_of.setdefault(problem.step, []).append(problem.message)
        ids = [s["id"] for s in _all_steps(data)]
        for widget, group in ((self.steps, flow["steps"]), (self.globals, flow.get("global", []))):
            _fill_list(
                widget,
                [
                    (PROBLEM_MARK if s["id"] in problems_of else "") + s["id"] + _summary(s)
                    for s in group
                ],
            )
        self.start.clear()
        self.start.addItems([s["id"] for s in flow["steps"]])
        self.start.setCurrentText(flow["start"])
        if self.index >= len(self._group(data)):
            self.group, self.index = "steps", max(0, len(flow["steps"]) - 1)
        (self.steps if self.group == "steps" else self.globals).setCurrentRow(self.index)
        step = self._step(data)
        self.details.setEnabled(step is not None)
        if step is None:
            return
        is_global = self.group == "global"
        if not self.step_id.hasFocus():
            self.step_id.setText(step["id"])
        if not self.say.hasFocus():
            self.say.setText(step.get("say", ""))
        self.say.set_variables(self.controller.variable_names())
        self.trigger.setVisible(is_global)
        self.trigger_label.setVisible(is_global)
        if is_global:
            self.trigger.show_condition(step.get("when"), [])
        fields = step.get("collect", [])
        field_row = self.fields.currentRow()
        _fill_list(self.fields, [f"{f['name']} ({f.get('type', 'text')})" for f in fields])
        self.fields.setCurrentRow(min(max(field_row, 0), len(fields) - 1))
        self._show_field()
        moves = step.get("next", [])
        row = self.transitions.currentRow()
        _fill_list(self.transitions, [_sentence(t) for t in moves])
        self.transitions.setCurrentRow(min(max(row, 0), len(moves) - 1))
        self.target.clear()
        self.target.addItems(ids)
        self._show_transition()
        self.end.setChecked(bool(step.get("end")))
        self.tool.clear()
        self.tool.addItem("(none)", None)
        for tool in data.get("tools", []):
            self.tool.addItem(tool.get("name") or tool["type"], tool.get("name") or tool["type"])
        self.tool.setCurrentIndex(max(self.tool.findData(step.get("tool")), 0))
        if not self.disposition.hasFocus():
            self.disposition.setText(step.get("disposition") or "")
        mine = problems_of.get(step["id"], [])
        self.step_problems.setText("\n".join(PROBLEM_MARK + m for m in mine))
        self.step_problems.setVisible(bool(mine))

    def _show_field(self) -> None:
        step, row = self._step(), self.fields.currentRow()
        fields = step.get("collect", []) if step else []
        spec = fields[row] if 0 <= row < len(fields) else None
        for widget in (self.field_name, self.field_type, self.field_choices):
            widget.setVisible(spec is not None)  # nothing stale shown for no field
        if spec is None:
            return
        filling, self._filling = self._filling, True
        if not self.field_name.hasFocus():
            self.field_name.setText(spec["name"])
        self.field_type.setCurrentText(spec.get("type", "text"))
        if not self.field_choices.hasFocus():
            self.field_choices.setText(", ".join(spec.get("choices") or []))
        self.field_choices.setVisible(spec.get("type") == "choice")
        self._filling = filling

    def _show_transition(self) -> None:
        step, row = self._step(), self.transitions.currentRow()
        moves = step.get("next", []) if step else []
        move = moves[row] if 0 <= row < len(moves) else None
        self.condition.setVisible(move is not None)
        self.target.setVisible(move is not None)
        self.arrow.setVisible(move is not None)
        if move is None:
            return
        filling, self._filling = self._filling, True
        fields = sorted(
            {f["name"] for s in _all_steps(self.controller.data) for f in s.get("collect", [])}
        )
        self.condition.show_condition(move.get("when"), fields)
        self.target.setCurrentText(move.get("to", ""))
        self._filling = filling


def _all_steps(data: dict[str, Any] | None) -> list[dict[str, Any]]:
    flow = data["flow"] if data else {}
    return [*flow.get("steps", []), *flow.get("global", [])]


def _summary(step: dict[str, Any]) -> str:
    say = step.get("say") or ""
    return f" — {say[:40]}…" if len(say) > 40 else (f" — {say}" if say else "")


def _fill_list(widget: QListWidget, texts: list[str]) -> None:
    """Set the items' texts, keeping the items (and so the selection) where the count holds."""
    widget.blockSignals(True)
    while widget.count() > len(texts):
        widget.takeItem(widget.count() - 1)
    for i, text in enumerate(texts):
        if i < widget.count():
            widget.item(i).setText(text)
        else:
            widget.addItem(QListWidgetItem(text))
    widget.blockSignals(False)
