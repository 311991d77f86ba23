from app.ui.agents.try_it import TryItPane
from app.ui.context import AppContext
from tests.agents.panes_support import seed_agent_campaign, template


def make_pane(qtbot, store, home, agent_id=None) -> TryItPane:
    pane = TryItPane(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(pane)
    pane.show_agent(agent_id, template())
    qtbot.waitUntil(lambda: not pane._busy)  # the agent answers on a worker thread
    return pane


def chat(pane) -> list[str]:
    return [pane.chat.item(i).text() for i in range(pane.chat.count())]


def say(qtbot, pane, text):
    assert pane.send(text)
    qtbot.waitUntil(lambda: not pane._busy)


def test_a_full_conversation_with_a_real_contact(qtbot, store, home):
    ids = seed_agent_campaign(store)
    pane = make_pane(qtbot, store, home, ids["agent"])
    assert pane.campaign.count() == 2  # no campaign, and Reminders
    pane.campaign.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not pane._busy)
    assert pane.contact.currentText() == "Ada Lovelace (+12025550101)"
    assert pane.variables["first_name"] == "Ada"
    assert "speak first" in chat(pane)[0]
    pane.line.setText("Hello?")
    pane.send_typed()
    qtbot.waitUntil(lambda: not pane._busy)
    assert pane.line.text() == ""
    assert any("Rex's appointment on Friday at ten am" in line for line in chat(pane))
    assert pane.step.text() == "confirm"
    say(qtbot, pane, "Where can I park?")
    assert pane.passages.count() == 1 and "Address and parking" in pane.passages.item(0).text()
    say(qtbot, pane, "Yes")
    assert pane.outcome.text() == "completed" and pane.fields.text() == "confirmed = True"
    assert not pane.line.isEnabled() and chat(pane)[-1].startswith("— The call ended")
    pane.reset()
    qtbot.waitUntil(lambda: not pane._busy)
    assert pane.line.isEnabled() and pane.passages.count() == 0


def test_stop_calling_me_ends_it_and_the_pane_shows_the_opt_out(qtbot, store, home):
    pane = make_pane(qtbot, store, home)
    say(qtbot, pane, "Hello?")
    say(qtbot, pane, "Stop calling me")
    assert pane.outcome.text() == "dnc"
    assert pane.opt_out.text().startswith('Opt-out recorded: "Stop calling me"')
    assert any(line.startswith("· Opt-out recorded") for line in chat(pane))
    assert not pane.send("Hello?")  # ended: nothing more is sent


def test_a_persona_plays_its_lines_to_the_end(qtbot, store, home):
    pane = make_pane(qtbot, store, home)
    pane.persona.setCurrentText("opt_out")
    pane.play_persona()
    qtbot.waitUntil(lambda: pane.outcome.text() == "dnc")
    assert chat(pane)[1] == "You: Hello, who is this?"
