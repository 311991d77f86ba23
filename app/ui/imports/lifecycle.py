"""The lifecycle both import dialogs share: run on a worker thread with progress, cancel
while importing, say what happened, close without leaving a worker writing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.contacts.errors import ContactImportError, ImportCancelled
from app.store.engine import Store
from app.ui.imports.country import CountryPicker
from app.ui.imports.summary import FileOutcome, ImportSummary, error_label
from app.ui.imports.worker import PROGRESS_STEPS, Destination, ThreadWork
from app.ui.operations import Change, Changes, Operation
from app.ui.screen_fit import ScrollBody, fit_dialog

CANCELLED = "Cancelled; nothing was imported."


class ImportDialogBase(QDialog):
    """Subclasses lay out the shared widgets, call run_reading/run_import, and say what a
    result means (outcomes) and what the dialog does after a failure.

    Signals:
        imported(int): how many contacts were added, emitted once the import has finished.
    """

    imported = Signal(int)

    def __init__(
        self,
        store: Store,
        campaign_id: int,
        *,
        region: str,
        home: Path,
        changes: Changes | None,
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.campaign_id = campaign_id
        self.region = (region or "US").upper()
        self.home = home
        self.destination = Destination(store, campaign_id, self.region, home)
        self._importing = False  # the job, when running, is the import (not the reading)
        self.job = Operation(
            self,
            changes=changes,
            expected=(ContactImportError,),
            cancelled_by=(ImportCancelled,),
        )
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self._on_succeeded)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)

        self.country = CountryPicker(self.region)
        self.country.currentIndexChanged.connect(self._on_country_changed)
        self.country_note = QLabel()  # says when the country was guessed from the numbers
        self.country_note.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setVisible(False)
        self.error_label = error_label()
        self.summary = ImportSummary()
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

    # -- what subclasses provide ---------------------------------------------------------------
    def start_import(self) -> None:
        raise NotImplementedError

    def on_read(self, result: object) -> None:
        """The reading started by run_reading is done."""

    def outcomes(self, result: object) -> list[FileOutcome]:
        raise NotImplementedError

    def after_import(self, outcomes: list[FileOutcome]) -> None:
        """The summary shows; the dialog is about to become a Close button."""

    def after_failure(self) -> None:
        """The job failed or was cancelled; the message shows already."""

    def on_cancelling(self) -> None:
        """Cancel was asked for while importing."""

    def on_region_changed(self) -> None:
        """The user (or the guess) chose another country for national numbers."""

    # -- the country ----------------------------------------------------------------------------
    def country_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Numbers without a country code are from:"))
        row.addWidget(self.country, 1)
        row.addWidget(self.country_note)
        return row

    def guessed_region(self, region: str) -> None:
        """Show *region*, guessed from the numbers, as the country (the user can change it)."""
        if region == self.region:
            return
        self.country.set_region(region)
        self.country_note.setText("(guessed from the numbers in the list)")
        self.country_note.setVisible(True)

    def _on_country_changed(self, _index: int) -> None:
        self.region = self.country.region()
        self.destination = replace(self.destination, region=self.region)
        self.on_region_changed()

    # -- layout --------------------------------------------------------------------------------
    def lay_out(self, content: QWidget) -> None:
        """*content* scrolls when the screen is short; the buttons stay under it, in view."""
        self.body = ScrollBody(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        if not event.spontaneous():
            fit_dialog(self)  # capped to the screen before QDialog centres it
        super().showEvent(event)

    # -- running -------------------------------------------------------------------------------
    def run_reading(self, work: ThreadWork) -> None:
        self._importing = False
        self.job.change = None
        self.progress.setVisible(True)
        self.job.run_thread(work)

    def run_import(self, work: ThreadWork) -> None:
        self._importing = True
        self.country.setEnabled(False)
        self.job.change = Change(campaigns=True, contacts_of=self.campaign_id)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.job.run_thread(work)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(done * PROGRESS_STEPS / total) if total else 0)

    def _on_succeeded(self, result: object) -> None:
        self.progress.setVisible(False)
        if not self._importing:
            self.on_read(result)
            return
        outcomes = self.outcomes(result)
        self.after_import(outcomes)
        count = self.summary.show_outcomes(outcomes)
        if count:
            self.summary.show_warnings(self._variable_warnings())
        self.finish()
        self.imported.emit(count)

    def _variable_warnings(self) -> list[str]:
        """Columns the campaign's agent says ({{first_name}}) that contacts lack."""
        from app.agents.variables import campaign_variable_warnings

        with self.store.session() as session:
            return campaign_variable_warnings(session, self.campaign_id)

    def _on_failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.country.setEnabled(True)
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        self.after_failure()

    def _on_cancelled(self) -> None:
        self.show_cancelled()

    def show_cancelled(self) -> None:
        """The job stopped on a cancel: by default said like a failure."""
        self._on_failed(CANCELLED)

    def finish(self) -> None:
        """Nothing more to do here but read the outcome and close."""
        self.import_button.setVisible(False)
        self.cancel_button.setText("Close")

    # -- cancelling and closing ------------------------------------------------------------------
    def _on_cancel_clicked(self) -> None:
        if self.job.is_running() and self._importing:
            self.job.cancel()
            self.on_cancelling()
        else:
            self.reject()  # reading is stopped by done()

    def done(self, result: int) -> None:
        self.job.shutdown()  # never leave a worker writing after the dialog is gone
        super().done(result)

    def closeEvent(self, event) -> None:
        self.job.shutdown()
        super().closeEvent(event)
