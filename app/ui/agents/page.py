"""The Agents page: the agents on the left, the open draft's editor in the middle, side panes
on the right (the preview, and what build_side_panes adds).

Unsaved edits are never dropped silently: switching agents, leaving the page or closing the
window with a changed draft asks Save / Discard / Cancel (`confirm_leave`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.status import CampaignState
from app.ui.agents.business_form import BusinessForm
from app.ui.agents.controller import TEMPLATES, AgentsController
from app.ui.agents.flow_editor import FlowEditor
from app.ui.agents.list_model import AgentListModel
from app.ui.agents.side_panes import build_side_panes
from app.ui.agents.tools_form import ToolsForm
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.operations import Change
from app.ui.pages import MainAction
from app.ui.tables import row_table

AGENT_FILES = "Agent files (*.json);;All files (*)"
Save = QMessageBox.StandardButton.Save
Discard = QMessageBox.StandardButton.Discard
Cancel = QMessageBox.StandardButton.Cancel


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class AgentsPage(QWidget):
    title = "Agents"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.controller = AgentsController(context, self)
        self.leave_question: QMessageBox | None = None
        self._side_panes: list[QWidget] = []

        self.model = AgentListModel(context.store, self)
        self.table = row_table(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._selecting = False  # the list's selection is being set, not chosen by the user
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)

        self.new_button = QPushButton("New agent")
        self.new_button.setToolTip("Start from a template (Ctrl+N)")
        self.templates = QMenu(self.new_button)
        for title, file_name in TEMPLATES:
            self.templates.addAction(title, lambda f=file_name: self.new_from_template(f))
        self.new_button.setMenu(self.templates)
        self.import_button = QPushButton("Import agent file…")
        self.import_button.clicked.connect(self.import_file)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.export_file)
        self.save_button = QPushButton("Save draft")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(self.controller.save_draft)
        self.publish_button = QPushButton("Publish")
        self.publish_button.setToolTip("Make the draft the version new calls use")
        self.publish_button.clicked.connect(self.controller.publish)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        for button in (self.new_button, self.import_button):
            left_layout.addWidget(button)

        self.business = BusinessForm(self.controller)
        self.flow = FlowEditor(self.controller)
        self.tools = ToolsForm(self.controller)
        self.editor = QTabWidget()
        self.editor.addTab(_scrolled(self.business), "Business && opening")
        self.editor.addTab(_scrolled(self.flow), "Flow")
        self.editor.addTab(_scrolled(self.tools), "Tools")
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actions = QHBoxLayout()
        actions.addWidget(self.state, 1)
        for button in (self.export_button, self.delete_button, self.save_button):
            actions.addWidget(button)
        actions.addWidget(self.publish_button)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.editor, 1)
        middle_layout.addWidget(self.message)
        middle_layout.addLayout(actions)

        self.side = QTabWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([210, 640, 330])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.controller.save_draft)
        self.main_action = MainAction("New agent", self.show_templates)
        for title, pane in build_side_panes(context):
            self.add_side_pane(title, pane)

        self.controller.draft_changed.connect(self._draft_changed)
        self.controller.agents_changed.connect(self._agents_changed)
        self.controller.message.connect(self.message.setText)
        context.changes.changed.connect(self._on_changed)
        self._agents_changed(0)

    # -- Ctrl+N: the window's New campaign, except here, where it is New agent -----------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.matches(
            QKeySequence.StandardKey.New
        ):
            event.accept()  # the key press comes to keyPressEvent, not to the window's action
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.New):
            self.show_templates()
        else:
            super().keyPressEvent(event)

    # -- the side panes' mount point -----------------------------------------------------------
    def add_side_pane(self, title: str, pane: QWidget) -> None:
        """Add a pane beside the editor: it is shown each agent and each edit of the draft
        (pane.show_agent(agent_id, definition)); its definition_edited(AgentDefinition), if
        it has one, edits the draft like the editor does; its run_after_publish(version), if it
        has one, runs when a new version is published (the Scenarios pane runs the suite)."""
        self._side_panes.append(pane)
        self.side.addTab(_scrolled(pane), title)
        edited = getattr(pane, "definition_edited", None)
        if edited is not None:
            edited.connect(self.controller.apply_definition)
        after_publish = getattr(pane, "run_after_publish", None)
        if after_publish is not None:
            self.controller.published.connect(after_publish)
        pane.show_agent(self.controller.agent_id, self.controller.definition)

    # -- the main window's hooks --------------------------------------------------------------
    def attach(self, context: AppContext) -> None:
        pass  # agents need no running service

    def on_shown(self) -> None:
        if not self.controller.dirty:
            self._agents_changed(self.controller.agent_id or 0)

    def save_state(self, settings) -> None:
        settings.setValue("agents/splitter", self.splitter.saveState())

    def restore_state(self, settings) -> None:
        state = settings.value("agents/splitter")
        if state is not None:
            self.splitter.restoreState(state)

    def confirm_leave(self, proceed: Callable[[], None]) -> bool:
        """True when nothing unsaved is lost by leaving now; otherwise ask Save / Discard /
        Cancel and call *proceed* after Save (when it saved) or Discard."""
        if not self.controller.dirty:
            return True
        name = (self.controller.data or {}).get("name") or "this agent"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"The draft of “{name}” has changes that are not saved.",
            Save | Discard | Cancel,
            self,
        )
        box.setInformativeText("Save them to the draft, discard them, or keep editing?")
        box.setDefaultButton(Save)

        def answered(result: int) -> None:
            self.leave_question = None
            if result == Save.value and self.controller.save_draft():
                proceed()
            elif result == Discard.value:
                self.controller.revert()
                proceed()

        box.finished.connect(answered)
        self.leave_question = box
        box.open()
        return False

    def _on_changed(self, change: Change) -> None:
        # A campaign's contacts change the {{columns}} offered; a hidden page re-reads on show.
        if (change.agents or change.campaigns) and self.isVisible() and not self.controller.dirty:
            self._agents_changed(self.controller.agent_id or 0)

    # -- the list ---------------------------------------------------------------------------------
    def _agents_changed(self, select_id: int) -> None:
        current = select_id or self.controller.agent_id
        self.model.reload()
        row = self.model.row_of(current) if current else None
        if row is None and self.model.rowCount():
            row = 0
        if row is not None:
            self._select_quietly(row)
        agent_id = self.model.agent_id(row) if row is not None else None
        if agent_id != self.controller.agent_id or not self.controller.dirty:
            self.controller.open(agent_id)

    def _row_chosen(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._selecting:
            return
        agent_id = self.model.agent_id(current.row()) if current.isValid() else None
        if agent_id == self.controller.agent_id:
            return
        if self.controller.dirty:
            # After the view has finished selecting the row it was asked to.
            back = previous.row() if previous.isValid() else -1
            QTimer.singleShot(0, lambda: self._select_quietly(back))
            self.confirm_leave(lambda: self.select_agent(agent_id))
            return
        self.controller.open(agent_id)

    def _select_quietly(self, row: int) -> None:
        """Select *row* without opening its agent (the view still repaints)."""
        self._selecting = True
        try:
            if row >= 0:
                self.table.selectRow(row)
        finally:
            self._selecting = False

    def select_agent(self, agent_id: int | None) -> None:
        row = self.model.row_of(agent_id) if agent_id is not None else None
        if row is not None:
            self.table.selectRow(row)
        if self.controller.agent_id != agent_id and not self.controller.dirty:
            self.controller.open(agent_id)

    # -- the draft -------------------------------------------------------------------------------
    def _draft_changed(self) -> None:
        controller = self.controller
        has_draft = controller.data is not None
        for button in (
            self.export_button,
            self.delete_button,
            self.save_button,
            self.publish_button,
        ):
            button.setEnabled(has_draft)
        self.editor.setEnabled(has_draft)
        if not has_draft:
            self.state.setText("No agent yet: New agent starts one from a template.")
        else:
            problems = len(controller.problems)
            parts = ["Unsaved changes" if controller.dirty else "Draft saved"]
            parts.append(f"{problems} problem(s) to fix before publishing" if problems else "")
            self.state.setText(". ".join(p for p in parts if p) + ".")
        for pane in self._side_panes:
            pane.show_agent(controller.agent_id, controller.definition)

    # -- commands ---------------------------------------------------------------------------------
    def show_templates(self) -> None:
        self.templates.popup(self.new_button.mapToGlobal(self.new_button.rect().bottomLeft()))

    def new_from_template(self, file_name: str) -> None:
        if self.confirm_leave(lambda: self.new_from_template(file_name)):
            self.select_agent(self.controller.new_from_template(file_name))

    def import_file(self, path: Path | None = None) -> None:
        if not self.confirm_leave(lambda: self.import_file(path)):
            return
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Import agent file", "", AGENT_FILES)
            if not name:
                return
            path = Path(name)
        agent_id = self.controller.import_file(path)
        if agent_id is not None:
            self.select_agent(agent_id)

    def export_file(self, path: Path | None = None) -> None:
        if path is None:
            suggested = f"{(self.controller.data or {}).get('name', 'agent')}.json"
            name, _ = QFileDialog.getSaveFileName(self, "Export agent", suggested, AGENT_FILES)
            if not name:
                return
            path = Path(name)
        self.controller.export_file(path)

    def delete(self) -> None:
        if self.controller.agent_id is None:
            return
        name = (self.controller.data or {}).get("name", "")
        uses = self.controller.campaigns()
        running = [c.name for c in uses if c.state == CampaignState.RUNNING]
        if running:
            self.message.setText(
                f"“{name}” is used by a running campaign ({', '.join(running)}): pause it first."
            )
            return
        if uses:
            names = ", ".join(f"“{c.name}”" for c in uses)
            lost = f" These campaigns use it and will be left without an agent: {names}."
        else:
            lost = " No campaign uses it."
        confirm(self, "Delete agent", f"Delete the agent “{name}”?{lost}", self.controller.delete)
