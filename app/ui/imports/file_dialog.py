"""Import dropped or chosen files: what was read, the column mapping and a preview, then import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.contacts.errors import ContactImportError
from app.contacts.importer import parse_pasted
from app.contacts.mapping import ColumnMapping, guess_mapping
from app.contacts.reading import ContactTable
from app.domain.phone import guess_region
from app.store.engine import Store
from app.ui.imports.lifecycle import CANCELLED, ImportDialogBase
from app.ui.imports.preview import PreviewModel
from app.ui.imports.summary import FileOutcome
from app.ui.imports.worker import importing_tables, reading
from app.ui.operations import Changes

NO_PHONE_COLUMN = "No column looks like phone numbers"
PASTED = "pasted numbers"
MAPPING_SAMPLE_ROWS = 50


@dataclass
class _FileState:
    name: str
    path: Path | None  # None for pasted numbers, parsed already
    table: ContactTable | None = None
    error: str | None = None
    mapping: ColumnMapping | None = None


def _pasted_state(text: str) -> _FileState:
    try:
        table = parse_pasted(text)
    except ContactImportError as exc:
        return _FileState(PASTED, None, error=str(exc))
    return _FileState(PASTED, None, table=table, mapping=ColumnMapping(phone="phone"))


class ImportDialog(ImportDialogBase):
    """Shows what was read from dropped files, the column mapping and a preview, then imports.

    Numbers pasted alongside (the campaign dialog's paste box) are one more list in the same
    dialog, not a second dialog.

    Signals:
        ready(): the files have been read and the mapping can be checked.
        imported(int): (from ImportDialogBase) how many contacts were added.
    """

    ready = Signal()

    def __init__(
        self,
        store: Store,
        campaign_id: int,
        paths: list[Path],
        *,
        region: str = "US",
        home: Path,
        changes: Changes | None = None,
        parent: QWidget | None = None,
        pasted: str = "",
    ) -> None:
        super().__init__(
            store, campaign_id, region=region, home=home, changes=changes, parent=parent
        )
        self.files = [_FileState(Path(p).name, Path(p)) for p in paths]
        if pasted.strip():
            self.files.append(_pasted_state(pasted))
        self._reading = True
        self.setWindowTitle("Import contacts")
        self.resize(820, 560)
        self._build()
        self.run_reading(reading([s.path for s in self.files if s.path is not None]))

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.file_combo = QComboBox()
        for state in self.files:
            self.file_combo.addItem(state.name)
        self.file_combo.setVisible(len(self.files) > 1)
        self.file_combo.currentIndexChanged.connect(self._show_file)
        self.file_label = QLabel(", ".join(s.name for s in self.files))
        self.file_label.setVisible(len(self.files) == 1)
        font = self.file_label.font()
        font.setBold(True)
        self.file_label.setFont(font)

        self.details_label = QLabel("Reading…")
        self.details_label.setWordWrap(True)

        self.phone_combo = QComboBox()
        self.name_combo = QComboBox()
        self.phone_combo.currentIndexChanged.connect(self._on_mapping_changed)
        self.name_combo.currentIndexChanged.connect(self._on_mapping_changed)
        form = QFormLayout()
        form.addRow("Phone number column:", self.phone_combo)
        form.addRow("Name column:", self.name_combo)
        self.fields_note = QLabel(
            "Every other column is kept with each contact, for the agent to use "
            "(for example {{company}})."
        )
        self.fields_note.setWordWrap(True)

        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.status_label = QLabel()
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(self.file_label)
        top.addWidget(self.file_combo)
        top.addStretch(1)
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(top)
        body.addWidget(self.details_label)
        body.addWidget(self.error_label)
        body.addLayout(self.country_row())
        body.addLayout(form)
        body.addWidget(self.fields_note)
        body.addWidget(self.preview, 1)
        body.addWidget(self.progress)
        body.addWidget(self.status_label)
        body.addWidget(self.summary)
        self.lay_out(content)

    # -- reading --------------------------------------------------------------------------------
    def on_read(self, result: object) -> None:
        self._reading = False
        from_files = [s for s in self.files if s.path is not None]
        for state, read in zip(from_files, result, strict=True):
            if isinstance(read, str):
                state.error = read
                continue
            state.table = read
            sample = [r.cells for r in read.rows[:MAPPING_SAMPLE_ROWS]]
            state.mapping = guess_mapping(read.headers, sample)
            if state.mapping.phone is None:
                # The user can still pick one; Import stays off until they do.
                state.error = (
                    f"{NO_PHONE_COLUMN}. Columns found: {', '.join(read.headers)}. "
                    "Choose the phone number column below."
                )
        self.guessed_region(guess_region(self._phone_sample(), self.region))
        self._show_file(self.file_combo.currentIndex())
        self.ready.emit()

    def _phone_sample(self) -> list[str]:
        return [
            cell
            for state in self._importable()
            for cell in state.table.column_sample(state.mapping.phone)
        ]

    def current_file(self) -> _FileState:
        return self.files[max(self.file_combo.currentIndex(), 0)]

    def _show_file(self, index: int) -> None:
        if self._reading or index < 0:
            return
        state = self.files[index]
        table = state.table
        self.error_label.setText(state.error or "")
        self.error_label.setVisible(bool(state.error))
        if table is None:
            self.details_label.setText("Nothing can be imported from this file.")
        else:
            self.details_label.setText(_description(table))
        self._fill_mapping_combos(state)
        self.preview_model.set_table(table, state.mapping)
        self.preview.resizeColumnsToContents()
        self._update_import_enabled()

    def _fill_mapping_combos(self, state: _FileState) -> None:
        headers = state.table.headers if state.table else []
        mapping = state.mapping or ColumnMapping(phone=None)
        for combo in (self.phone_combo, self.name_combo):
            combo.blockSignals(True)
            combo.clear()
        self.phone_combo.addItem("(choose the column with phone numbers)", None)
        self.name_combo.addItem("(no name column)", None)
        for header in headers:
            self.phone_combo.addItem(header, header)
            self.name_combo.addItem(header, header)
        self.phone_combo.setCurrentIndex(max(self.phone_combo.findData(mapping.phone), 0))
        self.name_combo.setCurrentIndex(max(self.name_combo.findData(mapping.name), 0))
        for combo in (self.phone_combo, self.name_combo):
            combo.setEnabled(bool(headers))
            combo.blockSignals(False)

    def _on_mapping_changed(self, _index: int) -> None:
        state = self.current_file()
        if state.table is None:
            return
        state.mapping = ColumnMapping(
            phone=self.phone_combo.currentData(), name=self.name_combo.currentData()
        )
        if state.mapping.phone and state.error and state.error.startswith(NO_PHONE_COLUMN):
            state.error = None
            self.error_label.setVisible(False)
        self.preview_model.set_mapping(state.mapping)
        self._update_import_enabled()

    def _importable(self) -> list[_FileState]:
        """The lists that can be imported as they are (no reading error, a phone column)."""
        return [s for s in self.files if s.table is not None and s.mapping and s.mapping.phone]

    def _update_import_enabled(self) -> None:
        self.import_button.setEnabled(not self.job.is_running() and bool(self._importable()))

    # -- importing ------------------------------------------------------------------------------
    def start_import(self) -> None:
        files = [(s.table, s.mapping) for s in self._importable()]
        if not files:
            return
        for widget in (self.phone_combo, self.name_combo, self.file_combo, self.import_button):
            widget.setEnabled(False)
        self.status_label.setText("Importing… you can keep working; Cancel stops without changes.")
        self.run_import(importing_tables(self.destination, files))

    def outcomes(self, result: object) -> list[FileOutcome]:
        return list(result)

    def after_import(self, outcomes: list[FileOutcome]) -> None:
        cancelled = any(o.cancelled for o in outcomes)
        self.status_label.setText("Import cancelled." if cancelled else "Import finished.")

    def after_failure(self) -> None:
        if self._reading:
            self._reading = False
            self.ready.emit()
        self.finish()

    def show_cancelled(self) -> None:
        self.progress.setVisible(False)
        self.status_label.setText(CANCELLED)
        self.finish()

    def on_cancelling(self) -> None:
        self.status_label.setText("Cancelling…")
        self.cancel_button.setEnabled(False)


def _description(table: ContactTable) -> str:
    if table.kind == "pasted":
        return f"{len(table.rows):,} numbers typed or pasted"
    read_as = (
        "Excel workbook"
        if table.kind == "xlsx"
        else f"Read as {table.encoding} · {table.delimiter_name}-separated"
    )
    header = "" if table.has_header else " · no header row"
    return f"{read_as}{header} · {len(table.rows):,} rows"
