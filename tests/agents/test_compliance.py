import pytest

from app.agents import compliance

OPT_OUTS = [
    "Stop calling me",
    "stop calling me!",
    "Please stop calling this number.",
    "Take me off your list",
    "take me off your calling list please",
    "Take my number off your list.",
    "Don't call this number again",
    "Do not call me",
    "do not call me again",
    "Dont call me ever again",
    "Never call here again",
    "Remove my number",
    "remove me from your list",
    "Please remove this number from your database",
    "Put me on your do not call list",
    "I'm on the do-not-call list",
    "Delete my number",
    "Lose my number",
    "Unsubscribe",
    "I want to opt out",
    "I don't want you to call me anymore",
    "I don't want any more of these calls",
    "No more calls please",
    "Quit calling me",
    "Stop ringing me",
    "Leave me alone and stop phoning",
    "STOP CALLING",
    "don’t call me again",  # a typographic apostrophe
    "Please don't contact me again",
    "I want to be removed from your list",
    "Never call me again",
    "Stop with these calls",
    "stop texting and calling",
    "Take this number off your list",
    "Please stop contacting me",
    "I asked you to stop calling",
    "You need to stop calling this number",
    "Could you stop calling?",
    "No more phone calls",
    "Please add me to your do not call list",
    "Put my number on the do not call registry",
    "Delete me from your records",
    "I never want to hear from you again",
    "Don't ever phone here again",
]
NOT_OPT_OUTS = [
    "No thanks, not interested",
    "Not interested",
    "I'm not interested right now",
    "no thank you",
    "I can't talk right now",
    "Can you call me back tomorrow?",
    "Call me later",
    "I'd rather not say",
    "Don't worry about it",
    "Stop, I have a question",
    "Please remove the extra charge",
    "Yes",
    "No, stop, I have a question",
    "I'm not interested in solar",
    "Remove the old appointment",
    "Can you stop by tomorrow",
    "Don't call me before noon",
    "Please don't call me at work, call my cell",
    "Don't call me tomorrow, call on Friday",
]


@pytest.mark.parametrize("said", OPT_OUTS)
def test_opt_outs_in_any_wording(said):
    assert compliance.is_opt_out(said)


@pytest.mark.parametrize("said", NOT_OPT_OUTS)
def test_refusals_and_callbacks_are_not_opt_outs(said):
    assert not compliance.is_opt_out(said)


@pytest.mark.parametrize(
    "said",
    [
        "Are you a robot?",
        "Is this a real person?",
        "are you human?",
        "Am I talking to a machine?",
        "Is this a recording?",
        "Are you an AI?",
        "wait, are you a real person",
        "Are you real?",
    ],
)
def test_robot_questions(said):
    assert compliance.is_robot_question(said)
    assert not compliance.wants_human(said)


@pytest.mark.parametrize(
    "said",
    [
        "Can I talk to a person?",
        "Let me speak to someone",
        "I want a real person",
        "Transfer me to an agent",
        "operator",
        "Put me through to a representative",
    ],
)
def test_requests_for_a_person(said):
    assert compliance.wants_human(said)


def test_a_real_person_request_without_a_verb_is_not_a_robot_question():
    assert not compliance.is_robot_question("I want a real person")


@pytest.mark.parametrize(
    "said",
    [
        "It's not a good time",
        "I'm busy right now",
        "Can you call me back later?",
        "I'm in a meeting",
        "I'm driving",
        "Sorry, bad time",
        "Try me another time",
    ],
)
def test_not_a_good_time(said):
    assert compliance.is_busy(said)


@pytest.mark.parametrize(
    "said", ["Yes I can make it", "No", "Tuesday works", "What time?", "I'll be driving there at 3"]
)
def test_ordinary_answers_are_not_busy(said):
    assert not compliance.is_busy(said)


@pytest.mark.parametrize("said", ["uh-huh", "Mm-hmm.", "okay", "OK", "right", "mhm", "I see"])
def test_backchannels(said):
    assert compliance.is_backchannel(said)


@pytest.mark.parametrize("said", ["yes", "okay, tomorrow works", "no", "right after lunch"])
def test_answers_are_not_backchannels(said):
    assert not compliance.is_backchannel(said)


@pytest.mark.parametrize(
    ("said", "machine"),
    [
        ("Hi, you have reached my voicemail. Please leave a message after the beep.", True),
        ("You've reached the mailbox of Ana Silva", True),
        ("I'm not available right now, please record your message", True),
        ("Sorry, I can't come to the phone right now", True),
        ("Hello?", False),
        ("Yes, this is Ana speaking", False),
        ("Who is this?", False),
    ],
)
def test_a_voicemail_greeting_is_told_from_a_hello(said, machine):
    assert compliance.is_voicemail_greeting(said) is machine


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("Sorry, sorry, who is this?", True),
        ("Who's calling?", True),
        ("Where are you calling from?", True),
        ("What is this about?", True),
        ("Who do you work for?", True),
        ("Yes, this is Ana", False),
        ("Who should I ask for when I call back?", False),
    ],
)
def test_asking_who_is_calling_is_told_from_other_questions(said, asks):
    assert compliance.is_identity_question(said) is asks
