"""A box for typed or pasted numbers, imported like a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from app.contacts.errors import ContactImportError
from app.contacts.importer import parse_pasted
from app.contacts.report import ImportReport
from app.domain.phone import guess_region
from app.store.engine import Store
from app.ui.imports.lifecycle import ImportDialogBase
from app.ui.imports.summary import FileOutcome
from app.ui.imports.worker import importing_text
from app.ui.operations import Changes


class PasteNumbersDialog(ImportDialogBase):
    """Signals:
    imported(int): (from ImportDialogBase) how many contacts were added.
    """

    def __init__(
        self,
        store: Store,
        campaign_id: int,
        *,
        region: str = "US",
        home: Path,
        changes: Changes | None = None,
        parent: QWidget | None = None,
        text: str = "",
    ) -> None:
        super().__init__(
            store, campaign_id, region=region, home=home, changes=changes, parent=parent
        )
        self.setWindowTitle("Paste numbers")
        self.resize(480, 420)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            "One number per line, or separated by commas or spaces:\n"
            "+1 415 555 0100\n(415) 555-0101, 415-555-0102"
        )
        self.editor.setPlainText(text)
        if text.strip():
            self.guessed_region(_region_of(text, self.region))
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.editor, 1)
        body.addLayout(self.country_row())
        body.addWidget(self.progress)
        body.addWidget(self.error_label)
        body.addWidget(self.summary)
        self.lay_out(content)

    def start_import(self) -> None:
        self.error_label.setVisible(False)
        self.import_button.setEnabled(False)
        self.editor.setReadOnly(True)
        self.run_import(importing_text(self.destination, self.editor.toPlainText()))

    def outcomes(self, result: object) -> list[FileOutcome]:
        report: ImportReport = result  # type: ignore[assignment]
        return [FileOutcome("pasted numbers", report=report)]

    def after_failure(self) -> None:
        self.import_button.setEnabled(True)
        self.editor.setReadOnly(False)


def _region_of(text: str, default: str) -> str:
    try:
        return guess_region(parse_pasted(text).column_sample("phone"), default)
    except ContactImportError:  # nothing to read: the import will say so
        return default
