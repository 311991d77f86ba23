"""Phone numbers: the account's caller-IDs; refresh from Twilio, buy one, or add one by hand."""

from __future__ import annotations

from dataclasses import dataclass

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
from sqlalchemy import select

from app.domain.phone import InvalidPhone, format_national, to_e164
from app.store.models import PhoneNumber
from app.ui.context import AppContext
from app.ui.simple_table import SimpleTableModel
from app.ui.tasks import spawn

KIND_LABELS = {
    "owned": "Owned (Twilio)",
    "verified": "Verified caller-ID",
    "manual": "Added by hand",
}


@dataclass
class NumberRow:
    e164: str
    friendly_name: str
    kind: str
    verified: bool


class NumbersPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.provider = None
        self.model: SimpleTableModel[NumberRow] = SimpleTableModel(
            [
                ("Number", lambda r: format_national(r.e164)),
                ("E.164", lambda r: r.e164),
                ("Name", lambda r: r.friendly_name),
                ("Kind", lambda r: KIND_LABELS.get(r.kind, r.kind)),
                (
                    "Can call from it",
                    lambda r: "Yes" if r.verified or r.kind == "owned" else "Not verified",
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

        self.manual = QLineEdit(placeholderText="+1 415 555 0100")
        add = QPushButton("Add caller-ID")
        add.clicked.connect(self.add_manual)
        manual_box = QGroupBox("Add a number you already use")
        manual_row = QHBoxLayout(manual_box)
        manual_row.addWidget(self.manual, 1)
        manual_row.addWidget(add)

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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(manual_box)
        layout.addWidget(buy_box)
        self.refresh()

    def attach_provider(self, provider) -> None:
        self.provider = provider

    def on_shown(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        with self.context.store.session() as session:
            rows = [
                NumberRow(n.e164, n.friendly_name, n.kind, n.verified)
                for n in session.scalars(select(PhoneNumber).order_by(PhoneNumber.e164))
            ]
        self.model.set_rows(rows)
        if not rows:
            self.status.setText("No caller-IDs yet. Refresh from Twilio, buy a number, or add one.")

    def add_manual(self) -> None:
        try:
            e164 = to_e164(self.manual.text())
        except InvalidPhone as exc:
            self.status.setText(f"{self.manual.text()!r}: {exc}.")
            return
        with self.context.store.session.begin() as session:
            if session.scalar(select(PhoneNumber).where(PhoneNumber.e164 == e164)) is None:
                session.add(PhoneNumber(e164=e164, friendly_name="", kind="manual"))
        self.manual.clear()
        self.status.setText(f"Added {e164}. Verify it with Twilio before calling from it.")
        self.refresh()

    # -- provider work runs as tasks; the page only shows the outcome ------------------------
    def _require_provider(self) -> bool:
        if self.provider is None:
            self.status.setText("Twilio is not connected yet; try again in a moment.")
            return False
        return True

    def sync_from_provider(self) -> None:
        if self._require_provider():
            self.status.setText("Asking Twilio for your numbers…")
            spawn(self._sync(), on_error=self._failed)

    async def _sync(self) -> None:
        numbers = await self.provider.list_numbers()
        with self.context.store.session.begin() as session:
            for n in numbers:
                row = session.scalar(select(PhoneNumber).where(PhoneNumber.e164 == n.phone_number))
                if row is None:
                    row = PhoneNumber(e164=n.phone_number)
                    session.add(row)
                row.friendly_name = n.friendly_name
                row.provider_sid = n.sid
                row.kind = n.kind
                row.verified = True
        self.status.setText(f"{len(numbers)} number(s) on the Twilio account.")
        self.refresh()

    def search_numbers(self) -> None:
        if self._require_provider():
            area = self.area_code.text().strip() or None
            spawn(self._search(area), on_error=self._failed)

    async def _search(self, area_code: str | None) -> None:
        found = await self.provider.search_numbers("US", area_code=area_code, limit=20)
        self.available.set_rows(found)
        self.status.setText(f"{len(found)} number(s) available.")

    def buy_selected(self) -> None:
        row = self.available_table.currentIndex().row()
        if row < 0 or not self._require_provider():
            self.status.setText("Pick a number from the search results first.")
            return
        spawn(self._buy(self.available.row(row).phone_number), on_error=self._failed)

    async def _buy(self, phone_number: str) -> None:
        bought = await self.provider.buy_number(phone_number)
        with self.context.store.session.begin() as session:
            session.add(
                PhoneNumber(
                    e164=bought.phone_number,
                    friendly_name=bought.friendly_name,
                    provider_sid=bought.sid,
                    kind="owned",
                    verified=True,
                )
            )
        self.status.setText(f"Bought {bought.phone_number}.")
        self.refresh()

    def _failed(self, message: str) -> None:
        self.status.setText(f"Twilio said: {message}")
