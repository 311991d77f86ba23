"""What the voice agent made of the selected call: outcome, agent and version, summary, the
callee's own words for a do-not-call, the agreed callback time, the captured fields and the
steps it went through. Hidden for calls no agent finished."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.results.agent_results import (
    AgentResult,
    field_label,
    field_text,
    moment_text,
    outcome_label,
    step_path_text,
)
from app.ui.campaigns.badges import badge_style
from app.ui.results.calls_model import clock

# Light fills (dark text on them in either palette): what asks something of the supervisor
# stands out.
OUTCOME_COLOURS = {
    "completed": "#d1e7dd",
    "transferred": "#d1e7dd",
    "callback": "#fff3cd",
    "dnc": "#f8d7da",
    "error": "#f8d7da",
}
NEUTRAL_FILL = "#e2e6ea"  # voicemail, no response, and any outcome added later
EVIDENCE_STYLE = (
    "background:#f8d7da; color:#1f2328; border:1px solid #e4a5ab; border-radius:4px; padding:6px;"
)


def _wrapping(text_format: Qt.TextFormat = Qt.TextFormat.PlainText) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(text_format)  # plain for the agent's and the callee's words
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AgentResultView(QWidget):
    """The agent's result of one call; show_result(None) hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.badge = QLabel()
        self.badge.setAccessibleName("Agent outcome")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        self.summary = _wrapping()
        self.evidence = _wrapping()
        self.evidence.setStyleSheet(EVIDENCE_STYLE)
        self.callback = _wrapping(Qt.TextFormat.RichText)
        self.fields = QFormLayout()
        self.fields.setContentsMargins(0, 0, 0, 0)
        self.fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields.setVerticalSpacing(2)
        self.steps = _wrapping()
        self.steps.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.evidence)
        layout.addWidget(self.callback)
        layout.addLayout(self.fields)
        layout.addWidget(self.steps)
        self.hide()

    def show_result(self, result: AgentResult | None) -> None:
        if result is None:
            self.hide()
            return
        agent = html.escape(result.version.label) if result.version else "an agent"
        self.title.setText(f"<b>Voice agent</b> · {agent}")
        fill = OUTCOME_COLOURS.get(result.outcome, NEUTRAL_FILL)
        self.badge.setText(outcome_label(result.outcome))
        self.badge.setStyleSheet(badge_style(fill))
        self.summary.setText(result.summary)
        self.summary.setVisible(bool(result.summary))
        self.evidence.setText(_evidence_text(result))
        self.evidence.setVisible(bool(result.dnc_evidence))
        self.callback.setText(_callback_text(result))
        self.callback.setVisible(result.callback_at is not None)
        self._show_fields(result)
        self.steps.setText(f"Steps: {step_path_text(result.step_path)}")
        self.steps.setVisible(bool(result.step_path))
        self.show()

    def _show_fields(self, result: AgentResult) -> None:
        while self.fields.rowCount():
            self.fields.removeRow(0)
        for name, value in result.fields.items():
            label = QLabel(f"{field_label(name)}:")
            label.setTextFormat(Qt.TextFormat.PlainText)
            shown = _wrapping()
            shown.setText(field_text(value))
            self.fields.addRow(label, shown)

    def field_rows(self) -> list[tuple[str, str]]:
        """(label, value) as shown, in order."""
        rows = []
        for row in range(self.fields.rowCount()):
            label = self.fields.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            value = self.fields.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            rows.append((label.text().rstrip(":"), value.text()))
        return rows


def _evidence_text(result: AgentResult) -> str:
    if not result.dnc_evidence:
        return ""
    when = f" at {clock(result.dnc_offset_s)}" if result.dnc_offset_s is not None else ""
    return f'They said{when}: "{result.dnc_evidence}"'


def _callback_text(result: AgentResult) -> str:
    if result.callback_at is None:
        return ""
    if result.contact_zone is not None:
        when = f"{moment_text(result.callback_at, result.contact_zone)}, their time"
    else:
        when = f"{moment_text(result.callback_at.astimezone())}, your time"
    return f"<b>Call back:</b> {html.escape(when)}"
