"""Import contacts: check what was read and how columns map, then import off the UI thread.

ImportDialog handles dropped/chosen files, PasteNumbersDialog typed or pasted numbers. Both
run app.contacts on a private QThreadPool (one job at a time) with progress and Cancel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.contacts.errors import ContactImportError, ImportCancelled
from app.contacts.importer import import_pasted, import_table
from app.contacts.mapping import ColumnMapping, guess_mapping
from app.contacts.reading import ContactTable, read_contacts_file
from app.contacts.report import ImportReport
from app.store.engine import Store

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
NO_PHONE_COLUMN = "No column looks like phone numbers"
PROGRESS_STEPS = 1000


# --- running work off the UI thread ------------------------------------------------------------


class _Runnable(QRunnable):
    def __init__(self, job: BackgroundJob, work: Callable[[Callable[[int, int], None]], Any]):
        super().__init__()
        self.job = job
        self.work = work

    def run(self) -> None:  # on the pool's thread: only emit signals from here
        try:
            result = self.work(self.job.progressed.emit)
        except ImportCancelled:
            self.job.cancelled.emit()
        except ContactImportError as exc:
            self.job.failed.emit(str(exc))
        except Exception as exc:
            log.exception("contact import job failed")
            self.job.failed.emit(f"Something went wrong: {exc}. The details are in the log.")
        else:
            self.job.succeeded.emit(result)


class BackgroundJob(QObject):
    """Runs one function at a time on a private thread pool and reports back with signals.

    Signals:
        progressed(int, int): done, total (emitted from the worker, delivered queued).
        succeeded(object): the function's result.
        failed(str): a message for the user.
        cancelled(): the function stopped because cancel() was called.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.cancel_event = threading.Event()
        self._busy = False
        # Connected first, so the job is idle again before anyone else hears the result.
        for signal in (self.succeeded, self.failed, self.cancelled):
            signal.connect(self._mark_idle)

    def _mark_idle(self, *_args) -> None:
        self._busy = False

    def start(self, work: Callable[[Callable[[int, int], None]], Any]) -> None:
        self.cancel_event.clear()
        self._busy = True
        self.pool.start(_Runnable(self, work))

    def cancel(self) -> None:
        self.cancel_event.set()

    def is_running(self) -> bool:
        return self._busy

    def shutdown(self) -> None:
        """Cancel and wait: the import checks the flag every few thousand rows."""
        self.cancel_event.set()
        self.pool.waitForDone()


# --- preview ---------------------------------------------------------------------------------


class PreviewModel(QAbstractTableModel):
    """The first rows of a file, with the mapped columns marked in the header."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: ContactTable | None = None
        self._mapping = ColumnMapping(phone=None)

    def set_table(self, table: ContactTable | None, mapping: ColumnMapping | None) -> None:
        self.beginResetModel()
        self._table = table
        self._mapping = mapping or ColumnMapping(phone=None)
        self.endResetModel()

    def set_mapping(self, mapping: ColumnMapping) -> None:
        self._mapping = mapping
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return min(len(self._table.rows), PREVIEW_ROWS)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return len(self._table.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._table is None:
            return None
        cell = self._table.rows[index.row()].cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return " ⏎ ".join(cell.splitlines()) if "\n" in cell or "\r" in cell else cell
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._table is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            if 0 <= section < self.rowCount():
                return f"line {self._table.rows[section].line}"
            return None
        if not 0 <= section < self.columnCount():
            return None
        header = self._table.headers[section]
        if header == self._mapping.phone:
            return f"☎ {header} (phone)"
        if header == self._mapping.name:
            return f"{header} (name)"
        return header


# --- the summary shared by both dialogs ---------------------------------------------------------


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
                lines.append(prefix + _counts_html(outcome.report))
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

    def open_rejects(self) -> None:
        if not self.rejects_files:
            return
        # Several files: open their folder, where every report sits side by side.
        target = (
            self.rejects_files[0] if len(self.rejects_files) == 1 else self.rejects_files[0].parent
        )
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.setVisible(False)
    return label


def _counts_html(report: ImportReport) -> str:
    noun = "contact" if report.imported == 1 else "contacts"
    return (
        f"Imported <b>{report.imported:,}</b> {noun} from {report.rows:,} rows "
        f"({' · '.join(report.breakdown('new'))})."
    )


# --- importing files ---------------------------------------------------------------------------


@dataclass
class _FileState:
    path: Path
    table: ContactTable | None = None
    error: str | None = None
    mapping: ColumnMapping | None = None


class ImportDialog(QDialog):
    """Shows what was read from dropped files, the column mapping and a preview, then imports.

    Signals:
        ready(): the files have been read and the mapping can be checked.
        imported(int): how many contacts were added, emitted once the import has finished.
    """

    ready = Signal()
    imported = Signal(int)

    def __init__(
        self,
        store: Store,
        campaign_id: int,
        paths: list[Path],
        *,
        region: str = "US",
        home: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.campaign_id = campaign_id
        self.region = (region or "US").upper()
        self.home = home
        self.files = [_FileState(Path(p)) for p in paths]
        self._reading = True
        self.setWindowTitle("Import contacts")
        self.resize(820, 560)
        self._build()
        self.job = BackgroundJob(self)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self._on_job_done)
        self.job.failed.connect(self._on_job_failed)
        self.job.cancelled.connect(self._on_job_cancelled)
        self._start_reading()

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.file_combo = QComboBox()
        for state in self.files:
            self.file_combo.addItem(state.path.name)
        self.file_combo.setVisible(len(self.files) > 1)
        self.file_combo.currentIndexChanged.connect(self._show_file)
        self.file_label = QLabel(", ".join(s.path.name for s in self.files))
        self.file_label.setVisible(len(self.files) == 1)
        font = self.file_label.font()
        font.setBold(True)
        self.file_label.setFont(font)

        self.details_label = QLabel("Reading…")
        self.details_label.setWordWrap(True)
        self.error_label = _error_label()

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

        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setVisible(False)
        self.status_label = QLabel()
        self.summary = ImportSummary()

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

        top = QHBoxLayout()
        top.addWidget(self.file_label)
        top.addWidget(self.file_combo)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details_label)
        layout.addWidget(self.error_label)
        layout.addLayout(form)
        layout.addWidget(self.fields_note)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

    # -- reading --------------------------------------------------------------------------------
    def _start_reading(self) -> None:
        paths = [s.path for s in self.files]
        cancel = self.job.cancel_event.is_set

        def read_all(progress) -> list[ContactTable | str]:
            results: list[ContactTable | str] = []
            for number, path in enumerate(paths):
                try:
                    results.append(read_contacts_file(path, cancel=cancel))
                except ContactImportError as exc:
                    results.append(str(exc))
                progress(number + 1, len(paths))
            return results

        self.progress.setVisible(True)
        self.job.start(read_all)

    def _on_read(self, results: list[ContactTable | str]) -> None:
        self._reading = False
        self.progress.setVisible(False)
        for state, result in zip(self.files, results, strict=True):
            if isinstance(result, str):
                state.error = result
                continue
            state.table = result
            state.mapping = guess_mapping(result.headers, [r.cells for r in result.rows[:50]])
            if state.mapping.phone is None:
                # The user can still pick one; Import stays off until they do.
                state.error = (
                    f"{NO_PHONE_COLUMN}. Columns found: {', '.join(result.headers)}. "
                    "Choose the phone number column below."
                )
        self._show_file(self.file_combo.currentIndex())
        self.ready.emit()

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
            read_as = (
                "Excel workbook"
                if table.kind == "xlsx"
                else f"Read as {table.encoding} · {table.delimiter_name}-separated"
            )
            header = "" if table.has_header else " · no header row"
            self.details_label.setText(
                f"{read_as}{header} · {len(table.rows):,} rows · "
                f"numbers without a country code are read as {self.region} numbers"
            )
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

    def set_mapping(self, phone: str | None, name: str | None) -> None:
        """Choose the columns for the file on show (what the combo boxes do)."""
        self.phone_combo.setCurrentIndex(max(self.phone_combo.findData(phone), 0))
        self.name_combo.setCurrentIndex(max(self.name_combo.findData(name), 0))

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
        return [s for s in self.files if s.table is not None and s.mapping and s.mapping.phone]

    def _update_import_enabled(self) -> None:
        self.import_button.setEnabled(not self.job.is_running() and bool(self._importable()))

    # -- importing ------------------------------------------------------------------------------
    def start_import(self) -> None:
        files = [(s.table, s.mapping) for s in self._importable()]
        if not files:
            return
        store, campaign_id, region, home = self.store, self.campaign_id, self.region, self.home
        cancel = self.job.cancel_event

        def import_all(progress) -> list[FileOutcome]:
            outcomes = []
            for number, (table, mapping) in enumerate(files):

                def scaled(done: int, total: int, number: int = number) -> None:
                    share = done / total if total else 1.0
                    progress(int((number + share) * PROGRESS_STEPS / len(files)), PROGRESS_STEPS)

                try:
                    report = import_table(
                        store,
                        campaign_id,
                        table,
                        mapping=mapping,
                        region=region,
                        progress=scaled,
                        cancel=cancel,
                        home=home,
                    )
                    outcomes.append(FileOutcome(table.source, report=report))
                except ImportCancelled:
                    outcomes.append(FileOutcome(table.source, cancelled=True))
                    break
                except ContactImportError as exc:
                    outcomes.append(FileOutcome(table.source, error=str(exc)))
            return outcomes

        for widget in (self.phone_combo, self.name_combo, self.file_combo, self.import_button):
            widget.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status_label.setText("Importing… you can keep working; Cancel stops without changes.")
        self.job.start(import_all)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(done * PROGRESS_STEPS / total) if total else 0)

    def _on_job_done(self, result: Any) -> None:
        if self._reading:
            self._on_read(result)
            return
        self.progress.setVisible(False)
        cancelled = any(o.cancelled for o in result)
        self.status_label.setText("Import cancelled." if cancelled else "Import finished.")
        count = self.summary.show_outcomes(result)
        self._finish()
        self.imported.emit(count)

    def _on_job_failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        if self._reading:
            self._reading = False
            self.ready.emit()
        self._finish()

    def _on_job_cancelled(self) -> None:
        self.progress.setVisible(False)
        self.status_label.setText("Cancelled; nothing was imported.")
        self._finish()

    def _finish(self) -> None:
        self.import_button.setVisible(False)
        self.cancel_button.setText("Close")

    def _on_cancel_clicked(self) -> None:
        if self.job.is_running() and not self._reading:
            self.job.cancel()
            self.status_label.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def done(self, result: int) -> None:
        self.job.shutdown()  # never leave a worker writing after the dialog is gone
        super().done(result)

    def closeEvent(self, event) -> None:
        self.job.shutdown()
        super().closeEvent(event)


# --- typed or pasted numbers -------------------------------------------------------------------


class PasteNumbersDialog(QDialog):
    """A box for typed or pasted numbers, imported like a file.

    Signals:
        imported(int): how many contacts were added.
    """

    imported = Signal(int)

    def __init__(
        self,
        store: Store,
        campaign_id: int,
        *,
        region: str = "US",
        home: Path,
        parent: QWidget | None = None,
        text: str = "",
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.campaign_id = campaign_id
        self.region = (region or "US").upper()
        self.home = home
        self.setWindowTitle("Paste numbers")
        self.resize(480, 420)

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            "One number per line, or separated by commas or spaces:\n"
            "+1 415 555 0100\n(415) 555-0101, 415-555-0102"
        )
        self.editor.setPlainText(text)
        hint = QLabel(f"Numbers without a country code are read as {self.region} numbers.")
        hint.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setVisible(False)
        self.error_label = _error_label()
        self.summary = ImportSummary()
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(hint)
        layout.addWidget(self.progress)
        layout.addWidget(self.error_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self.job = BackgroundJob(self)
        self.job.progressed.connect(
            lambda done, total: self.progress.setValue(
                int(done * PROGRESS_STEPS / total) if total else 0
            )
        )
        self.job.succeeded.connect(self._on_done)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)

    def start_import(self) -> None:
        text = self.editor.toPlainText()
        store, campaign_id, region, home = self.store, self.campaign_id, self.region, self.home
        cancel = self.job.cancel_event

        def work(progress) -> ImportReport:
            return import_pasted(
                store, campaign_id, text, region=region, progress=progress, cancel=cancel, home=home
            )

        self.error_label.setVisible(False)
        self.import_button.setEnabled(False)
        self.editor.setReadOnly(True)
        self.progress.setVisible(True)
        self.job.start(work)

    def _on_done(self, report: ImportReport) -> None:
        self.progress.setVisible(False)
        count = self.summary.show_outcomes([FileOutcome("pasted numbers", report=report)])
        self.import_button.setVisible(False)
        self.cancel_button.setText("Close")
        self.imported.emit(count)

    def _on_failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        self.import_button.setEnabled(True)
        self.editor.setReadOnly(False)

    def _on_cancelled(self) -> None:
        self._on_failed("Cancelled; nothing was imported.")

    def _on_cancel_clicked(self) -> None:
        if self.job.is_running():
            self.job.cancel()
        else:
            self.reject()

    def done(self, result: int) -> None:
        self.job.shutdown()
        super().done(result)
