"""The Agents page's Scenarios pane: the agent's tests (saved with it, table agent_scenarios),
add/edit/delete, and "Run all" with pass/fail per scenario and the transcript of a failure."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.agents import scenario_library
from app.agents.definition import AgentDefinition
from app.agents.scenario_library import StoredScenario
from app.agents.scenarios import Scenario, ScenarioError
from app.agents.suite import ScenarioRun, SuiteResult, run_suite
from app.ui.agents.scenario_dialog import ScenarioDialog
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.operations import in_transaction, run_op
from app.ui.simple_table import SimpleTableModel
from app.ui.tables import row_table


def callee_text(scenario: Scenario) -> str:
    if scenario.lines:
        return " / ".join(scenario.lines)
    return f"persona {scenario.persona}"


def expectation_text(scenario: Scenario) -> str:
    expect = scenario.expect
    parts = [f"outcome {expect.outcome}"] if expect.outcome else []
    parts += [
        f"{k} = {v if isinstance(v, str) else json.dumps(v)}" for k, v in expect.fields.items()
    ]
    parts += [f"reaches {s}" for s in expect.steps]
    parts += [f"calls {t}" for t in expect.tools]
    if expect.dnc is not None:
        parts.append("opts out" if expect.dnc else "does not opt out")
    return ", ".join(parts) or "(nothing checked)"


def run_report(run: ScenarioRun) -> str:
    """What the pane shows for a run: why it failed, then the whole conversation."""
    head = "Passed." if run.passed else "Failed:\n" + "\n".join(f"• {p}" for p in run.problems)
    return f"{head}\n\nOutcome: {run.result.outcome}\n\n{run.transcript()}"


class ScenariosPane(QWidget):
    """Emits nothing: scenarios are saved at once, apart from the agent's draft."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.agent_id: int | None = None
        self.definition: AgentDefinition | None = None
        self.runs: dict[str, ScenarioRun] = {}  # by scenario name, from the last Run all
        self._running = False

        self.model = SimpleTableModel(
            [
                ("Result", self._result_text),
                ("Scenario", lambda s: s.scenario.name),
                ("The callee", lambda s: callee_text(s.scenario)),
                ("Expected", lambda s: expectation_text(s.scenario)),
            ],
            self,
        )
        self.table = row_table(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())

        self.add_button = QPushButton("Add…")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        self.run_button = QPushButton("Run all")
        self.run_button.clicked.connect(self.run_all)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setPlaceholderText(
            "Run the scenarios, then select one to see its conversation."
        )

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.show_agent(None, None)

    # -- the mount point ---------------------------------------------------------------------
    def show_agent(self, agent_id: int | None, definition: AgentDefinition | None) -> None:
        if agent_id != self.agent_id or definition != self.definition:
            self.runs.clear()  # a run of another agent, or of an older draft
            self.summary.clear()
        self.agent_id = agent_id
        self.definition = definition
        self.reload()

    def reload(self) -> None:
        rows: list[StoredScenario] = []
        if self.agent_id is not None:
            with self.context.store.session() as session:
                rows = scenario_library.list_scenarios(session, self.agent_id)
        self.model.set_rows(rows)
        if self.agent_id is None:
            self.summary.setText("Save the agent to give it scenarios.")
        self._update_buttons()
        self._show_selected()

    def scenarios(self) -> list[Scenario]:
        return [row.scenario for row in self.model.rows()]

    # -- editing -----------------------------------------------------------------------------
    def add(self) -> None:
        self.open_editor(None)

    def edit_selected(self) -> None:
        row = self._selected()
        if row is not None:
            self.open_editor(row)

    def open_editor(self, row: StoredScenario | None) -> ScenarioDialog | None:
        if self.agent_id is None:
            return None
        agent_id, scenario_id = self.agent_id, row.id if row else None

        def save(scenario: Scenario) -> str | None:
            try:
                with self.context.store.session.begin() as session:
                    scenario_library.save_scenario(session, agent_id, scenario, scenario_id)
            except ScenarioError as exc:
                return str(exc)
            self.reload()
            return None

        dialog = ScenarioDialog(row.scenario if row else None, save, self)
        dialog.open()
        return dialog

    def delete_selected(self) -> None:
        row = self._selected()
        if row is None:
            return
        confirm(
            self,
            "Delete scenario",
            f"Delete the scenario {row.scenario.name!r}? It is not kept anywhere else.",
            lambda: self._delete(row.id),
        )

    def _delete(self, scenario_id: int) -> None:
        run_op(
            self,
            in_transaction(
                self.context.store, lambda s: scenario_library.delete_scenario(s, scenario_id)
            ),
            kind="now",
            on_success=lambda _none: self.reload(),
        )

    # -- running -----------------------------------------------------------------------------
    def run_after_publish(self, version: int) -> None:
        """Publishing runs the suite on the new version: a failure shows before any campaign
        is moved to it (campaigns keep their version until moved)."""
        self.run_all()
        if self._running:
            self.summary.setText(f"Version {version} published: running its scenarios…")

    def run_all(self) -> None:
        """Every scenario through the phone's runtime, on a worker thread."""
        definition, scenarios = self.definition, self.scenarios()
        if definition is None or not scenarios or self._running:
            return
        self._running = True
        self._update_buttons()
        self.summary.setText(f"Running {len(scenarios)} scenario(s)…")
        op = run_op(
            self,
            lambda _progress, _cancel: run_suite(definition, scenarios),
            kind="thread",
            on_success=self._ran,
            on_error=self.summary.setText,
        )
        op.ended.connect(self._run_ended)

    def _ran(self, suite: SuiteResult) -> None:
        self.runs = {run.scenario.name: run for run in suite.runs}
        self.summary.setText(
            suite.summary()
            + ("" if suite.ok else f" — {suite.failed} failed: select one to see why.")
        )
        self.model.set_rows(self.model.rows())  # the Result column
        failed = next((i for i, r in enumerate(self.model.rows()) if not self._passed(r)), None)
        if failed is not None:
            self.table.selectRow(failed)

    def _run_ended(self) -> None:
        self._running = False
        self._update_buttons()

    # -- helpers -----------------------------------------------------------------------------
    def _passed(self, row: StoredScenario) -> bool:
        run = self.runs.get(row.scenario.name)
        return run is None or run.passed

    def _result_text(self, row: StoredScenario) -> str:
        run = self.runs.get(row.scenario.name)
        if run is None:
            return "—"
        return "✔ Pass" if run.passed else "✘ Fail"

    def _selected(self) -> StoredScenario | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _show_selected(self, *_args) -> None:
        row = self._selected()
        run = self.runs.get(row.scenario.name) if row else None
        self.detail.setPlainText(run_report(run) if run else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_agent = self.agent_id is not None and self.definition is not None
        selected = self._selected() is not None
        self.add_button.setEnabled(has_agent)
        self.edit_button.setEnabled(selected)
        self.delete_button.setEnabled(selected)
        self.run_button.setEnabled(has_agent and self.model.rowCount() > 0 and not self._running)
