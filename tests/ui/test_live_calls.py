"""Closing the window while calls are live asks first; a campaign left running says it
resumes on relaunch, with Pause one click away."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from app.dialer.events import DialerStatus
from app.domain.status import CampaignState
from app.store.campaigns import create_campaign, get_by_id
from app.store.models import Contact
from app.store.types import utcnow
from app.ui.app import build_context, stop_services, try_start_services
from app.ui.live_calls import FINISH, LEAVE
from app.ui.main_window import MainWindow


class LiveDialer:
    """Stands for the dialer with calls in progress: what the window asks of it."""

    running = True

    def __init__(self, active: int) -> None:
        self.active = active
        self.held = False

    def status(self) -> DialerStatus:
        return DialerStatus(self.active, 3, None, "Dialing")

    def hold(self) -> None:
        self.held = True


class Services:
    def __init__(self, dialer) -> None:
        self.dialer = dialer


def window_with_calls(qtbot, store, home, active: int) -> tuple[MainWindow, LiveDialer]:
    context = build_context(store, home)
    dialer = LiveDialer(active)
    context.services = Services(dialer)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window, dialer


def click(box, label: str) -> None:
    next(b for b in box.buttons() if b.text() == label).click()


def test_closing_with_live_calls_asks_and_cancel_keeps_the_window(qtbot, store, home):
    window, dialer = window_with_calls(qtbot, store, home, active=2)
    window.close()
    box = window.close_question
    assert window.isVisible() and box.isVisible()
    assert box.text() == "2 calls are in progress."
    assert {FINISH, LEAVE} <= {b.text() for b in box.buttons()}
    box.reject()  # Cancel / Escape
    assert window.isVisible() and not dialer.held


def test_leave_now_closes_at_once(qtbot, store, home):
    window, dialer = window_with_calls(qtbot, store, home, active=1)
    with qtbot.waitSignal(window.closing):
        window.close()
        assert window.close_question.text() == "1 call is in progress."
        click(window.close_question, LEAVE)
    assert not window.isVisible() and not dialer.held


def test_finishing_holds_new_calls_and_closes_when_the_last_ends(qtbot, store, home):
    window, dialer = window_with_calls(qtbot, store, home, active=2)
    window.close()
    click(window.close_question, FINISH)
    assert dialer.held and window.isVisible()
    assert window.dialer_label.text() == "Closing when the 2 calls in progress end"
    window._on_dialer_status(DialerStatus(1, 3, None, "Stopping"))
    assert window.dialer_label.text() == "Closing when the 1 call in progress end"
    with qtbot.waitSignal(window.closing):
        dialer.active = 0
        window._on_dialer_status(DialerStatus(0, 3, None, "Stopping"))
    assert not window.isVisible()


def test_no_calls_no_question(qtbot, store, home):
    window, _dialer = window_with_calls(qtbot, store, home, active=0)
    with qtbot.waitSignal(window.closing):
        window.close()
    assert window.close_question is None


def test_a_campaign_left_running_says_it_resumes_and_pauses_in_one_click(qtbot, qloop, store, home):
    with store.session.begin() as session:
        campaign = create_campaign(session, "Spring promo", caller_id="+15005550006")
        campaign.state = CampaignState.RUNNING.value
        session.flush()
        session.add(  # a retry due later: the campaign stays running, nothing dials now
            Contact(
                campaign_id=campaign.id,
                phone="+12025550100",
                status="queued",
                attempts=1,
                next_attempt_at=utcnow() + timedelta(hours=1),
            )
        )
        create_campaign(session, "Idle one", caller_id="+15005550006")
    with store.session() as session:
        campaign_id = get_by_id(session, 1).id
    context = build_context(store, home)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qloop.run_until_complete(try_start_services(context, window))
    try:
        notice = window.resume_notice
        assert notice is not None and notice.isVisible()
        assert notice.text() == (
            "“Spring promo” was running when CallDeck closed, so it resumes dialing now."
        )
        assert window.isEnabled()  # non-modal: the window stays usable
        click(notice, "Pause it")
        qloop.run_until_complete(asyncio.sleep(0.2))
        with store.session() as session:
            assert get_by_id(session, campaign_id).state == CampaignState.PAUSED.value
    finally:
        qloop.run_until_complete(stop_services(context))
