from app.ui.context import AppContext
from app.ui.numbers_page import NumbersPage


def test_add_a_caller_id_by_hand(qtbot, qtmodeltester, store, home):
    page = NumbersPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    assert "No caller-IDs yet" in page.status.text()
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
