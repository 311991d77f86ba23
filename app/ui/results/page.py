"""The Results page: stats strip on top, the calls table left, the selected call right.

This module lays widgets out and wires them; ResultsController holds the logic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.status import ContactStatus
from app.paths import documents_dir
from app.results.calls import NO_DISPOSITION, CallFilter, count_calls
from app.store.engine import Store
from app.ui.campaigns.badges import status_label
from app.ui.column_fit import StretchWithMinimum
from app.ui.messages import show_error
from app.ui.pages import focus_search_box
from app.ui.results.calls_model import COLUMNS, CallsTableModel
from app.ui.results.controller import ResultsController
from app.ui.results.detail_pane import CallDetailPane
from app.ui.results.export_job import ExportJob
from app.ui.results.save_as_test import save_call_as_test
from app.ui.results.stats_strip import StatsStrip
from app.ui.tables import row_table

log = logging.getLogger(__name__)

STARTED_COLUMN = [key for _, key in COLUMNS].index("started")
CONTACT_MIN_EMS = 11  # the contact column keeps room for a name (in widths of "M")
MAX_PAGES_TO_FIND = 50  # select_call reads at most this many pages of ids (100,000 calls)
SEARCH_DELAY_MS = 300  # a text search scans the campaign: run it once typing pauses


class ResultsPage(QWidget):
    """The Results page. The main window connects the dialer bridge's callEnded and
    contactChanged to on_call_ended / on_contact_changed, and the campaign row's Results
    button to set_campaign."""

    def __init__(
        self,
        store: Store,
        *,
        home: Path,
        provider_factory: Callable[[], Any] | None = None,
        your_name: Callable[[], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.home = home
        self.controller = ResultsController(
            store, provider_factory=provider_factory, your_name=your_name, parent=self
        )
        self.model = CallsTableModel(store, self)
        self.export_job: ExportJob | None = None
        self.export_question: QMessageBox | None = None  # shown calls or all, while asked
        self._progress: QProgressDialog | None = None
        self._build()
        self._wire()
        self._build_shortcuts()
        self.controller.reload_campaigns()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.campaign_combo = QComboBox()
        self.campaign_combo.setMinimumWidth(180)
        self.campaign_combo.setAccessibleName("Campaign")
        self.status_filter = QComboBox()
        self.status_filter.addItem("All statuses", None)
        for status in ContactStatus:
            if status != ContactStatus.QUEUED:
                self.status_filter.addItem(status_label(status.value), status.value)
        self.disposition_filter = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, number or notes")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self.count_label = QLabel()
        self.export_button = QPushButton("Export…")
        toolbar = QHBoxLayout()
        toolbar.addWidget(QLabel("Campaign"))
        toolbar.addWidget(self.campaign_combo)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.status_filter)
        toolbar.addWidget(self.disposition_filter)
        toolbar.addWidget(self.search, 1)
        toolbar.addWidget(self.count_label)
        toolbar.addWidget(self.export_button)

        self.stats = StatsStrip()

        self.table = row_table(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((130, 105, 82, 54, 96, 58, 84, 96, 100, 36)):
            self.table.setColumnWidth(column, width)
        header.setMinimumSectionSize(36)
        # The contact column takes what is left, so the notes marker does not scroll away,
        # but keeps room for a name: in a narrow pane the table scrolls sideways instead.
        self.contact_column = StretchWithMinimum(
            self.table, 0, self.fontMetrics().horizontalAdvance("M") * CONTACT_MIN_EMS
        )
        header.setSortIndicator(STARTED_COLUMN, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.empty_table = QLabel(
            "No calls yet.\nStart a campaign: each call shows up here the moment it ends."
        )
        self.empty_table.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_table.setStyleSheet("color: palette(placeholder-text);")
        # Calls that arrived while the user was reading or pointing at the table: the rows stay
        # put and this says how many are above, one click from the newest. It floats over the
        # table's top edge: a bar in the layout would itself push the rows down.
        self.new_calls_button = QPushButton(self.table)
        self.new_calls_button.setObjectName("newCallsButton")
        self.new_calls_button.setVisible(False)
        # Clicking it must leave the keyboard with the table (Space, the number keys).
        self.new_calls_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_calls_button.clicked.connect(self.show_newest_calls)
        self._new_calls_above = 0
        self.table.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty_table)

        self.detail_stack = CallDetailPane(self.controller.is_transcribing)
        pane = self.detail_stack  # its parts, by the names the page always offered
        self.header, self.player, self.transcript = pane.header, pane.player, pane.transcript
        self.disposition, self.notes, self.no_call = pane.disposition, pane.notes, pane.no_call

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table_stack)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.stats)
        layout.addWidget(self.splitter, 1)

    def _wire(self) -> None:
        c = self.controller
        c.campaignsChanged.connect(self._show_campaigns)
        c.statsChanged.connect(self._show_stats)
        c.seriesChanged.connect(self.stats.chart.set_series)
        c.detailChanged.connect(self.detail_stack.show_detail)
        c.callChanged.connect(self.model.refresh_call)
        c.notesSaved.connect(self.notes.saved)
        c.conflict.connect(self.detail_stack.show_conflict)
        self.detail_stack.dispositionKept.connect(c.choose_disposition)
        self.detail_stack.reloadWanted.connect(c.reload_detail)
        c.error.connect(lambda message: show_error(self, "Results", message))
        self.campaign_combo.currentIndexChanged.connect(self._on_campaign_picked)
        self.status_filter.currentIndexChanged.connect(self._apply_filter)
        self.disposition_filter.currentIndexChanged.connect(self._apply_filter)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_filter)
        self.export_button.clicked.connect(self.export)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.model.modelReset.connect(self._after_reset)
        self.model.rowsAboutToBeInserted.connect(self._before_insert)
        self.model.rowsInserted.connect(self._after_insert)
        self.disposition.dispositionChosen.connect(c.choose_disposition)
        self.detail_stack.notesEdited.connect(
            lambda call_id, text, base: c.save_notes(text, call_id, base)
        )
        self.detail_stack.saveAsTestRequested.connect(
            lambda call_id: save_call_as_test(self, self.store, call_id)
        )

    def _build_shortcuts(self) -> None:
        def add(key: QKeySequence | str, slot) -> QShortcut:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            return shortcut

        self.shortcuts = [
            add("Space", self.player.toggle),
            add("Left", lambda: self.player.skip(-10_000)),
            add("Right", lambda: self.player.skip(10_000)),
        ]
        pick = self.detail_stack.choose_disposition_number
        self.shortcuts += [add(str(n), lambda n=n: pick(n)) for n in range(10)]

    # -- the main window's hooks -------------------------------------------------------------
    def main_action(self) -> tuple[str, Callable[[], None]]:
        # The main window shows this as the page's main action: one Export… button is enough.
        self.export_button.hide()
        return ("Export…", self.export)

    def focus_search(self) -> None:
        """Ctrl+F (the main window's): the calls search; pressed there, the transcript's find."""
        if self.search.hasFocus():
            self.transcript.focus_find()
        else:
            focus_search_box(self.search)

    def on_shown(self) -> None:
        self.controller.reload_campaigns()
        self.controller.refresh_stats()

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("results/splitter", self.splitter.saveState())
        settings.setValue("results/columns", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        for key, target in (
            ("results/splitter", self.splitter),
            ("results/columns", self.table.horizontalHeader()),
        ):
            state = settings.value(key)
            if state is not None:
                target.restoreState(state)
        self.contact_column.fit()  # a saved header state may bring back an older mode

    # -- campaign ----------------------------------------------------------------------------
    def set_campaign(self, campaign_id: int | None) -> None:
        """Show a campaign's results (the campaign row's Results button lands here)."""
        index = self.campaign_combo.findData(campaign_id)
        if index < 0 and campaign_id is not None:
            self.controller.reload_campaigns()
            index = self.campaign_combo.findData(campaign_id)
        if index >= 0 and index != self.campaign_combo.currentIndex():
            self.campaign_combo.setCurrentIndex(index)  # -> _on_campaign_picked
        elif index >= 0 or campaign_id is None:
            self._load_campaign(campaign_id)

    def campaign_id(self) -> int | None:
        return self.controller.campaign_id

    def _show_campaigns(self, campaigns: list[tuple[int, str]]) -> None:
        current = self.campaign_combo.currentData()
        self.campaign_combo.blockSignals(True)
        self.campaign_combo.clear()
        for cid, name in campaigns:
            self.campaign_combo.addItem(name, cid)
        if not campaigns:
            self.campaign_combo.addItem("No campaigns yet", None)
        index = self.campaign_combo.findData(current)
        self.campaign_combo.setCurrentIndex(max(index, 0))
        self.campaign_combo.blockSignals(False)
        if self.campaign_combo.currentData() != self.controller.campaign_id:
            self._load_campaign(self.campaign_combo.currentData())

    def _on_campaign_picked(self, _index: int) -> None:
        self._load_campaign(self.campaign_combo.currentData())

    def _load_campaign(self, campaign_id: int | None) -> None:
        self.notes_flush()
        self.controller.set_campaign(campaign_id)
        self._fill_disposition_filter()
        self.model.set_campaign(campaign_id)
        self.export_button.setEnabled(campaign_id is not None)

    def _fill_disposition_filter(self) -> None:
        names = self.controller.dispositions()
        self.disposition_filter.blockSignals(True)
        self.disposition_filter.clear()
        self.disposition_filter.addItem("All dispositions", None)
        self.disposition_filter.addItem("No disposition", NO_DISPOSITION)
        for name in names:
            self.disposition_filter.addItem(name, name)
        self.disposition_filter.blockSignals(False)

    # -- table -------------------------------------------------------------------------------
    def _apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(
            CallFilter(
                status=self.status_filter.currentData(),
                disposition=self.disposition_filter.currentData(),
                text=self.search.text(),
            )
        )

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        call_id = self.model.call_id(current.row()) if current.isValid() else None
        if call_id != self.controller.call_id:
            self.notes_flush()
            self.controller.select_call(call_id)

    def select_call(self, call_id: int, *, fetch_pages: int = MAX_PAGES_TO_FIND) -> bool:
        """Select a call's row, reading up to *fetch_pages* more pages of ids to find it;
        False when it is not among them (filtered out, or too far down)."""
        row = self.model.row_of(call_id)
        while row is None and fetch_pages > 0 and self.model.canFetchMore():
            self.model.fetchMore()
            fetch_pages -= 1
            row = self.model.row_of(call_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _after_reset(self) -> None:
        has_rows = self.model.rowCount() > 0 or not self.model.call_filter.is_empty
        self.table_stack.setCurrentWidget(self.table if has_rows else self.empty_table)
        self._set_new_calls_above(0)
        # Keep the selected call selected across a re-sort or a new filter when it is on the
        # first page; otherwise its detail stays on the right, with no row selected.
        if self.controller.call_id is not None:
            self.select_call(self.controller.call_id, fetch_pages=0)
        self._show_count()

    def _before_insert(self, _parent: QModelIndex, first: int, _last: int) -> None:
        bar = self.table.verticalScrollBar()
        self._scroll_before = bar.value()
        self._top_before = self.table.rowAt(0)

    def _after_insert(self, _parent: QModelIndex, first: int, last: int) -> None:
        self.table_stack.setCurrentWidget(self.table)
        # New calls land above what the user is reading, or at the top while the pointer is
        # on the table (about to click a row): keep those rows where they were. At the very
        # top, pointer elsewhere, the view follows the new calls (that is the live view).
        top = getattr(self, "_top_before", -1)
        if first <= top and (top > 0 or self.pointer_on_table()):
            added = last - first + 1
            bar = self.table.verticalScrollBar()
            bar.setMaximum(bar.maximum() + added)
            bar.setValue(self._scroll_before + added)
            self._set_new_calls_above(self._new_calls_above + added)
        self._show_count()

    def pointer_on_table(self) -> bool:
        return self.table.viewport().underMouse()

    def show_newest_calls(self) -> None:
        self.table.scrollToTop()
        self._set_new_calls_above(0)

    def _on_scrolled(self, value: int) -> None:
        if value == 0:
            self._set_new_calls_above(0)  # the user scrolled up to them

    def _set_new_calls_above(self, count: int) -> None:
        self._new_calls_above = count
        self.new_calls_button.setText(
            f"↑ {count:,} new call{'s' if count != 1 else ''} above — show the newest"
        )
        self.new_calls_button.adjustSize()
        viewport = self.table.viewport().geometry()
        self.new_calls_button.move(
            viewport.center().x() - self.new_calls_button.width() // 2, viewport.top() + 4
        )
        self.new_calls_button.setVisible(count > 0)
        self.new_calls_button.raise_()

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        self.count_label.setText(f"{shown:,}{more} call{'s' if shown != 1 else ''}")

    # -- detail ------------------------------------------------------------------------------
    def hideEvent(self, event: QHideEvent) -> None:
        # Another page shown, or the window closing: never lose notes still in the debounce.
        self.notes_flush()
        super().hideEvent(event)

    def notes_flush(self) -> None:
        """Save notes still waiting for their debounce (before switching call or campaign)."""
        self.detail_stack.notes_flush()

    def _show_stats(self, stats: dict | None) -> None:
        self.stats.set_stats(stats)

    # -- live updates (connected by the main window to the dialer bridge) --------------------
    @Slot(int, int)
    def on_call_ended(self, campaign_id: int, call_id: int) -> None:
        try:
            self.controller.on_call_ended(campaign_id, call_id)
        except Exception:
            log.exception("showing the end of call %s failed", call_id)

    @Slot(int, int, str)
    def on_contact_changed(self, campaign_id: int, contact_id: int, status: str) -> None:
        try:
            self.controller.on_contact_changed(campaign_id, contact_id, status)
        except Exception:
            log.exception("showing the change of contact %s failed", contact_id)

    def on_seat_changes(self, calls: frozenset[tuple[int, int]], campaigns: bool) -> None:
        """Other seats changed these calls (campaign id, call id) or the campaigns."""
        try:
            self.controller.on_seat_changes(calls, campaigns)
        except Exception:
            log.exception("showing other seats' changes failed")

    def reread_everything(self) -> None:
        """The change feed lost track (this seat was away long): read the page again."""
        self.notes_flush()
        self.controller.reload_campaigns()
        self.model.set_campaign(self.controller.campaign_id)
        self.controller.reload_detail()
        self.controller.refresh_stats()

    # -- export ------------------------------------------------------------------------------
    def export(self) -> None:
        """Export what is shown: with a filter on, ask whether the shown calls or all of them;
        then ask where to save, and export in the background."""
        campaign_id = self.controller.campaign_id
        if campaign_id is None or self.export_job is not None:
            return
        shown = self.model.call_filter
        if shown.is_empty:
            self._choose_file(shown)
            return
        with self.store.session() as session:
            matching = count_calls(session, campaign_id, shown)
            total = count_calls(session, campaign_id)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Export calls",
            f"The filter shows {matching:,} of the campaign's {total:,} calls.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Which calls do you want in the file?")
        only_shown = box.addButton(
            f"Export the {matching:,} shown", QMessageBox.ButtonRole.AcceptRole
        )
        everything = box.addButton(f"Export all {total:,}", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(only_shown)

        def chosen() -> None:
            if box.clickedButton() is only_shown:
                self._choose_file(shown)
            elif box.clickedButton() is everything:
                self._choose_file(CallFilter())

        box.finished.connect(chosen)
        box.open()
        self.export_question = box

    def _choose_file(self, flt: CallFilter) -> None:
        name = self.campaign_combo.currentText() or "calls"
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in name).strip()
        suggested = str(documents_dir(self.home) / f"{safe or 'calls'}.xlsx")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export calls", suggested, "Excel workbook (*.xlsx);;CSV (*.csv)"
        )
        if path:
            fmt = "csv" if chosen.startswith("CSV") or path.lower().endswith(".csv") else "xlsx"
            self.export_to(Path(path), fmt, flt)

    def export_to(self, out: Path, fmt: str, flt: CallFilter | None = None) -> ExportJob | None:
        """Export the calls *flt* selects (None: those shown) to *out*."""
        campaign_id = self.controller.campaign_id
        if campaign_id is None or self.export_job is not None:
            return None
        self.notes_flush()
        if out.suffix.lower() != f".{fmt}":
            out = out.with_name(out.name + f".{fmt}")
        shown = self.model.call_filter if flt is None else flt
        job = ExportJob(self.store, campaign_id, fmt, out, self, flt=shown)
        progress = QProgressDialog(f"Exporting to {out.name}…", "Cancel", 0, 0, self)
        progress.setWindowTitle("Export")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.canceled.connect(job.cancel)
        job.progressed.connect(
            lambda done, total: (progress.setMaximum(total), progress.setValue(done))
        )
        job.finished.connect(self._export_finished)
        job.failed.connect(self._export_failed)
        job.cancelled.connect(self._export_cancelled)
        self.export_job, self._progress = job, progress
        self.export_button.setEnabled(False)
        job.start()
        return job

    def _export_done(self) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
        if self.export_job is not None:
            self.export_job.deleteLater()
        self.export_job, self._progress = None, None
        self.export_button.setEnabled(self.controller.campaign_id is not None)

    def _export_finished(self, rows: int, path: str) -> None:
        self._export_done()
        self.count_label.setText(f"Exported {rows:,} calls to {Path(path).name}")
        self.count_label.setToolTip(path)

    def _export_failed(self, message: str) -> None:
        self._export_done()
        show_error(self, "Export failed", message)

    def _export_cancelled(self) -> None:
        self._export_done()
        self.count_label.setText("Export cancelled; no file was written")
