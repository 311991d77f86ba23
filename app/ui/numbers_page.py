"""Phone numbers: the account's numbers and verified caller-IDs (cached, with the time of the
last refresh); buy one, verify one you already have, release or remove one, each destructive
step after a confirmation that names what stops working."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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
from app.secrets import mask_sid
from app.settings import get_setting
from app.store import numbers as number_store
from app.store.numbers import NumberRecord
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.operations import Change, in_transaction, run_op
from app.ui.simple_table import SimpleTableModel
from app.ui.tables import row_table

KIND_LABELS = {
    "owned": "Owned (Twilio)",
    "verified": "Verified caller-ID",
    "manual": "Not on the account",
}
NUMBER_TYPES = {"Local": "Local", "Mobile": "Mobile", "TollFree": "Toll-free"}
PRICING_URL = "https://www.twilio.com/en-us/voice/pricing"


def _capabilities(found) -> str:
    return ", ".join(name for name, able in sorted(found.capabilities.items()) if able) or "—"


class NumbersPage(QWidget):
    title = "Phone numbers"
    main_action = None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.confirmation = None  # the open confirmation box, if any (tests answer it)
        self.model: SimpleTableModel[NumberRecord] = SimpleTableModel(
            [
                ("Number", lambda r: format_national(r.e164)),
                ("E.164", lambda r: r.e164),
                ("Name", lambda r: r.friendly_name),
                ("Kind", lambda r: KIND_LABELS.get(r.kind, r.kind)),
                ("Can call from it", lambda r: "Yes" if r.can_call_from else "Not verified"),
            ],
            self,
        )
        self.table = row_table(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.refreshed = QLabel()
        self.refresh_button = QPushButton("Refresh from Twilio")
        self.refresh_button.clicked.connect(self.sync_from_provider)
        self.release_button = QPushButton("Release / remove…")
        self.release_button.setToolTip("Give a bought number back, or remove a verified caller-ID")
        self.release_button.clicked.connect(self.release_selected)
        top = QHBoxLayout()
        top.addWidget(self.refreshed, 1)
        top.addWidget(self.release_button)
        top.addWidget(self.refresh_button)

        self.code = QLabel()  # the six-digit code to type when Twilio calls
        self.code.setStyleSheet("font-size:20pt;font-weight:bold;")
        self.code.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.code)
        layout.addWidget(self._build_verify_box())
        layout.addWidget(self._build_buy_box())
        context.changes.changed.connect(self._on_changed)
        self.refresh()

    def _build_verify_box(self) -> QGroupBox:
        self.manual = QLineEdit(placeholderText="+1 415 555 0100")
        verify = QPushButton("Verify with Twilio…")
        verify.setToolTip("Twilio calls the number; type the code shown here on its keypad")
        verify.clicked.connect(self.verify_number)
        add = QPushButton("Add without verifying")
        add.clicked.connect(self.add_manual)
        box = QGroupBox("Use a number you already have (Twilio calls it to verify it)")
        row = QHBoxLayout(box)
        row.addWidget(self.manual, 1)
        row.addWidget(add)
        row.addWidget(verify)
        return box

    def _build_buy_box(self) -> QGroupBox:
        with self.context.store.session() as session:  # Settings › Defaults
            self.country = QLineEdit(get_setting(session, "default_region"))
        self.country.setMaxLength(2)
        self.country.setMaximumWidth(50)
        self.number_type = QComboBox()
        for value, label in NUMBER_TYPES.items():
            self.number_type.addItem(label, value)
        self.area_code = QLineEdit(placeholderText="Area code, e.g. 415")
        self.area_code.setMaximumWidth(160)
        self.contains = QLineEdit(placeholderText="Contains, e.g. 55")
        self.contains.setMaximumWidth(160)
        self.locality = QLineEdit(placeholderText="City, e.g. Austin")
        self.locality.setMaximumWidth(160)
        search = QPushButton("Search")
        search.clicked.connect(self.search_numbers)
        self.available: SimpleTableModel = SimpleTableModel(
            [
                ("Number", lambda a: a.friendly_name),
                ("Locality", lambda a: a.locality or ""),
                ("Region", lambda a: a.region or ""),
                ("Can do", _capabilities),
            ],
            self,
        )
        self.available_table = QTableView()
        self.available_table.setModel(self.available)
        self.available_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.available_table.verticalHeader().hide()
        self.available_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.available_table.setMaximumHeight(180)
        buy = QPushButton("Buy selected number…")
        buy.clicked.connect(self.buy_selected)
        buy_box = QGroupBox("Buy a new number")
        buy_layout = QVBoxLayout(buy_box)
        search_row = QHBoxLayout()
        search_row.addWidget(QLabel("Country"))
        search_row.addWidget(self.country)
        search_row.addWidget(self.number_type)
        search_row.addWidget(self.area_code)
        search_row.addWidget(self.contains)
        search_row.addWidget(self.locality)
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
            refreshed = number_store.last_refreshed(session)
        self.model.set_rows(rows)
        if refreshed is None:
            self.refreshed.setText("Not read from Twilio yet: press Refresh.")
        else:
            self.refreshed.setText(
                f"As Twilio listed them at {refreshed.astimezone():%a %d %b %H:%M}."
            )
        if not rows:
            self.status.setText(
                "No caller-IDs yet. Refresh from Twilio, buy a number, or verify one."
            )

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

    def _typed_number(self) -> str | None:
        try:
            return to_e164(self.manual.text())
        except InvalidPhone as exc:
            self.status.setText(f"{self.manual.text()!r}: {exc}.")
            return None

    def add_manual(self) -> None:
        if (e164 := self._typed_number()) is None:
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

    def _account_words(self) -> str:
        if self.context.demo_mode:
            return "the demo account (simulated: nothing is charged)"
        return f"Twilio account {mask_sid(self.context.account_sid or '')}"

    def _ask_provider(self, request, on_answer) -> None:
        run_op(self, request, kind="task", on_success=on_answer, on_error=self._failed)

    def sync_from_provider(self) -> None:
        if (provider := self._provider()) is not None:
            self.status.setText("Asking Twilio for your numbers…")
            self._ask_provider(provider.list_numbers(), self._record_account_numbers)

    def _record_account_numbers(self, numbers: list) -> None:
        self._write(
            lambda session: number_store.replace_account_numbers(session, numbers),
            done=f"{len(numbers)} number(s) on the account.",
        )

    def search_numbers(self) -> None:
        if (provider := self._provider()) is not None:
            self.status.setText("Searching…")
            self._ask_provider(
                provider.search_numbers(
                    self.country.text().strip().upper() or "US",
                    area_code=self.area_code.text().strip() or None,
                    contains=self.contains.text().strip() or None,
                    locality=self.locality.text().strip() or None,
                    number_type=self.number_type.currentData(),
                    limit=20,
                ),
                self._show_available,
            )

    def _show_available(self, found: list) -> None:
        self.available.set_rows(found)
        self.status.setText(
            f"{len(found)} number(s) available."
            if found
            else "No number matches: widen the search."
        )

    def buy_selected(self) -> None:
        row = self.available_table.currentIndex().row()
        if row < 0:
            self.status.setText("Pick a number from the search results first.")
            return
        if self._provider() is None:
            return
        found = self.available.row(row)
        where = ", ".join(part for part in (found.locality, found.region) if part)
        kind = NUMBER_TYPES.get(found.number_type, found.number_type).lower()
        cost = (
            "Nothing is charged in demo mode."
            if self.context.demo_mode
            else f"Twilio bills the monthly fee of a {kind} number in {found.iso_country} from "
            f"today until you release it (prices: {PRICING_URL})."
        )
        self.confirmation = confirm(
            self,
            "Buy a number",
            f"Buy {found.phone_number} ({found.friendly_name}{', ' + where if where else ''}) "
            f"on {self._account_words()}?\n\n{cost}",
            lambda: self._buy(found.phone_number),
        )

    def _buy(self, phone_number: str) -> None:
        if (provider := self._provider()) is not None:
            self.status.setText(f"Buying {phone_number}…")
            self._ask_provider(provider.buy_number(phone_number), self._record_bought)

    def _record_bought(self, bought) -> None:
        self._write(
            lambda session: number_store.record_account_numbers(session, [bought]),
            done=f"Bought {bought.phone_number}: pick it as a campaign's caller-ID.",
        )

    # -- verify ----------------------------------------------------------------------------------
    def verify_number(self) -> None:
        from app.telephony.caller_ids import verify_caller_id

        if (e164 := self._typed_number()) is None or (provider := self._provider()) is None:
            return
        self.status.setText(f"Asking Twilio to call {e164}…")

        def show_code(code: str) -> None:
            self.code.setText(code)
            self.code.show()
            self.status.setText(
                f"Twilio is calling {e164} now. Answer, and when asked type this code on the "
                "phone's keypad. CallDeck lists the number as soon as Twilio confirms it."
            )

        def verified(numbers: list) -> None:
            self.code.hide()
            self.manual.clear()
            self._write(
                lambda session: number_store.replace_account_numbers(session, numbers),
                done=f"Verified {e164}: campaigns can call from it now.",
            )

        def failed(message: str) -> None:
            self.code.hide()
            self._failed(message)

        run_op(
            self,
            verify_caller_id(provider, e164, show_code),
            kind="task",
            on_success=verified,
            on_error=failed,
        )

    # -- release / remove ------------------------------------------------------------------------
    def release_selected(self) -> None:
        row = self.table.currentIndex().row()
        if row < 0:
            self.status.setText("Select a number in the list first.")
            return
        number = self.model.row(row)
        with self.context.store.session() as session:
            using = number_store.campaigns_using(session, number.e164)
            sid = number_store.provider_sid_of(session, number.e164)
        if number.kind not in number_store.ACCOUNT_KINDS or not sid:
            self.status.setText(
                f"{number.e164} is not on the account: there is nothing to release."
            )
            return
        if self._provider() is None:
            return
        stops = (
            "Campaigns that call from it will be refused at Start until you pick another "
            f"caller-ID: {', '.join(using)}."
            if using
            else "No campaign calls from it."
        )
        if number.kind == "owned":
            question = (
                f"Release {number.e164} ({number.friendly_name})? It goes back to Twilio: its "
                "monthly fee stops, calls can no longer come from it, and you may not get the "
                "same number again."
            )
            method = "release_number"
        else:
            question = (
                f"Remove the caller-ID {number.e164} ({number.friendly_name})? Calls can no "
                "longer come from it until it is verified again."
            )
            method = "remove_caller_id"

        def release() -> None:
            if (provider := self._provider()) is not None:  # the one in use when confirmed
                work = getattr(provider, method)(sid)
                self._ask_provider(work, lambda _none: self._released(number.e164))

        self.confirmation = confirm(self, "Release a number", f"{question}\n\n{stops}", release)

    def _released(self, e164: str) -> None:
        self._write(
            lambda session: number_store.forget_from_account(session, e164),
            done=f"{e164} is no longer on the account.",
        )

    def _failed(self, message: str) -> None:
        self.status.setText(f"Twilio said: {message}")
