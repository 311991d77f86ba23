"""The Agents page's Try it pane: a chat with the agent (the phone's runtime) where the
supervisor types as the callee, or lets an emulator persona play, and watches the step,
the captured fields, the retrieved passages and the tool calls after every turn."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.agents.definition import AgentDefinition
from app.agents.scenarios import persona_lines
from app.agents.try_it import TryItEvent, TryItSession
from app.domain.template import contact_variables
from app.store.agent_contacts import ContactChoice, campaigns_using, contact_choices
from app.telephony.emulator.personas import PERSONA_NAMES
from app.ui.context import AppContext
from app.ui.operations import run_op

PREFIX = {
    "agent": "Agent: ",
    "callee": "You: ",
    "tool": "· ",
    "passage": "· Retrieved ",
    "dnc": "· ",
    "end": "— ",
}


class TryItPane(QWidget):
    """Emits nothing: trying an agent changes neither it nor any record."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.agent_id: int | None = None
        self.definition: AgentDefinition | None = None
        self.session: TryItSession | None = None
        self.variables: dict[str, object] = {}
        self._busy = False
        self._script: list[str] = []  # a persona's lines still to say

        self.campaign = QComboBox()
        self.campaign.currentIndexChanged.connect(self._campaign_picked)
        self.contact = QComboBox()
        self.contact.currentIndexChanged.connect(self._contact_picked)
        self.persona = QComboBox()
        self.persona.addItems(PERSONA_NAMES)
        self.play_button = QPushButton("Play persona")
        self.play_button.clicked.connect(self.play_persona)
        self.reset_button = QPushButton("Reset")
        self.reset_button.clicked.connect(self.reset)

        self.chat = QListWidget()
        self.chat.setWordWrap(True)
        self.chat.setAlternatingRowColors(False)
        self.chat.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.line = QLineEdit(placeholderText="Type what the callee says (#dtmf 1 presses a key)")
        self.line.returnPressed.connect(self.send_typed)
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self.send_typed)

        self.step = QLabel("—")
        self.fields = QLabel("—")
        self.tools = QLabel("—")
        self.outcome = QLabel("—")
        self.opt_out = QLabel()
        self.opt_out.setWordWrap(True)
        self.opt_out.setStyleSheet("font-weight: bold;")
        for label in (self.step, self.fields, self.tools, self.outcome):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passages = QListWidget()
        self.passages.setWordWrap(True)

        contact_row = QFormLayout()
        contact_row.addRow("Campaign", self.campaign)
        contact_row.addRow("Contact", self.contact)
        persona_row = QHBoxLayout()
        persona_row.addWidget(self.persona, 1)
        persona_row.addWidget(self.play_button)
        persona_row.addWidget(self.reset_button)
        contact_row.addRow("Persona", persona_row)
        typing = QHBoxLayout()
        typing.addWidget(self.line, 1)
        typing.addWidget(self.send_button)
        chat_side = QWidget()
        chat_layout = QVBoxLayout(chat_side)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.addWidget(self.chat, 1)
        chat_layout.addLayout(typing)
        state = QFormLayout()
        state.addRow("Step", self.step)
        state.addRow("Fields", self.fields)
        state.addRow("Tools called", self.tools)
        state.addRow("Outcome", self.outcome)
        state_side = QWidget()
        state_layout = QVBoxLayout(state_side)
        state_layout.setContentsMargins(0, 0, 0, 0)
        state_layout.addLayout(state)
        state_layout.addWidget(self.opt_out)
        state_layout.addWidget(QLabel("Retrieved passages"))
        state_layout.addWidget(self.passages, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(chat_side)
        splitter.addWidget(state_side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(contact_row)
        layout.addWidget(splitter, 1)
        self._fill_campaigns()

    # -- the mount point ---------------------------------------------------------------------
    def show_agent(self, agent_id: int | None, definition: AgentDefinition | None) -> None:
        """A new agent or draft starts a new conversation (the old one tried another agent)."""
        self.definition = definition
        self.setEnabled(definition is not None)
        if agent_id != self.agent_id:
            self.agent_id = agent_id
            self._fill_campaigns()  # picks the first contact, which resets
        else:
            self.reset()

    # -- the contact's variables -------------------------------------------------------------
    def _fill_campaigns(self) -> None:
        campaigns: list[tuple[int, str]] = []
        if self.agent_id is not None:
            with self.context.store.session() as session:
                campaigns = campaigns_using(session, self.agent_id)
        self.campaign.blockSignals(True)
        self.campaign.clear()
        self.campaign.addItem("No campaign (the agent's fallbacks)", None)
        for campaign_id, name in campaigns:
            self.campaign.addItem(name, campaign_id)
        self.campaign.blockSignals(False)
        self._campaign_picked()

    def _campaign_picked(self, _index: int = 0) -> None:
        campaign_id = self.campaign.currentData()
        choices: list[ContactChoice] = []
        if campaign_id is not None:
            with self.context.store.session() as session:
                choices = contact_choices(session, campaign_id)
        self.contact.blockSignals(True)
        self.contact.clear()
        if not choices:
            self.contact.addItem("—", None)
        for choice in choices:
            self.contact.addItem(choice.label, choice)
        self.contact.setEnabled(bool(choices))
        self.contact.blockSignals(False)
        self._contact_picked()

    def _contact_picked(self, _index: int = 0) -> None:
        choice: ContactChoice | None = self.contact.currentData()
        self.variables = contact_variables(choice.name, choice.fields) if choice else {}
        self.reset()

    # -- the conversation --------------------------------------------------------------------
    def reset(self) -> None:
        """Start over: a new conversation with the chosen contact's variables."""
        self._script.clear()
        if self.session is not None:
            self.session.close()
        self.session = None
        self._busy = False  # a turn still running belongs to the old session: ignored
        self.chat.clear()
        self.passages.clear()
        if self.definition is not None:
            session = self.session = TryItSession(self.definition, self.variables)
            self._set_busy(True)
            run_op(  # on a worker thread like every turn: the GUI thread's loop is qasync's
                self,
                lambda _progress, _cancel: session.start(),
                kind="thread",
                on_success=lambda events: self._greeted(session, events),
                on_error=lambda message: self._failed(session, message),
            )
        self._show_state()

    def _greeted(self, session: TryItSession, events: list[TryItEvent]) -> None:
        if session is not self.session:
            return  # a reset came in between
        self._set_busy(False)
        self._add(events)
        if not self.chat.count():
            self._note("The agent waits for the callee to speak first: say hello.")
        self._show_state()
        self._next_scripted()

    def send_typed(self) -> None:
        text = self.line.text().strip()
        if text and self.send(text):
            self.line.clear()

    def send(self, text: str) -> bool:
        """Say *text* as the callee (on a worker thread: a webhook tool does real I/O)."""
        session = self.session
        if session is None or self._busy or session.ended:
            return False
        self._set_busy(True)
        run_op(
            self,
            lambda _progress, _cancel: session.send(text),
            kind="thread",
            on_success=lambda events: self._answered(session, events),
            on_error=lambda message: self._failed(session, message),
        )
        return True

    def play_persona(self) -> None:
        """Reset, then let the chosen persona say its lines one turn at a time."""
        self.reset()
        if self.session is not None:  # its lines start once the agent has answered
            self._script = persona_lines(self.persona.currentText())

    def _next_scripted(self) -> None:
        if self._script and self.session is not None and not self.session.ended:
            self.send(self._script.pop(0))
        else:
            self._script.clear()

    def _answered(self, session: TryItSession, events: list[TryItEvent]) -> None:
        if session is not self.session:
            return  # a reset came in between
        self._set_busy(False)
        self._add(events)
        self._show_state()
        self._next_scripted()

    def _failed(self, session: TryItSession, message: str) -> None:
        if session is self.session:
            self._set_busy(False)
            self._script.clear()
            self._note(message)

    # -- showing it --------------------------------------------------------------------------
    def _add(self, events: list[TryItEvent]) -> None:
        palette = self.palette()
        for event in events:
            item = QListWidgetItem(PREFIX.get(event.kind, "") + event.text)
            item.setData(Qt.ItemDataRole.UserRole, event.kind)
            if event.kind == "callee":
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight)
            elif event.kind in ("tool", "passage", "end"):
                item.setForeground(palette.color(QPalette.ColorRole.PlaceholderText))
            elif event.kind == "dnc":
                item.setForeground(palette.color(QPalette.ColorRole.Link))
            self.chat.addItem(item)
            if event.kind == "passage":
                self.passages.addItem(event.text)
        self.chat.scrollToBottom()

    def _note(self, text: str) -> None:
        self._add([TryItEvent("end", text)])

    def _show_state(self) -> None:
        if self.session is None:
            for label in (self.step, self.fields, self.tools, self.outcome):
                label.setText("—")
            self.opt_out.clear()
            self._set_busy(False)
            return
        state = self.session.state()
        self.step.setText(state.step)
        self.fields.setText(
            ", ".join(f"{name} = {value}" for name, value in state.fields.items()) or "—"
        )
        self.tools.setText(", ".join(state.tools_called) or "—")
        self.outcome.setText(state.outcome or "in progress")
        self.opt_out.setText(
            f'Opt-out recorded: "{state.opted_out}" (on a real call the number goes on the '
            "do-not-call list)"
            if state.opted_out
            else ""
        )
        self._set_busy(self._busy)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        open_ = self.session is not None and not self.session.ended and not busy
        self.line.setEnabled(open_)
        self.send_button.setEnabled(open_)
