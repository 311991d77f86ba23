"""What an import did, shown the same way by both dialogs: counts, errors, the reject report."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.contacts.report import ImportReport


@dataclass
class FileOutcome:
    source: str
    report: ImportReport | None = None
    error: str | None = None
    cancelled: bool = False


class ImportSummary(QWidget):
    """Counts after an import, and a button that opens the reject report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_rejects_button = QPushButton("Open the report of rows not imported")
        self.open_rejects_button.clicked.connect(self.open_rejects)
        self.rejects_files: list[Path] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.open_rejects_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.setVisible(False)

    def show_outcomes(self, outcomes: list[FileOutcome]) -> int:
        """Show what happened; returns how many contacts were imported in all."""
        lines = []
        imported = 0
        for outcome in outcomes:
            prefix = f"<b>{outcome.source}</b>: " if len(outcomes) > 1 else ""
            if outcome.cancelled:
                lines.append(f"{prefix}cancelled, nothing imported from this file.")
            elif outcome.error:
                lines.append(f"{prefix}<span style='color:#b00020'>{outcome.error}</span>")
            elif outcome.report:
                imported += outcome.report.imported
                lines.append(prefix + counts_html(outcome.report))
        self.rejects_files = [
            o.report.rejects_file for o in outcomes if o.report and o.report.rejects_file
        ]
        self.label.setText("<br>".join(lines))
        rejected = sum(len(o.report.rejects) for o in outcomes if o.report)
        self.open_rejects_button.setVisible(bool(self.rejects_files))
        self.open_rejects_button.setText(
            f"Open the report of the {rejected:,} rows not imported"
            if rejected != 1
            else "Open the report of the row not imported"
        )
        self.setVisible(True)
        return imported

    def show_warnings(self, lines: list[str]) -> None:
        """Add warnings under the counts (e.g. a {{variable}} the contacts lack)."""
        if lines:
            warnings = "<br>".join(f"⚠ {html.escape(line)}" for line in lines)
            self.label.setText(
                f"{self.label.text()}<br><span style='color:#8a5300'>{warnings}</span>"
            )

    def open_rejects(self) -> None:
        if not self.rejects_files:
            return
        # Several files: open their folder, where every report sits side by side.
        target = (
            self.rejects_files[0] if len(self.rejects_files) == 1 else self.rejects_files[0].parent
        )
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.setVisible(False)
    return label


def counts_html(report: ImportReport) -> str:
    noun = "contact" if report.imported == 1 else "contacts"
    return (
        f"Imported <b>{report.imported:,}</b> {noun} from {report.rows:,} rows "
        f"({' · '.join(report.breakdown('new'))})."
    )
