"""The Agents page's Knowledge pane: the documents the agent answers from, and a search box
that shows what it would retrieve for a question, with scores, before any call."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.agents import knowledge_edits
from app.agents.definition import AgentDefinition
from app.agents.knowledge import KnowledgeIndex
from app.agents.knowledge_edits import DocumentRead
from app.ui.drop_zone import DropTarget
from app.ui.operations import Operation, run_op
from app.ui.simple_table import SimpleTableModel
from app.ui.tables import row_table

DOCUMENT_FILTER = "Documents (*.md *.txt *.pdf *.docx *.html *.htm);;All files (*)"
SNIPPET_CHARS = 160


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


class KnowledgePane(QWidget):
    """Signals:
    definition_edited(object): the AgentDefinition with documents added or removed (a draft edit).
    """

    definition_edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agent_id: int | None = None
        self.definition: AgentDefinition | None = None
        self._index: KnowledgeIndex | None = None
        self._reading: Operation | None = None

        self.hint = QLabel(
            "Drop documents here (.md .txt .pdf .docx .html): the agent answers callers' "
            "questions from them."
        )
        self.hint.setWordWrap(True)
        self.sources = SimpleTableModel(
            [
                (
                    "Document",
                    lambda s: s.name if s.document else f"{s.name} {knowledge_edits.TYPED}",
                ),
                ("Passages", lambda s: s.passages),
            ],
            self,
        )
        self.table = row_table(self.sources)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.drop_target = DropTarget(self.table.viewport())
        self.drop_target.dropped.connect(lambda paths, _text, _at: self.add_documents(paths))
        DropTarget(self).dropped.connect(lambda paths, _text, _at: self.add_documents(paths))

        self.add_button = QPushButton("Add documents…")
        self.add_button.clicked.connect(self.choose_documents)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.question = QLineEdit(
            placeholderText="Ask what a caller might ask, e.g. where can I park?"
        )
        self.question.setClearButtonEnabled(True)
        self.question.textChanged.connect(self.search)
        self.hits = SimpleTableModel(
            [
                ("Score", lambda h: f"{h.score:.2f}"),
                ("Passage", lambda h: f"{h.passage.heading}: {_snippet(h.passage.text)}"),
                ("Document", lambda h: h.passage.document),
            ],
            self,
        )
        self.hits_table = QTableView()
        self.hits_table.setModel(self.hits)
        self.hits_table.setWordWrap(True)
        self.hits_table.verticalHeader().hide()
        header = self.hits_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.search_note = QLabel()
        self.search_note.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("<b>What would the agent retrieve?</b>"))
        layout.addWidget(self.question)
        layout.addWidget(self.hits_table, 3)
        layout.addWidget(self.search_note)
        self.show_agent(None, None)

    # -- the mount point ---------------------------------------------------------------------
    def show_agent(self, agent_id: int | None, definition: AgentDefinition | None) -> None:
        if agent_id != self.agent_id:
            self.message.clear()
        self.agent_id = agent_id
        self.definition = definition
        self._index = None
        self.sources.set_rows(knowledge_edits.sources(definition))
        self.setEnabled(definition is not None)
        self._update_buttons()
        self.search(self.question.text())

    # -- documents ---------------------------------------------------------------------------
    def choose_documents(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add documents", "", DOCUMENT_FILTER)
        if paths:
            self.add_documents([Path(p) for p in paths])

    def add_documents(self, paths: list[Path]) -> None:
        """Read the files off the GUI thread; the readable ones go into the draft."""
        if self.definition is None or not paths or self._reading is not None:
            return
        self.progress.setRange(0, len(paths))
        self.progress.setValue(0)
        self.progress.setFormat(f"Indexing %v of {len(paths)} document(s)…")
        self.progress.show()
        self.message.clear()
        self.add_button.setEnabled(False)
        self._reading = run_op(
            self,
            lambda progress, _cancel: knowledge_edits.read_documents(paths, progress),
            kind="thread",
            on_success=self._documents_read,
            on_error=self._read_failed,
        )
        self._reading.progressed.connect(lambda done, _total: self.progress.setValue(done))
        self._reading.ended.connect(self._reading_ended)

    def _documents_read(self, reads: list[DocumentRead]) -> None:
        added = [r for r in reads if r.error is None]
        lines = [f"Added {r.name}: {len(r.passages)} passage(s)." for r in added]
        self.message.setText("\n".join([*lines, *(r.error for r in reads if r.error)]))
        if added and self.definition is not None:
            self._edited(knowledge_edits.with_documents(self.definition, added))

    def _read_failed(self, message: str) -> None:
        self.message.setText(message)

    def _reading_ended(self) -> None:
        self._reading = None
        self.progress.hide()
        self._update_buttons()

    def remove_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.definition is None:
            return
        source = self.sources.row(rows[0].row())
        self.message.setText(f"Removed {source.name}.")
        self._edited(knowledge_edits.without_source(self.definition, source))

    def _edited(self, definition: AgentDefinition) -> None:
        self.show_agent(self.agent_id, definition)
        self.definition_edited.emit(definition)

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self.definition is not None and self._reading is None)
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    # -- retrieval ---------------------------------------------------------------------------
    def search(self, question: str) -> None:
        question = question.strip()
        if not question or self.definition is None:
            self.hits.set_rows([])
            self.search_note.setText("")
            return
        if self._index is None:
            self._index = knowledge_edits.knowledge_index(self.definition)
        hits = self._index.search(question, limit=5)
        self.hits.set_rows(hits)
        self.hits_table.resizeRowsToContents()
        if hits:
            self.search_note.setText(
                "The agent answers from the first passage; a score is the share of the "
                "question the passage covers."
            )
        elif not len(self._index):
            self.search_note.setText("The agent has no knowledge yet: add a document.")
        else:
            self.search_note.setText(
                "No passage covers enough of this question: the agent would say it does "
                "not have that information."
            )
