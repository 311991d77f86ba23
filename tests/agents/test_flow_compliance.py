"""Compliance in any step: opt-out with evidence, the truthful robot answer, a person, a
callback in the contact's time zone."""

import pytest

from .conftest import definition, greeted, kinds, said, talk, with_steps
from .test_compliance import NOT_OPT_OUTS, OPT_OUTS

QUESTION = "Can you still make it on Wednesday at three pm?"
TRANSFER = {
    "type": "transfer",
    "name": "front_desk",
    "number": "+15005550010",
    "mode": "warm",
    "summary": "{{first_name}} wants to talk about the appointment.",
    "fallback": "bye",
}


@pytest.mark.parametrize("words", OPT_OUTS)
def test_an_opt_out_ends_the_call_with_the_callees_words_as_evidence(example, words):
    c, clock = greeted(example)
    clock.seconds = 12.5
    actions = c.on_prompt(words)
    assert kinds(actions) == ["add_to_dnc", "say", "end_call"]
    assert actions[0].evidence == words and actions[0].offset_s == 12.5
    assert "We won't call this number again" in actions[1].text
    result = c.result()
    assert (result.outcome, result.dnc, result.dnc_evidence, result.dnc_offset_s) == (
        "dnc",
        True,
        words,
        12.5,
    )
    assert result.suggested_disposition == "Do not call"


def test_an_opt_out_counts_in_a_later_step_too(example):
    c, clock = greeted(example)
    c.on_prompt("No")
    clock.seconds = 30.0
    assert kinds(c.on_prompt("Actually, just take me off your list")) == [
        "add_to_dnc",
        "say",
        "end_call",
    ]
    assert c.result().step_path == ["confirm", "reschedule", "opt_out"]


def test_an_opt_out_instead_of_hello_is_honoured(example):
    c, _ = talk(example)
    assert c.start() == []
    assert kinds(c.on_prompt("Stop calling me")) == ["add_to_dnc", "say", "end_call"]
    assert c.result().dnc is True and c.result().step_path == ["opt_out"]


@pytest.mark.parametrize("words", NOT_OPT_OUTS)
def test_no_thanks_is_not_an_opt_out(example, words):
    c, _ = greeted(example)
    actions = c.on_prompt(words)
    assert "add_to_dnc" not in kinds(actions)
    assert c.result().dnc is False


def test_not_interested_goes_where_the_flow_says():
    steps = [
        {
            "id": "pitch",
            "say": "Interested?",
            "collect": [{"name": "interested", "type": "yes_no"}],
            "next": [{"when": {"field": "interested", "is": False}, "to": "bye"}, {"to": "bye"}],
        },
        {
            "id": "bye",
            "say": "Thanks anyway, goodbye.",
            "end": True,
            "disposition": "Not interested",
        },
    ]
    c, _ = greeted(with_steps(steps))
    c.on_prompt("No thanks, I'm not interested")
    result = c.result()
    assert (result.outcome, result.dnc, result.suggested_disposition) == (
        "completed",
        False,
        "Not interested",
    )


def test_opt_out_detection_can_be_turned_off_only_explicitly():
    c, _ = greeted(definition(compliance={"honor_opt_out": False}))
    assert "add_to_dnc" not in kinds(c.on_prompt("stop calling me"))


@pytest.mark.parametrize(
    "question", ["Are you a robot?", "Is this a real person?", "Am I talking to a machine?"]
)
def test_the_robot_question_is_answered_truthfully_and_the_step_resumes(example, question):
    c, _ = greeted(example)
    assert said(c.on_prompt(question)) == [
        "I'm an automated assistant calling for Evergreen Vets, not a person.",
        QUESTION,
    ]
    assert c.step_id == "confirm"
    c.on_prompt("yes")
    assert c.result().step_path == ["confirm", "bye"]


def test_not_a_good_time_books_a_callback_in_the_contacts_time_zone(example):
    c, _ = greeted(example, timezone="America/Los_Angeles")
    assert said(c.on_prompt("Sorry, it's not a good time")) == [
        "No problem. When would be a better time to call you back?"
    ]
    actions = c.on_prompt("Tomorrow at 4 pm")
    assert kinds(actions) == ["schedule_callback", "say", "end_call"]
    assert actions[0].at == "2026-12-02T16:00:00-08:00"
    assert actions[0].timezone == "America/Los_Angeles"
    assert (
        actions[1].text
        == "Thank you. We'll call you back on Wednesday, December second at four pm. Goodbye."
    )
    result = c.result()
    assert (result.outcome, result.callback_at) == ("callback", "2026-12-02T16:00:00-08:00")
    assert result.fields["callback_at"] == "2026-12-02T16:00:00-08:00"
    assert result.suggested_disposition == "Call back"


def test_a_busy_callee_who_names_the_time_at_once(example):
    c, _ = greeted(example)
    actions = c.on_prompt("I'm driving, call me back tomorrow morning")
    assert kinds(actions) == ["schedule_callback", "say", "end_call"]
    assert actions[0].at == "2026-12-02T09:00:00-05:00"


def test_a_callback_without_a_time_ends_after_two_reprompts(example):
    c, _ = greeted(example)
    c.on_prompt("I'm busy")
    assert said(c.on_prompt("I don't know")) == [
        "Sorry, I didn't catch that. No problem. When would be a better time to call you back?"
    ]
    c.on_prompt("dunno")
    actions = c.on_prompt("no idea")
    assert kinds(actions) == ["say", "end_call"]
    assert c.result().outcome == "callback" and c.result().callback_at is None


def test_a_global_step_for_busy_wins_over_the_built_in_one():
    steps = [
        {"id": "ask", "say": "Question?", "next": [{"to": "bye"}]},
        {"id": "bye", "say": "Goodbye.", "end": True},
    ]
    global_ = [
        {
            "id": "later",
            "when": {"keywords": ["busy"]},
            "say": "When shall we call?",
            "collect": [{"name": "callback_at", "type": "datetime"}],
            "tool": "schedule_callback",
            "next": [{"to": "bye"}],
        }
    ]
    c, _ = greeted(with_steps(steps, global_=global_, tools=[{"type": "schedule_callback"}]))
    assert said(c.on_prompt("I'm busy")) == ["When shall we call?"]
    actions = c.on_prompt("Friday at 11 am")
    assert kinds(actions) == ["schedule_callback", "say", "end_call"]
    assert actions[0].at == "2026-12-04T11:00:00-05:00"
    assert c.result().step_path == ["ask", "later", "bye"]


def test_asking_for_a_person_transfers_when_a_transfer_tool_exists():
    c, _ = greeted(definition(tools=[TRANSFER]))
    actions = c.on_prompt("Can I speak to a real person please?")
    assert kinds(actions) == ["say", "transfer"]
    transfer = actions[1]
    assert (transfer.number, transfer.mode, transfer.summary) == (
        "+15005550010",
        "warm",
        "Ana wants to talk about the appointment.",
    )
    assert c.result().outcome == "transferred"
    assert c.result().tools_called == ["front_desk"]


def test_a_failed_transfer_goes_to_its_fallback_step():
    c, _ = greeted(definition(tools=[TRANSFER]))
    c.on_prompt("Let me talk to someone")
    actions = c.on_tool_result("front_desk", ok=False)
    assert said(actions) == [
        "I'm sorry, nobody is available to take the call right now.",
        "Thank you, goodbye.",
    ]
    assert c.result().outcome == "completed"


def test_asking_for_a_person_without_a_transfer_offers_a_callback(example):
    c, _ = greeted(example)
    assert said(c.on_prompt("I want to talk to a human")) == [
        "I can't transfer you right now, but someone from Evergreen Vets can call you back. "
        "When would suit you?"
    ]
    actions = c.on_prompt("Thursday at 10 am")
    assert actions[0].kind == "schedule_callback" and actions[0].at == "2026-12-03T10:00:00-05:00"


def test_the_robot_question_is_answered_while_arranging_a_callback_too(example):
    c, _ = greeted(example)
    c.on_prompt("not a good time")
    assert said(c.on_prompt("wait, are you a robot?")) == [
        "I'm an automated assistant calling for Evergreen Vets, not a person.",
        "No problem. When would be a better time to call you back?",
    ]
    assert c.on_prompt("tomorrow at 6 pm")[0].at == "2026-12-02T18:00:00-05:00"


def test_who_is_calling_is_answered_and_the_question_asked_again(example):
    c, _ = greeted(example)
    lines_said = said(c.on_prompt("Sorry, who is this?"))
    assert lines_said[0] == "This is Sunny, an automated assistant calling from Evergreen Vets."
    assert lines_said[1].startswith("Can you still make it")
    assert c.fields == {} and c.outcome is None
