"""Agents: the voice agents that talk to each callee, grounded in business info and a KB."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

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
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.store.models import Agent, Campaign
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.simple_table import SimpleTableModel


@dataclass
class AgentRow:
    id: int | None
    name: str
    greeting: str = ""
    business_info: str = ""
    knowledge_base: str = ""
    tools: list[str] = field(default_factory=list)
    flow: dict[str, Any] = field(default_factory=dict)
    campaigns: int = 0


class AgentsPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model: SimpleTableModel[AgentRow] = SimpleTableModel(
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
        self._current: AgentRow | None = None
        self.refresh()

    def main_action(self):
        return "New agent", self.new_agent

    def on_shown(self) -> None:
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        with self.context.store.session() as session:
            used = dict(
                session.execute(
                    select(Campaign.agent_id, func.count()).group_by(Campaign.agent_id)
                ).all()
            )
            rows = [
                AgentRow(
                    a.id,
                    a.name,
                    a.greeting,
                    a.business_info,
                    a.knowledge_base,
                    list(a.tools) if isinstance(a.tools, list) else [],
                    dict(a.flow) if isinstance(a.flow, dict) else {},
                    used.get(a.id, 0),
                )
                for a in session.scalars(select(Agent).order_by(Agent.name))
            ]
        self.model.set_rows(rows)
        target = next((i for i, r in enumerate(rows) if r.id == select_id), 0 if rows else None)
        if target is not None:
            self.table.selectRow(target)
        else:
            self.new_agent()

    def _show_selected(self, current, _previous) -> None:
        if current.isValid():
            self._fill(self.model.row(current.row()))

    def _fill(self, row: AgentRow) -> None:
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
        self._fill(AgentRow(None, ""))
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
        tools = [t.strip() for t in self.tools.text().split(",") if t.strip()]
        try:
            with self.context.store.session.begin() as session:
                agent = (
                    session.get(Agent, self._current.id)
                    if self._current and self._current.id
                    else Agent()
                )
                agent.name = name
                agent.greeting = self.greeting.text()
                agent.business_info = self.business_info.toPlainText()
                agent.knowledge_base = self.knowledge_base.toPlainText()
                agent.tools = tools
                agent.flow = flow
                session.add(agent)
                session.flush()
                agent_id = agent.id
        except IntegrityError:
            self.message.setText(f"Another agent is already called {name!r}.")
            return
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
        with self.context.store.session.begin() as session:
            agent = session.get(Agent, agent_id)
            if agent is not None:
                session.delete(agent)
        self.refresh()
