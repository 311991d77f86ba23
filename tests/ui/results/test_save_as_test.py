from app.agents import scenario_library
from app.results.calls import call_detail
from app.ui.results.detail_pane import CallDetailPane
from app.ui.results.save_as_test import save_call_as_test
from tests.agents.panes_support import seed_agent_campaign


def test_a_call_is_saved_as_a_test_of_its_agent(qtbot, store):
    ids = seed_agent_campaign(store)
    pane = CallDetailPane(is_transcribing=lambda _call: False)
    qtbot.addWidget(pane)
    with store.session() as session:
        detail = call_detail(session, ids["call"])
    pane.show_detail(detail)
    assert "agent version 1" in pane.header.facts.text()
    requested = []
    pane.saveAsTestRequested.connect(requested.append)
    pane.save_as_test.click()
    assert requested == [ids["call"]]

    dialog = save_call_as_test(pane, store, ids["call"])
    assert dialog.lines.toPlainText() == "Hello?\nStop calling me"
    assert dialog.outcome.currentText() == "dnc"
    dialog.name.setText("stop means stop")
    dialog.save()
    with store.session() as session:
        [saved] = scenario_library.list_scenarios(session, ids["agent"])
    assert saved.scenario.name == "stop means stop" and saved.scenario.expect.dnc is True
