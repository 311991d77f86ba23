"""Which turns are questions, and which of their words are searched for."""

from __future__ import annotations

import pytest

from app.agents.questions import is_question, query_words, question_intents

QUESTIONS = [
    "What time do you open?",
    "do you take insurance",
    "how much is it",
    "Where are you?",
    "when do you close on friday",
    "Is there parking",
    "Are you open on Sundays",
    "can I pay by card",
    "Could you tell me the price of a booster",
    "tell me your opening hours",
    "I was wondering about parking",
    "I'd like to know your prices",
    "okay so how much is a consultation",
    "Um, what about parking?",
    "Yes. And do you take cards?",
    "Sure, go ahead. But first, where are you located?",
    "Which bus stops near you",
    "any parking nearby",
    "Tomorrow?",
    "Parking?",
    "Who do I call at night?",
    "What’s your address",
    "Don't you open on Saturdays?",
    "Hmm, is it far from the station?",
    "yeah no what are your hours",
]

NOT_QUESTIONS = [
    "yes",
    "Yes.",
    "okay",
    "OK!",
    "sure, go ahead",
    "no thanks",
    "No thank you.",
    "yeah that's fine",
    "Tomorrow at 3 works for me.",
    "I can make it.",
    "Thanks, bye.",
    "uh-huh",
    "Stop calling me.",
    "I'm not interested",
    "Okay?",
    "Right?",
    "",
    "   ",
    "...",
    "Sounds good, see you then",
]


@pytest.mark.parametrize("turn", QUESTIONS)
def test_questions_are_questions(turn):
    assert is_question(turn)


@pytest.mark.parametrize("turn", NOT_QUESTIONS)
def test_answers_and_acknowledgements_are_not_questions(turn):
    assert not is_question(turn)


@pytest.mark.parametrize(
    ("turn", "words"),
    [
        ("What time do you open?", ["time", "open"]),
        ("Do you take insurance?", ["insurance"]),
        ("how much is it", []),
        ("How much is a booster?", ["booster"]),
        ("When?", []),
        ("Is my dog's X-ray ready?", ["dog", "x-ray", "ready"]),
        ("Isn't my pet insured?", ["not", "pet", "insured"]),
        ('"parking" AND NEAR*', ["parking"]),
        ("open OR closed NOT sunday", ["open", "closed", "not", "sunday"]),
        ("¿Cuánto cuesta el café?", ["cuánto", "cuesta", "el", "café"]),
        ("Parking parking PARKING", ["parking"]),
        ("🐶 ??? ***", []),
        ("", []),
    ],
)
def test_query_words_are_the_meaningful_words_without_query_syntax(turn, words):
    assert query_words(turn) == words


def test_a_pasted_essay_is_searched_by_its_first_words_only():
    essay = " ".join(f"word{n}" for n in range(5_000))
    words = query_words(essay)
    assert words[:3] == ["word0", "word1", "word2"] and len(words) <= 24


@pytest.mark.parametrize(
    ("turn", "intents"),
    [
        ("how much is it", ["price"]),
        ("How much is a booster?", ["price"]),
        ("When?", ["hours"]),
        ("what time do you close", ["hours"]),
        ("Where are you?", ["location"]),
        ("Okay, and where do I park?", ["location"]),
        ("Do you take cards?", []),
    ],
)
def test_what_a_questions_shape_asks_for(turn, intents):
    assert question_intents(turn) == intents
