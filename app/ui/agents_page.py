"""Agents: the voice agents that talk to each callee, grounded in business info and a KB."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.names import InvalidName
from app.store import agents as agent_store
from app.store.agents import AgentDraft, AgentNameTaken, AgentRecord
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.operations import Change, in_transaction, run_op
from app.ui.pages import MainAction
from app.ui.simple_table import SimpleTableModel


class AgentsPage(QWidget):
    title = "Agents"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model: SimpleTableModel[AgentRecord] = SimpleTableModel(
            [("Agent", lambda r: r.name), ("Campaigns", lambda r: r.campaigns)], self
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._show_selected)

        self.name = QLineEdit()
        self.greeting = QLineEdit(placeholderText="Hi {{first_name}}, this is … from {{company}}")
        self.business_info = QPlainTextEdit(placeholderText="What the business does, who calls")
        self.knowledge_base = QPlainTextEdit(
            placeholderText="Facts the agent may use: hours, prices, FAQ"
        )
        self.tools = QLineEdit(placeholderText="reschedule, cancel, transfer")
        self.flow = QPlainTextEdit(placeholderText='{"steps": ["greet", "confirm", "goodbye"]}')
        self.message = QLabel()
        self.message.setWordWrap(True)
        save = QPushButton("Save agent")
        save.clicked.connect(self.save)
        delete = QPushButton("Delete")
        delete.clicked.connect(self.delete)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Greeting", self.greeting)
        form.addRow("Business info", self.business_info)
        form.addRow("Knowledge base", self.knowledge_base)
        form.addRow("Tools", self.tools)
        form.addRow("Conversation flow (JSON)", self.flow)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(delete)
        buttons.addWidget(save)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.addLayout(form)
        editor_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(editor)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._current: AgentRecord | None = None
        self.main_action = MainAction("New agent", self.new_agent)
        context.changes.changed.connect(self._on_changed)
        self.refresh()

    # -- the main window's hooks -------------------------------------------------------------
    def attach(self, context: AppContext) -> None:
        pass  # agents need no running service

    def on_shown(self) -> None:
        self.refresh(select_id=self._current.id if self._current else None)

    def save_state(self, settings) -> None:
        pass

    def restore_state(self, settings) -> None:
        pass

    def _on_changed(self, change: Change) -> None:
        # Hidden, the page re-reads when shown; refreshing now would reset a form being typed.
        if (change.agents or change.campaigns) and self.isVisible():
            self.on_shown()

    # -- data --------------------------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        with self.context.store.session() as session:
            rows = agent_store.list_agents(session)
        self.model.set_rows(rows)
        target = next((i for i, r in enumerate(rows) if r.id == select_id), 0 if rows else None)
        if target is not None:
            self.table.selectRow(target)
        else:
            self.new_agent()

    def _show_selected(self, current, _previous) -> None:
        if current.isValid():
            self._fill(self.model.row(current.row()))

    def _fill(self, row: AgentRecord) -> None:
        self._current = row
        self.name.setText(row.name)
        self.greeting.setText(row.greeting)
        self.business_info.setPlainText(row.business_info)
        self.knowledge_base.setPlainText(row.knowledge_base)
        self.tools.setText(", ".join(row.tools))
        self.flow.setPlainText(json.dumps(row.flow, indent=2) if row.flow else "")
        self.message.setText("")

    def new_agent(self) -> None:
        self.table.clearSelection()
        self._fill(AgentRecord(id=None, name=""))
        self.name.setFocus()

    def save(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.message.setText("An agent needs a name.")
            return
        try:
            flow = json.loads(self.flow.toPlainText()) if self.flow.toPlainText().strip() else {}
        except json.JSONDecodeError as exc:
            self.message.setText(
                f"The conversation flow is not valid JSON: {exc.msg} (line {exc.lineno})."
            )
            return
        if not isinstance(flow, dict):
            self.message.setText(
                'The conversation flow must be a JSON object, like {"steps": [...]}.'
            )
            return
        draft = AgentDraft(
            id=self._current.id if self._current else None,
            name=name,
            greeting=self.greeting.text(),
            business_info=self.business_info.toPlainText(),
            knowledge_base=self.knowledge_base.toPlainText(),
            tools=[t.strip() for t in self.tools.text().split(",") if t.strip()],
            flow=flow,
        )
        from app.agents import library  # pydantic loads with the first save, not at start-up
        from app.agents.definition import DefinitionError

        def save(session) -> int:
            agent_id = agent_store.save_agent(session, draft)
            # The calls use the agent's definition: the form's name and greeting follow.
            library.follow_form_edit(session, agent_id, draft.name, draft.greeting)
            return agent_id

        run_op(
            self,
            in_transaction(self.context.store, save),
            kind="now",
            change=Change(agents=True),
            changes=self.context.changes,
            expected=(AgentNameTaken, InvalidName, DefinitionError),
            on_success=self._saved,
            on_error=self.message.setText,
        )

    def _saved(self, agent_id: int) -> None:
        self.refresh(select_id=agent_id)
        self.message.setText("Saved.")

    def delete(self) -> None:
        if not self._current or self._current.id is None:
            return
        row = self._current
        confirm(
            self,
            "Delete agent",
            f"Delete the agent {row.name!r}? {row.campaigns} campaign(s) use it and "
            "will be left without an agent.",
            lambda: self._delete(row.id),
        )

    def _delete(self, agent_id: int) -> None:
        run_op(
            self,
            in_transaction(self.context.store, lambda s: agent_store.delete_agent(s, agent_id)),
            kind="now",
            change=Change(agents=True, campaigns=True),  # its campaigns lost their agent
            changes=self.context.changes,
            on_success=lambda _none: self.refresh(),
            on_error=self.message.setText,
        )
