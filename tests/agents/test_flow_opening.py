"""Opening modes, the hello wait and probe, voicemail, silence reminders, barge-in."""

import copy

from app.agents.definition import HELLO_WAIT_S, SILENCE_REMINDER_S, parse_definition

from .conftest import ISSUE_EXAMPLE, greeted, kinds, said, talk

GREETING = (
    "Hi Ana, this is Sunny, an automated assistant calling from Evergreen Vets. "
    "This call may be recorded."
)
QUESTION = "Can you still make it on Wednesday at three pm?"
CALLBACK_DIGITS = "one, five zero zero, five five five, zero zero zero six"


def variant(**changes):
    data = copy.deepcopy(ISSUE_EXAMPLE)
    for key, value in changes.items():
        data[key] = {**data[key], **value}
    return parse_definition(data)


def test_wait_for_hello_listens_first_then_greets_a_person(example):
    c, _ = talk(example)
    assert c.start() == []
    assert c.on_silence(HELLO_WAIT_S / 2) == []
    actions = c.on_prompt("Hello?")
    assert said(actions) == [GREETING, QUESTION]
    assert actions[0].interruptible is False  # the greeting is not cut off by echo


def test_silence_gets_one_probe_then_a_hello_gets_the_greeting(example):
    c, _ = talk(example)
    c.start()
    assert said(c.on_silence(HELLO_WAIT_S)) == ["Hello? Is this Ana?"]
    assert said(c.on_prompt("Yes, who is this?")) == [GREETING, QUESTION]
    assert c.step_path == ["confirm"]


def test_silence_after_the_probe_is_voicemail_and_the_number_is_read_digit_by_digit(example):
    c, _ = talk(example)
    c.start()
    c.on_silence(HELLO_WAIT_S)
    actions = c.on_silence(HELLO_WAIT_S)
    assert kinds(actions) == ["say", "end_call"]
    assert said(actions) == [f"Hi Ana, please call us back at {CALLBACK_DIGITS}."]
    result = c.result()
    assert result.outcome == "voicemail_left"
    assert result.suggested_disposition == "Voicemail"
    assert "leave_voicemail" in result.tools_called


def test_a_voicemail_greeting_in_place_of_a_hello_gets_the_message_not_the_greeting(example):
    c, _ = talk(example)
    c.start()
    actions = c.on_prompt("Hi, you've reached Ana. Please leave a message after the beep.")
    assert said(actions) == [f"Hi Ana, please call us back at {CALLBACK_DIGITS}."]
    assert c.result().outcome == "voicemail_left"


def test_a_machine_detected_by_the_carrier(example):
    c, _ = talk(example)
    c.start()
    assert said(c.on_voicemail())[0].endswith(f"{CALLBACK_DIGITS}.")
    assert c.on_prompt("Please leave a message after the tone") == []


def test_voicemail_hang_up_leaves_nothing():
    c, _ = talk(variant(voicemail={"action": "hang_up"}))
    c.start()
    assert kinds(c.on_voicemail()) == ["end_call"]
    assert c.result().outcome == "voicemail"


def test_speak_first_greets_at_once():
    c, _ = talk(variant(opening={"mode": "speak_first"}))
    assert said(c.start()) == [GREETING, QUESTION]


def test_silence_reminds_twice_then_ends_unresponsive(example):
    c, clock = greeted(example)
    assert c.on_silence(SILENCE_REMINDER_S - 1) == []
    assert said(c.on_silence(SILENCE_REMINDER_S)) == [f"Are you still there? {QUESTION}"]
    assert said(c.on_silence(SILENCE_REMINDER_S)) == [f"Are you still there? {QUESTION}"]
    actions = c.on_silence(SILENCE_REMINDER_S)
    assert kinds(actions) == ["say", "end_call"]
    assert actions[-1].outcome == "unresponsive"
    assert c.result().outcome == "unresponsive"


def test_speech_resets_the_silence_count(example):
    c, _ = greeted(example)
    c.on_silence(SILENCE_REMINDER_S)
    c.on_silence(SILENCE_REMINDER_S)
    c.on_prompt("sorry, what?")
    assert said(c.on_silence(SILENCE_REMINDER_S)) == [f"Are you still there? {QUESTION}"]


def test_nobody_ever_speaking_is_unresponsive_when_the_line_drops(example):
    c, _ = talk(variant(opening={"mode": "speak_first"}))
    c.start()
    c.on_hangup()
    assert c.result().outcome == "unresponsive"


def test_an_interruption_keeps_only_what_was_heard(example):
    c, clock = greeted(example)
    clock.seconds = 4.0
    c.on_interrupt("Can you still")
    agent_turns = [t for t in c.result().turns if t.speaker == "agent"]
    assert agent_turns[-1].text == "Can you still"
    assert agent_turns[-2].text == GREETING  # earlier turns stay whole


def test_turns_carry_their_offsets_and_steps(example):
    c, clock = talk(example)
    c.start()
    clock.seconds = 1.5
    c.on_prompt("Hello?")
    clock.seconds = 9.0
    c.on_prompt("No")
    turns = c.result().turns
    assert [(t.speaker, t.step, t.offset_s) for t in turns] == [
        ("callee", "confirm", 1.5),
        ("agent", "confirm", 1.5),
        ("agent", "confirm", 1.5),
        ("callee", "confirm", 9.0),
        ("agent", "reschedule", 9.0),
    ]
