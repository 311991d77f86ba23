"""The Phone numbers page against the emulator through the real SDK: list (cached, with the
time), search and buy after a confirmation naming the number and the cost, verify with the
code shown, release after a confirmation listing the campaigns that use the number."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QMessageBox

from app.store.campaigns import create_campaign
from app.store.numbers import list_numbers
from app.telephony.twilio_provider import TwilioProvider
from app.ui.context import AppContext
from app.ui.numbers_page import NumbersPage


def test_add_a_caller_id_by_hand(qtbot, qtmodeltester, store, home):
    page = NumbersPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    assert "No caller-IDs yet" in page.status.text()
    assert "Not read from Twilio yet" in page.refreshed.text()
    page.manual.setText("12")
    page.add_manual()
    assert "'12'" in page.status.text() and page.model.rowCount() == 0
    page.manual.setText("(415) 555-0100")
    page.add_manual()
    assert page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == "+14155550100"
    assert page.model.index(0, 4).data() == "Not verified"
    qtmodeltester.check(page.model, force_py=True)


def test_provider_actions_wait_for_the_provider(qtbot, store, home):
    page = NumbersPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    page.sync_from_provider()
    assert "not connected yet" in page.status.text()


@pytest.fixture
def page(qtbot, qloop, store, home, make_emulator, monkeypatch):
    monkeypatch.setattr("app.telephony.caller_ids.VERIFY_POLL_S", 0.05)
    emulator = make_emulator()
    provider = TwilioProvider(emulator.account_sid, emulator.auth_token, base_url=emulator.base_url)
    context = AppContext(store=store, home=home, demo_mode=True)
    context.services = SimpleNamespace(provider=provider, dialer=None, emulator=emulator)
    shown = NumbersPage(context)
    shown.emulator = emulator
    qtbot.addWidget(shown)
    yield shown
    qloop.run_until_complete(provider.close())


def settle(qloop, until) -> None:
    async def wait():
        while not until():
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(wait(), 20))


def rows(page) -> dict[str, tuple[str, str]]:
    return {
        page.model.index(r, 1).data(): (
            page.model.index(r, 3).data(),
            page.model.index(r, 4).data(),
        )
        for r in range(page.model.rowCount())
    }


def answer_yes(page) -> str:
    box = page.confirmation
    text = box.text()
    box.done(QMessageBox.StandardButton.Yes.value)
    page.confirmation = None
    return text


def test_refresh_lists_the_accounts_numbers_with_the_time(qloop, page):
    page.sync_from_provider()
    settle(qloop, lambda: "number(s) on the account" in page.status.text())
    assert rows(page) == {
        "+15005550006": ("Owned (Twilio)", "Yes"),
        "+14155550100": ("Owned (Twilio)", "Yes"),
        "+14155550199": ("Verified caller-ID", "Yes"),
    }
    assert page.refreshed.text().startswith("As Twilio listed them at ")


def test_search_then_buy_after_a_confirmation_naming_number_and_cost(qloop, page, store):
    page.number_type.setCurrentIndex(page.number_type.findData("TollFree"))
    page.contains.setText("55")
    page.search_numbers()
    settle(qloop, lambda: "available" in page.status.text())
    first = page.available.row(0)
    assert first.phone_number.startswith("+1833") and "55" in first.phone_number
    assert page.available.index(0, 3).data() == "mms, sms, voice"
    page.available_table.selectRow(0)
    page.buy_selected()
    question = answer_yes(page)
    assert f"Buy {first.phone_number}" in question and "Nothing is charged in demo mode" in question
    settle(qloop, lambda: page.status.text().startswith("Bought"))
    assert rows(page)[first.phone_number] == ("Owned (Twilio)", "Yes")


def test_search_by_city_in_the_teams_country(qloop, page):
    assert page.country.text() == "US"  # Settings › Defaults' country
    page.locality.setText("Austin")
    page.search_numbers()
    settle(qloop, lambda: "available" in page.status.text())
    found = [page.available.row(r) for r in range(page.available.rowCount())]
    assert found and {n.locality for n in found} == {"Austin"}


def test_a_verification_twilio_refuses_is_explained(qloop, page):
    page.manual.setText("+1 415 555 0199")  # the emulator account's verified caller-ID
    page.verify_number()
    settle(qloop, lambda: page.status.text().startswith("Twilio said:"))
    assert "already verified" in page.status.text() and "21450" in page.status.text()
    assert not page.code.isVisibleTo(page)


def test_verify_shows_the_code_then_lists_the_number(qloop, page):
    page.manual.setText("+1 415 555 0142")
    page.verify_number()
    settle(qloop, lambda: page.code.isVisibleTo(page))
    assert page.code.text().isdigit() and len(page.code.text()) == 6
    assert "Twilio is calling +14155550142 now" in page.status.text()
    settle(qloop, lambda: page.status.text().startswith("Verified"))
    assert rows(page)["+14155550142"] == ("Verified caller-ID", "Yes")
    assert not page.code.isVisibleTo(page)


def test_release_names_the_campaigns_that_use_the_number(qloop, page, store):
    page.sync_from_provider()
    settle(qloop, lambda: "number(s) on the account" in page.status.text())
    with store.session.begin() as session:
        create_campaign(session, "Spring", caller_id="+14155550100")
    row = next(r for r in range(page.model.rowCount()) if page.model.row(r).e164 == "+14155550100")
    page.table.selectRow(row)
    page.release_selected()
    box = page.confirmation
    assert "Release +14155550100" in box.text() and "monthly fee stops" in box.text()
    assert "refused at Start until you pick another caller-ID: Spring." in box.text()
    box.done(QMessageBox.StandardButton.Cancel.value)  # no: nothing is released
    page.release_selected()
    answer_yes(page)
    settle(qloop, lambda: "no longer on the account" in page.status.text())
    assert rows(page)["+14155550100"] == ("Not on the account", "Not verified")
    page.sync_from_provider()  # Twilio agrees: it no longer lists it
    settle(qloop, lambda: "number(s) on the account" in page.status.text())
    assert rows(page)["+14155550100"] == ("Not on the account", "Not verified")

    row = next(r for r in range(page.model.rowCount()) if page.model.row(r).e164 == "+14155550199")
    page.table.selectRow(row)
    page.release_selected()
    assert "Remove the caller-ID +14155550199" in answer_yes(page)
    settle(qloop, lambda: "no longer on the account" in page.status.text())
    with store.session() as session:
        callable_now = {n.e164 for n in list_numbers(session) if n.can_call_from}
    assert callable_now == {"+15005550006"}
