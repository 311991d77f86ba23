from app.agents.scenarios import persona_lines
from app.agents.try_it import TryItSession
from tests.agents.panes_support import CONTACT, template


def kinds(events):
    return [e.kind for e in events]


def test_a_full_conversation_shows_lines_step_fields_and_passages():
    session = TryItSession(template(), CONTACT)
    assert session.start() == []  # the reminder waits for the callee's hello
    hello = session.send("Hello?")
    assert kinds(hello)[:2] == ["callee", "agent"]
    assert any("Rex's appointment on Friday at ten am" in e.text for e in hello)
    assert session.state().step == "confirm"

    parking = session.send("Where can I park?")
    passage = next(e for e in parking if e.kind == "passage")
    assert "Address and parking" in passage.text and "score" in passage.text
    assert any("free parking" in e.text for e in parking if e.kind == "agent")

    done = session.send("Yes, I can make it")
    assert kinds(done)[-1] == "end"
    state = session.state()
    assert state.ended and state.outcome == "completed"
    assert state.fields == {"confirmed": True}
    assert session.send("Hello again?") == []  # the call is over
    assert session.result().step_path[-1] == "confirmed"


def test_stop_calling_me_ends_the_call_with_the_opt_out_recorded():
    session = TryItSession(template(), CONTACT)
    session.send("Hello?")
    events = session.send("Stop calling me")
    assert kinds(events) == ["callee", "dnc", "agent", "end"]
    assert events[1].text == 'Opt-out recorded: "Stop calling me"'
    state = session.state()
    assert state.ended and state.outcome == "dnc" and state.opted_out == "Stop calling me"


def test_keys_and_personas_use_the_script_events():
    session = TryItSession(template(), CONTACT)
    lines = persona_lines("cooperative")
    assert lines[0] == "Hello?"
    for line in lines:
        session.send(line)
    assert session.state().outcome == "completed"
    assert persona_lines("voicemail") == ["#voicemail"]
    assert persona_lines("digits")[1] == "#dtmf 1"
    pressed = TryItSession(template(), CONTACT)
    pressed.send("Hello?")
    events = pressed.send("#dtmf 1")
    assert events[0].text == "(dtmf 1)" and pressed.state().fields == {"confirmed": True}
