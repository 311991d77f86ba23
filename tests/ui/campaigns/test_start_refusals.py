"""Start is refused before any call, with the reason and the fix on screen; a campaign the
dialer paused shows why in its row and in the status bar."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QMessageBox

from app.demo import seed_demo
from app.settings import set_setting
from app.store.campaigns import create_campaign, get_by_name
from app.store.models import Contact
from app.store.numbers import add_manual_number, record_account_numbers, replace_account_numbers
from app.telephony.base import OwnedNumber as Listed
from app.ui.app import build_context, stop_services, try_start_services
from app.ui.campaigns.campaigns_model import NEXT_RUN_COLUMN, STATE_COLUMN
from app.ui.campaigns.page import CampaignsPage
from app.ui.context import AppContext
from app.ui.main_window import MainWindow

ALWAYS = {"window_start": "00:00", "window_end": "24:00", "window_days": "mon-sun"}


def settle(qloop, until) -> None:
    async def wait():
        while not until():
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(wait(), 20))


def refused_with(qtbot, qloop, page, store, name: str) -> str:
    with store.session() as session:
        campaign_id = get_by_name(session, name).id
    page.start_or_pause(campaign_id, pausing=False)
    settle(qloop, lambda: page.findChildren(QMessageBox))
    [box] = page.findChildren(QMessageBox)
    text = box.text()
    box.done(0)
    box.setParent(None)
    with store.session() as session:
        assert get_by_name(session, name).state == "draft"  # nothing started, nothing dialled
        assert not session.query(Contact).filter(Contact.status != "queued").count()
    return text


def test_each_caller_id_that_cannot_dial_is_refused_before_any_call(qtbot, qloop, store, home):
    with store.session.begin() as session:
        replace_account_numbers(session, [Listed("PN1", "+14155550100", "Main", "owned")])
        add_manual_number(session, "+14155550123")
        create_campaign(session, "Nothing to call from")
        create_campaign(session, "Unverified", caller_id="+14155550123")
        trial = create_campaign(session, "Trial", caller_id="+14155550100")
        session.add(Contact(campaign_id=trial.id, phone="+14155550177"))
    page = CampaignsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)

    text = refused_with(qtbot, qloop, page, store, "Nothing to call from")
    assert "has no caller-ID" in text and "pick one of your numbers" in text
    text = refused_with(qtbot, qloop, page, store, "Unverified")
    assert "+14155550123 is not a number the demo account owns" in text
    assert "Verify it on the Phone numbers page" in text

    with store.session.begin() as session:  # a live trial account
        set_setting(session, "twilio_account_sid", "AC" + "4" * 32)
        set_setting(session, "twilio_account_trial", True)
    text = refused_with(qtbot, qloop, page, store, "Trial")
    assert "trial Twilio account" in text and "+14155550177" in text


def test_a_campaign_the_dialer_paused_says_why_in_its_row_and_the_status_bar(
    qtbot, qloop, store, home
):
    seed_demo(store)
    with store.session.begin() as session:
        # The cache says the account owns it, but the emulator does not: Twilio says 21210.
        record_account_numbers(session, [Listed("PN9", "+14155550142", "Stale", "owned")])
        campaign = create_campaign(session, "Stale caller-ID", caller_id="+14155550142", **ALWAYS)
        session.add(Contact(campaign_id=campaign.id, phone="+14155550181"))
        campaign_id = campaign.id
    context = build_context(store, home)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()

    async def start_and_wait_for_the_pause():
        # One run of the loop: the dialer's tasks must not start between two runs.
        await try_start_services(context, window)
        window.campaigns.start_or_pause(campaign_id, pausing=False)
        while not window.campaigns.model.paused_because(campaign_id):
            await asyncio.sleep(0.02)

    try:
        qloop.run_until_complete(asyncio.wait_for(start_and_wait_for_the_pause(), 20))
        page = window.campaigns
        row = page.model.row_of(campaign_id)
        reason = page.model.index(row, NEXT_RUN_COLUMN).data()
        assert reason.startswith("⚠ ") and "Phone numbers page" in reason
        assert "error 21210" in page.model.index(row, STATE_COLUMN).data(3)  # the tooltip
        assert window.notice_label.text().startswith("Stale caller-ID paused: ")
        assert "error 21210" in window.notice_label.text()
    finally:
        qloop.run_until_complete(stop_services(context))
