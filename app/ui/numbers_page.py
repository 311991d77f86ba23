"""Phone numbers: the account's caller-IDs; refresh from Twilio, buy one, or add one by hand."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
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

from app.domain.phone import InvalidPhone, format_national, to_e164
from app.store import numbers as number_store
from app.store.numbers import NumberRecord
from app.ui.context import AppContext
from app.ui.operations import Change, in_transaction, run_op
from app.ui.simple_table import SimpleTableModel

KIND_LABELS = {
    "owned": "Owned (Twilio)",
    "verified": "Verified caller-ID",
    "manual": "Added by hand",
}


class NumbersPage(QWidget):
    title = "Phone numbers"
    main_action = None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model: SimpleTableModel[NumberRecord] = SimpleTableModel(
            [
                ("Number", lambda r: format_national(r.e164)),
                ("E.164", lambda r: r.e164),
                ("Name", lambda r: r.friendly_name),
                ("Kind", lambda r: KIND_LABELS.get(r.kind, r.kind)),
                (
                    "Can call from it",
                    lambda r: "Yes" if r.can_call_from else "Not verified",
                ),
            ],
            self,
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh from Twilio")
        self.refresh_button.clicked.connect(self.sync_from_provider)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._build_manual_box())
        layout.addWidget(self._build_buy_box())
        context.changes.changed.connect(self._on_changed)
        self.refresh()

    def _build_manual_box(self) -> QGroupBox:
        self.manual = QLineEdit(placeholderText="+1 415 555 0100")
        add = QPushButton("Add caller-ID")
        add.clicked.connect(self.add_manual)
        manual_box = QGroupBox("Add a number you already use")
        manual_row = QHBoxLayout(manual_box)
        manual_row.addWidget(self.manual, 1)
        manual_row.addWidget(add)
        return manual_box

    def _build_buy_box(self) -> QGroupBox:
        self.area_code = QLineEdit(placeholderText="Area code, e.g. 415")
        self.area_code.setMaximumWidth(160)
        search = QPushButton("Search")
        search.clicked.connect(self.search_numbers)
        self.available: SimpleTableModel = SimpleTableModel(
            [
                ("Number", lambda a: a.friendly_name),
                ("Locality", lambda a: a.locality or ""),
                ("Region", lambda a: a.region or ""),
            ],
            self,
        )
        self.available_table = QTableView()
        self.available_table.setModel(self.available)
        self.available_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.available_table.verticalHeader().hide()
        self.available_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.available_table.setMaximumHeight(180)
        buy = QPushButton("Buy selected number")
        buy.clicked.connect(self.buy_selected)
        buy_box = QGroupBox("Buy a new number")
        buy_layout = QVBoxLayout(buy_box)
        search_row = QHBoxLayout()
        search_row.addWidget(self.area_code)
        search_row.addWidget(search)
        search_row.addStretch(1)
        search_row.addWidget(buy)
        buy_layout.addLayout(search_row)
        buy_layout.addWidget(self.available_table)
        return buy_box

    # -- the main window's hooks -------------------------------------------------------------
    def attach(self, context: AppContext) -> None:
        pass  # the provider is read from the context when a button needs it

    def on_shown(self) -> None:
        self.refresh()

    def save_state(self, settings) -> None:
        pass

    def restore_state(self, settings) -> None:
        pass

    def _on_changed(self, change: Change) -> None:
        if change.numbers:
            self.refresh()

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        with self.context.store.session() as session:
            rows = number_store.list_numbers(session)
        self.model.set_rows(rows)
        if not rows:
            self.status.setText("No caller-IDs yet. Refresh from Twilio, buy a number, or add one.")

    def _write(self, command, *, done: str, after=None) -> None:
        """Write to the store, then say *done* (the table refreshes on the change)."""

        def succeeded(_result) -> None:
            if after is not None:
                after()
            self.status.setText(done)

        run_op(
            self,
            in_transaction(self.context.store, command),
            kind="now",
            change=Change(numbers=True),
            changes=self.context.changes,
            on_success=succeeded,
            on_error=self.status.setText,
        )

    def add_manual(self) -> None:
        try:
            e164 = to_e164(self.manual.text())
        except InvalidPhone as exc:
            self.status.setText(f"{self.manual.text()!r}: {exc}.")
            return
        self._write(
            lambda session: number_store.add_manual_number(session, e164),
            done=f"Added {e164}. Verify it with Twilio before calling from it.",
            after=self.manual.clear,
        )

    # -- provider work runs as tasks; the page only shows the outcome ------------------------
    def _provider(self):
        """The provider, or None (said on the page) while it is not up yet."""
        if self.context.provider is None:
            self.status.setText("Twilio is not connected yet; try again in a moment.")
        return self.context.provider

    def _ask_provider(self, request, on_answer) -> None:
        run_op(self, request, kind="task", on_success=on_answer, on_error=self._failed)

    def sync_from_provider(self) -> None:
        if (provider := self._provider()) is not None:
            self.status.setText("Asking Twilio for your numbers…")
            self._ask_provider(provider.list_numbers(), self._record_account_numbers)

    def _record_account_numbers(self, numbers: list) -> None:
        self._write(
            lambda session: number_store.record_account_numbers(session, numbers),
            done=f"{len(numbers)} number(s) on the Twilio account.",
        )

    def search_numbers(self) -> None:
        if (provider := self._provider()) is not None:
            area = self.area_code.text().strip() or None
            self._ask_provider(
                provider.search_numbers("US", area_code=area, limit=20), self._show_available
            )

    def _show_available(self, found: list) -> None:
        self.available.set_rows(found)
        self.status.setText(f"{len(found)} number(s) available.")

    def buy_selected(self) -> None:
        row = self.available_table.currentIndex().row()
        if row < 0:
            self.status.setText("Pick a number from the search results first.")
            return
        if (provider := self._provider()) is not None:
            phone_number = self.available.row(row).phone_number
            self._ask_provider(provider.buy_number(phone_number), self._record_bought)

    def _record_bought(self, bought) -> None:
        self._write(
            lambda session: number_store.record_bought_number(
                session, bought.phone_number, bought.friendly_name, bought.sid
            ),
            done=f"Bought {bought.phone_number}.",
        )

    def _failed(self, message: str) -> None:
        self.status.setText(f"Twilio said: {message}")
