"""The selected call's header: name, number, status badge, time, duration, answered by."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.domain.phone import format_national
from app.results.calls import CallDetail
from app.ui.campaigns.badges import STATUS_COLOURS, badge_style, status_label
from app.ui.contrast import text_colour
from app.ui.results.calls_model import ANSWERED_BY_LABELS, clock


class CallHeader(QWidget):
    """Name, number, status badge, time, duration, answered by."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLabel()
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # names come from spreadsheets
        self.badge = QLabel()
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.name)
        top.addWidget(self.badge)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.facts)

    def show_call(self, detail: CallDetail) -> None:
        row = detail.row
        self.name.setText(row.name or format_national(row.phone))
        self.badge.setText(status_label(row.status))
        self.badge.setStyleSheet(badge_style(STATUS_COLOURS.get(row.status, "#e2e6ea")))
        facts = [
            f"{format_national(row.phone)}  ({row.phone})",
            f"started {row.created_at.astimezone():%a %d %b %H:%M:%S}",
            f"attempt {row.attempt}",
        ]
        if row.duration_s is not None:
            facts.append(f"duration {clock(row.duration_s)}")
        if row.answered_by:
            facts.append(f"answered by {ANSWERED_BY_LABELS.get(row.answered_by, row.answered_by)}")
        if detail.agent_version is not None:
            facts.append(f"agent version {detail.agent_version}")
        text = html.escape(" · ".join(facts))
        if detail.simulated:
            text = (
                f"<b style='color:{text_colour('#7a5a00')}'>"
                "Simulated call (demo mode): nobody was called</b>"
                f"<br>{text}"
            )
        if row.reason:  # failed, busy, unanswered: always why
            colour = text_colour("#a94442")
            text += f"<br><span style='color:{colour}'>{html.escape(row.reason)}</span>"
        self.facts.setText(text)
