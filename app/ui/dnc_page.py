"""Do not call: every number that is never called, where it came from and why; search, add,
remove (with Undo), import a list, export it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.contacts.dnc_file import read_dnc_file
from app.domain.phone import InvalidPhone, format_international, to_e164
from app.paths import documents_dir
from app.results.dnc_export import export_dnc
from app.settings import get_setting
from app.store import dnc as dnc_store
from app.store.dnc import DncRecord
from app.store.types import utcnow
from app.ui.context import AppContext
from app.ui.messages import show_error
from app.ui.operations import Change, in_transaction, run_op
from app.ui.pages import MainAction, focus_search_box
from app.ui.simple_table import Index, SimpleTableModel
from app.ui.undo import UndoBar, confirm_loss, plural

LIST_FILTER = "Lists (*.csv *.tsv *.txt *.xlsx);;All files (*)"
# Contacts at these numbers are skipped by the dialer: their campaigns' rows say so.
DNC_CHANGED = Change(campaigns=True)


def _added(record: DncRecord) -> str:
    return record.created_at.astimezone().strftime("%d %b %Y %H:%M")


class DncTableModel(SimpleTableModel[DncRecord]):
    """The entries; the E.164 form and the whole reason are in the tooltips."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            record = self.row(index.row())
            return record.phone if index.column() == 0 else record.reason or None
        return super().data(index, role)


class DncPage(QWidget):
    title = "Do not call"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.main_action = MainAction("Import…", self.import_list)
        self.model = DncTableModel(
            [
                # International: the list mixes every campaign's countries.
                ("Number", lambda r: format_international(r.phone)),
                ("Source", lambda r: r.source_label),
                ("Evidence", lambda r: r.reason),
                ("Added", _added),
            ],
            self,
        )
        self.table = QTableView()
        self.table.setObjectName("dncTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 170)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(3, 140)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        remove_key = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self.remove_selected)

        self.count_label = QLabel()
        self.search = QLineEdit(
            placeholderText="Search number or evidence", clearButtonEnabled=True
        )
        self.search.setObjectName("dncSearch")
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.export_list)
        self.remove_button = QPushButton("Remove from the list…")
        self.remove_button.clicked.connect(self.remove_selected)
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.search, 1)
        top.addWidget(self.export_button)
        top.addWidget(self.remove_button)

        self.undo_bar = UndoBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.undo_bar)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._build_add_box())
        context.changes.changed.connect(self._on_changed)
        self.refresh()

    def _build_add_box(self) -> QGroupBox:
        self.new_number = QLineEdit(placeholderText="+44 20 7946 0958")
        self.new_reason = QLineEdit(placeholderText="Why (e.g. asked by email on 1 Dec)")
        add = QPushButton("Add to the list")
        add.clicked.connect(self.add_number)
        self.new_number.returnPressed.connect(add.click)
        self.new_reason.returnPressed.connect(add.click)
        box = QGroupBox("Add a number")
        row = QHBoxLayout(box)
        row.addWidget(self.new_number, 1)
        row.addWidget(self.new_reason, 2)
        row.addWidget(add)
        return box

    # -- the main window's hooks -------------------------------------------------------------
    def attach(self, context: AppContext) -> None:
        pass  # entries the agent adds show when the page is shown

    def focus_search(self) -> None:
        focus_search_box(self.search)

    def on_shown(self) -> None:
        self.refresh()

    def save_state(self, settings) -> None:
        pass

    def restore_state(self, settings) -> None:
        pass

    def _on_changed(self, change: Change) -> None:
        if change.campaigns and self.isVisible():  # a disposition or a call may have added one
            self.refresh()

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        with self.context.store.session() as session:
            rows = dnc_store.list_entries(session, self.search.text())
            total = dnc_store.count_entries(session)
        self.model.set_rows(rows)
        if not total:
            self.count_label.setText(
                "No number is on the do-not-call list yet. Callees who ask not to be called are "
                "added here, with their words."
            )
        elif len(rows) == total:
            self.count_label.setText(f"{plural(total, 'number')} will never be called.")
        else:
            self.count_label.setText(f"{len(rows):,} of {plural(total, 'number')} match.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.selected()))
        self.export_button.setEnabled(self.model.rowCount() > 0)

    def selected(self) -> list[DncRecord]:
        rows = self.table.selectionModel().selectedRows()
        return [self.model.row(index.row()) for index in rows]

    def _region(self) -> str:
        with self.context.store.session() as session:
            return get_setting(session, "default_region") or "US"

    def _error(self, message: str) -> None:
        show_error(self, "Do not call", message)

    def _save(self, command, on_success) -> None:
        run_op(
            self,
            in_transaction(self.context.store, command),
            kind="now",
            change=DNC_CHANGED,
            changes=self.context.changes,
            on_success=lambda result: (on_success(result), self.refresh()),
            on_error=self._error,
        )

    # -- commands ------------------------------------------------------------------------------
    def add_number(self) -> None:
        try:
            phone = to_e164(self.new_number.text(), self._region())
        except InvalidPhone as exc:
            self._error(str(exc))
            return
        reason = self.new_reason.text().strip()
        record = DncRecord(phone, "manual", reason, utcnow())

        def done(added: int) -> None:
            self.new_number.clear()
            self.new_reason.clear()
            shown = format_international(phone)
            self.undo_bar.offer(
                f"{shown} will never be called." if added else f"{shown} was on the list already.",
                (lambda: self._remove([record], offer_undo=False)) if added else None,
            )

        self._save(lambda session: dnc_store.add_entries(session, [record]), done)

    def remove_selected(self) -> None:
        records = self.selected()
        if not records:
            return
        phones = [r.phone for r in records]
        with self.context.store.session() as session:
            callers = dnc_store.campaigns_calling(session, phones)
        what = (
            format_international(phones[0]) if len(phones) == 1 else plural(len(phones), "number")
        )
        text = f"Take {what} off the do-not-call list?"
        evidence = [r.reason for r in records if r.reason][:3]
        if evidence:
            text += "\n\nThe evidence kept with it is deleted: " + "; ".join(evidence)
        if callers:
            names = ", ".join(f"{name} ({n:,})" for name, n in callers)
            text += (
                f"\n\nThese campaigns have contacts at these numbers and may call them: {names}."
            )
        confirm_loss(
            self, "Remove from the do-not-call list", text, "Remove", lambda: self._remove(records)
        )

    def _remove(self, records: list[DncRecord], *, offer_undo: bool = True) -> None:
        phones = [r.phone for r in records]

        def done(removed: list[DncRecord]) -> None:
            what = (
                format_international(phones[0])
                if len(phones) == 1
                else plural(len(phones), "number")
            )
            self.undo_bar.offer(
                f"Took {what} off the do-not-call list.",
                (lambda: self._restore(removed)) if offer_undo else None,
            )

        self._save(lambda session: dnc_store.remove_entries(session, phones), done)

    def _restore(self, records: list[DncRecord]) -> None:
        self._save(
            lambda session: dnc_store.add_entries(session, records),
            lambda added: self.undo_bar.offer(
                f"Put back {plural(added, 'number')} on the list.", None
            ),
        )

    def import_list(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a do-not-call list", str(documents_dir(self.context.home)), LIST_FILTER
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        """Read *path* off the GUI thread, then add its numbers (existing entries are kept)."""
        region = self._region()

        def read(_progress, _cancel):
            return read_dnc_file(path, region)

        def add(found) -> None:
            def done(added: int) -> None:
                skipped = len(found.records) - added
                parts = [f"Added {plural(added, 'number')} from {path.name}"]
                if skipped:
                    parts.append(f"on the list already: {skipped:,}")
                if found.invalid:
                    parts.append(f"not valid: {len(found.invalid):,} ({found.invalid[0]})")
                self.undo_bar.offer("; ".join(parts) + ".", None)

            self._save(lambda session: dnc_store.add_entries(session, found.records), done)

        run_op(self, read, kind="thread", on_success=add, on_error=self._error)

    def export_list(self) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self,
            "Export the do-not-call list",
            str(documents_dir(self.context.home) / "do-not-call.csv"),
            "CSV (*.csv)",
        )
        if target:
            self.export_to(Path(target))

    def export_to(self, path: Path) -> None:
        """Export what is shown (the search applies)."""
        count = export_dnc(self.model.rows(), path)
        self.undo_bar.offer(f"Exported {plural(count, 'number')} to {path}.", None)
