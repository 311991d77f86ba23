from PySide6.QtWidgets import QMessageBox

from app.agents import scenario_library
from app.agents.scenarios import Expectation, Scenario
from app.store import agent_pins
from app.store.campaigns import get_by_id, start_campaign
from app.ui.campaigns.version_bar import VersionBar
from app.ui.context import AppContext
from tests.agents.panes_support import CONTACT, publish_edit, seed_agent_campaign


def started_with_a_newer_version(store, *, failing: bool):
    ids = seed_agent_campaign(store)
    with store.session.begin() as session:
        start_campaign(session, get_by_id(session, ids["campaign"]))
        expect = Expectation(outcome="transferred" if failing else "completed")
        scenario = Scenario(name="confirms", lines=["Hello?", "Yes"], vars=CONTACT, expect=expect)
        scenario_library.save_scenario(session, ids["agent"], scenario)
    publish_edit(store)
    return ids


def make_bar(qtbot, store, home, campaign_id):
    bar = VersionBar(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(bar)
    bar.show_campaign(campaign_id)
    return bar


def pinned(store, campaign_id):
    with store.session() as session:
        return agent_pins.version_pin(session, campaign_id).pinned


def test_move_to_the_newer_version_when_its_suite_passes(qtbot, store, home):
    ids = started_with_a_newer_version(store, failing=False)
    bar = make_bar(qtbot, store, home, ids["campaign"])
    assert bar.label.text() == "Agent version 1 — newer version 2 available"
    assert bar.move_button.isVisibleTo(bar)
    bar.check_and_move()
    qtbot.waitUntil(lambda: pinned(store, ids["campaign"]) == 2)
    assert bar.label.text() == "Agent version 2 (the newest)"
    assert not bar.move_button.isVisibleTo(bar)


def test_a_running_campaign_is_warned_when_the_suite_fails(qtbot, store, home):
    ids = started_with_a_newer_version(store, failing=True)
    bar = make_bar(qtbot, store, home, ids["campaign"])
    bar.check_and_move()
    qtbot.waitUntil(lambda: bar.question is not None)
    assert "fails 1 of the agent's 1 scenarios (confirms)" in bar.question.text()
    assert pinned(store, ids["campaign"]) == 1  # nothing moved before the answer
    bar.question.button(QMessageBox.StandardButton.Yes).click()
    assert pinned(store, ids["campaign"]) == 2


def test_an_unstarted_campaign_says_what_it_will_use(qtbot, store, home):
    ids = seed_agent_campaign(store)
    bar = make_bar(qtbot, store, home, ids["campaign"])
    assert bar.label.text().startswith("Calls will use agent version 1")
    assert not bar.move_button.isVisibleTo(bar)
    bar.show_campaign(None)
    assert not bar.isVisibleTo(bar.parentWidget() or bar) or bar.label.text() == ""
