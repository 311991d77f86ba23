"""The "Preview" side pane: what the agent says first, with a sample callee's variables."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.agents.definition import AgentDefinition
from app.agents.variables import sample_variables
from app.domain.template import render


class PreviewPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.first_words = QLabel()
        self.first_words.setWordWrap(True)
        self.first_words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.voicemail = QLabel()
        self.voicemail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.first_words)
        layout.addWidget(self.voicemail)
        layout.addStretch(1)
        self.show_agent(None, None)

    def show_agent(self, agent_id: int | None, definition: AgentDefinition | None) -> None:
        if definition is None:
            self.heading.setText("Pick an agent to hear what it says first.")
            self.first_words.setText("")
            self.voicemail.setText("")
            return
        values = sample_variables(definition)
        self.heading.setText(f"Calling {values['first_name']}, the agent says first:")
        greeting = render(definition.opening.greeting, values)
        start = next((s for s in definition.flow.steps if s.id == definition.flow.start), None)
        line = render(start.say, values) if start is not None else ""
        self.first_words.setText(f"“{f'{greeting} {line}'.strip()}”")
        if definition.voicemail.action == "leave_message":
            message = render(definition.voicemail.message, values)
            self.voicemail.setText(f"On voicemail: “{message}”")
        else:
            self.voicemail.setText("On voicemail: hangs up without a message.")
