import asyncio
from types import SimpleNamespace

from PySide6.QtCore import QObject, Signal

from app.demo import seed_demo
from app.secrets import set_auth_token
from app.settings import set_setting
from app.store.models import Campaign
from app.ui.app import build_context
from app.ui.main_window import MainWindow
from app.ui.pages import MainAction

SID = "AC" + "0123456789abcdef" * 2


def make_window(qtbot, store, home) -> MainWindow:
    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.show()
    return window


def test_every_page_opens_with_its_title_and_action(qtbot, store, home):
    seed_demo(store)
    window = make_window(qtbot, store, home)
    assert window.page_names() == [
        "Campaigns",
        "Agents",
        "Phone numbers",
        "Results",
        "Do not call",
        "Settings",
    ]
    for name in window.page_names():
        window.show_page(name)
        assert window.title.text() == name
        assert window.stack.currentWidget().isVisible()
    window.show_page("Campaigns")
    assert window.main_action_button.text() == "New campaign"
    assert window.campaigns.model.rowCount() == 2
    assert window.agents.model.rowCount() == 2  # the demo's two agent templates
    assert window.numbers.model.rowCount() == 1


def test_status_bar_says_demo_or_live(qtbot, store, home):
    window = make_window(qtbot, store, home)
    assert "Demo mode" in window.mode_label.text()
    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", SID)
    set_auth_token(SID, "token")
    live = make_window(qtbot, store, home)
    assert live.mode_label.text().strip() == "Live — Twilio account AC…cdef"
    assert "token" not in live.mode_label.text()


def test_empty_state_teaches_and_opens_the_demo(qtbot, store, home):
    window = make_window(qtbot, store, home)
    page = window.campaigns
    assert page.top.currentWidget() is page.empty_state
    page.open_demo()
    assert page.top.currentWidget() is page.table
    assert page.model.rowCount() == 2
    assert page.contacts_model.rowCount() == 36  # the first campaign is selected


def test_in_live_mode_open_the_demo_first_says_what_it_adds(qtbot, store, home):
    from PySide6.QtWidgets import QMessageBox

    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", SID)
    set_auth_token(SID, "token")
    window = make_window(qtbot, store, home)
    page = window.campaigns
    page.open_demo()
    question = page.demo_question
    assert question.isVisible() and "test numbers" in question.text()
    assert "real calls" in question.text()
    assert page.model.rowCount() == 0  # nothing added before the answer
    question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)


def test_start_and_pause_from_the_row_without_a_dialer(qtbot, qloop, store, home):
    seed_demo(store)
    window = make_window(qtbot, store, home)
    page = window.campaigns
    page.toggle_row(0)
    qloop.run_until_complete(asyncio.sleep(0.05))
    with store.session() as session:
        assert session.get(Campaign, page.model.campaign_id(0)).state == "running"
    assert page.model.summary(0).state == "running"
    page.toggle_row(0)
    qloop.run_until_complete(asyncio.sleep(0.05))
    assert page.model.summary(0).state == "paused"


def test_closing_the_window_starts_the_shutdown(qtbot, store, home):
    window = make_window(qtbot, store, home)
    with qtbot.waitSignal(window.closing):
        window.close()


class FakeBridge(QObject):
    contactChanged = Signal(int, int, str)
    callEnded = Signal(int, int)
    campaignStateChanged = Signal(int, str, str)
    campaignPausedBecause = Signal(int, str)
    statusChanged = Signal(object)


class FakeDialer:
    running = False

    def __init__(self) -> None:
        self.cps: list[float] = []

    def call_updates(self) -> str:
        return "Call updates: polling every 2 s (no public address)"

    def set_cps(self, cps: float) -> None:
        self.cps.append(cps)


def test_pages_are_pages_and_are_attached_before_and_after_services(qtbot, store, home):
    seed_demo(store)
    window = make_window(qtbot, store, home)
    window.show_page("Agents")  # built before the services start
    context = window.context
    context.bridge = FakeBridge()
    context.services = SimpleNamespace(dialer=FakeDialer(), provider=None, emulator=None)
    window.attach_services(context)
    for name in window.page_names():
        page = window.page(name)  # the rest are built after
        assert page.title == name
        assert page.main_action is None or isinstance(page.main_action, MainAction)

    campaigns = window.campaigns
    campaigns.model.refresh = lambda: setattr(campaigns, "refreshed", True)
    context.bridge.campaignStateChanged.emit(campaigns.model.campaign_id(0), "running", "")
    assert getattr(campaigns, "refreshed", False)  # the bridge reaches the attached page

    window.settings.defaults.cps.setValue(2.5)
    assert window.settings.defaults.save()
    assert context.dialer.cps == [2.5]  # the page reads the dialer from the context


def test_ctrl_q_closes_the_window_the_normal_way(qtbot, store, home):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    window = make_window(qtbot, store, home)
    assert QKeySequence("Ctrl+Q") in window.quit_action.shortcuts()
    with qtbot.waitActive(window):
        window.activateWindow()
    with qtbot.waitSignal(window.closing):  # emitted by closeEvent, which stops services
        qtbot.keyClick(window.nav, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_ctrl_f_focuses_the_search_box_of_the_page_shown(qtbot, store, home):
    from PySide6.QtCore import Qt

    seed_demo(store)
    window = make_window(qtbot, store, home)
    with qtbot.waitActive(window):
        window.activateWindow()
    window.campaigns.table.selectRow(0)  # the contacts search belongs to a campaign
    for name, search in (
        ("Campaigns", lambda: window.campaigns.search),
        ("Results", lambda: window.results.search),
        ("Do not call", lambda: window.page("Do not call").search),
    ):
        window.show_page(name)
        search().setText("old words")
        window.nav.setFocus()
        qtbot.keyClick(window.nav, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert search().hasFocus(), name
        assert search().selectedText() == "old words"  # typing replaces the last search
    window.show_page("Phone numbers")  # no search box: Ctrl+F does nothing, and says nothing
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.hasFocus()


def test_the_contacts_search_starts_empty_in_each_campaign(qtbot, store, home):
    seed_demo(store)
    window = make_window(qtbot, store, home)
    page = window.campaigns
    page.table.selectRow(0)
    page.search.setText("zzz nobody")
    page._reload_contacts()
    assert page.contacts_model.rowCount() == 0
    page.table.selectRow(1)
    assert page.search.text() == ""
    assert page.contacts_model.rowCount() == page.model.summary(1).total
