"""What an import did, shown the same way by both dialogs: counts, errors, the rows not
imported (a table here, and the CSV report beside it)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.contacts.report import ImportReport
from app.ui.contrast import text_colour
from app.ui.simple_table import SimpleTableModel

ERROR_COLOUR, WARNING_COLOUR = "#b00020", "#8a5300"
REJECTS_TABLE_HEIGHT = 150  # a handful of rows; the dialog must still fit a 1366x768 screen


@dataclass
class FileOutcome:
    source: str
    report: ImportReport | None = None
    error: str | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class RejectedRow:
    source: str
    line: int
    phone: str
    reason: str


def rejected_rows(outcomes: list[FileOutcome]) -> list[RejectedRow]:
    return [
        RejectedRow(o.source, r.line, o.report.phone_as_written(r), r.reason)
        for o in outcomes
        if o.report
        for r in o.report.rejects
    ]


class RejectsModel(SimpleTableModel[RejectedRow]):
    """The rows an import left out: line, the number as written, and why."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            [
                ("File", lambda r: r.source),
                ("Line", lambda r: f"{r.line:,}"),
                ("Phone as written", lambda r: r.phone),
                ("Why it was not imported", lambda r: r.reason),
            ],
            parent,
        )


class ImportSummary(QWidget):
    """Counts after an import, the rows not imported, and a button that opens their report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_rejects_button = QPushButton("Open the report of rows not imported")
        self.open_rejects_button.clicked.connect(self.open_rejects)
        self.rejects_files: list[Path] = []
        self.rejects_model = RejectsModel(self)
        self.rejects_table = QTableView()
        self.rejects_table.setObjectName("rejectsTable")
        self.rejects_table.setModel(self.rejects_model)
        self.rejects_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejects_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rejects_table.verticalHeader().hide()
        self.rejects_table.setWordWrap(False)
        self.rejects_table.setMaximumHeight(REJECTS_TABLE_HEIGHT)
        header = self.rejects_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.rejects_table.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.rejects_table)
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
                colour = text_colour(ERROR_COLOUR)
                lines.append(f"{prefix}<span style='color:{colour}'>{outcome.error}</span>")
            elif outcome.report:
                imported += outcome.report.imported
                lines.append(prefix + counts_html(outcome.report))
        self.rejects_files = [
            o.report.rejects_file for o in outcomes if o.report and o.report.rejects_file
        ]
        self.label.setText("<br>".join(lines))
        rows = rejected_rows(outcomes)
        self.rejects_model.set_rows(rows)
        self.rejects_table.setColumnHidden(0, len(outcomes) < 2)  # one file: no File column
        self.rejects_table.setVisible(bool(rows))
        rejected = len(rows)
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
                f"{self.label.text()}<br>"
                f"<span style='color:{text_colour(WARNING_COLOUR)}'>{warnings}</span>"
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
    label.setStyleSheet(f"color: {text_colour(ERROR_COLOUR)};")
    label.setVisible(False)
    return label


def counts_html(report: ImportReport) -> str:
    noun = "contact" if report.imported == 1 else "contacts"
    return (
        f"Imported <b>{report.imported:,}</b> {noun} from {report.rows:,} rows "
        f"({' · '.join(report.breakdown('new'))})."
    )
