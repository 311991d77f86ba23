"""Knowledge answers come from the best passage (the real FTS5 index), "don't know" when
nothing is good enough, and the step resumes either way."""

from app.agents.grounding import answer_question, knowledge_for, spoken_answer

from .conftest import definition, greeted, said

KNOWLEDGE = [
    {
        "title": "Opening hours",
        "text": "We are open Monday to Friday, 8 am to 6 pm. On Saturdays we open 9 am to 1 pm.",
    },
    {"title": "Parking", "text": "Free parking is behind the building on Elm Street."},
    {
        "title": "Payment",
        "text": "We accept cash, debit and credit cards. Payment is due at the visit.",
    },
]
QUESTION = "Can you still make it on Wednesday at three pm?"
DONT_KNOW = (
    "I don't have that information, but Evergreen Vets can help at "
    "one, five zero zero, five five five, zero zero zero six."
)


def conversation():
    defn = definition(knowledge=KNOWLEDGE)
    return greeted(defn, knowledge=knowledge_for(defn))[0]


def test_a_question_is_answered_from_the_passage_then_the_step_resumes():
    c = conversation()
    lines = said(c.on_prompt("Where can I park my car?"))
    assert lines == ["Free parking is behind the building on Elm Street.", QUESTION]
    assert c.step_id == "confirm"
    c.on_prompt("yes")
    assert c.result().step_path == ["confirm", "bye"]
    assert "kb_search" in c.result().tools_called


def test_numbers_in_an_answer_are_spoken():
    c = conversation()
    [answer, _] = said(c.on_prompt("What time do you open on Saturday?"))
    assert "nine am to one pm" in answer
    assert not any(ch.isdigit() for ch in answer)


def test_an_unanswerable_question_gets_the_honest_line_then_the_step_resumes():
    c = conversation()
    assert said(c.on_prompt("Do you offer dog grooming?")) == [DONT_KNOW, QUESTION]
    c.on_prompt("No I can't")
    assert c.step_id == "reschedule"


def test_a_question_does_not_answer_a_yes_no_step():
    c = conversation()
    c.on_prompt("Is it okay if I pay by card?")
    assert "confirmed" not in c.fields


def test_an_answer_with_the_question_answered_too():
    c = conversation()
    lines = said(c.on_prompt("Yes, and do you accept credit cards?"))
    assert lines[0].startswith("We accept cash, debit and credit cards.")
    assert lines[-1] == "Thank you, goodbye."


def test_statements_are_not_looked_up():
    c = conversation()
    assert said(c.on_prompt("Parking was hard last time")) == [
        f"Sorry, I didn't catch that. {QUESTION}"
    ]


def test_spoken_answer_keeps_the_passages_own_sentences():
    passage = "We are open Monday to Friday. Parking is free. Dogs must be on a lead."
    assert spoken_answer(passage, "is parking free?") == "Parking is free."
    assert (
        spoken_answer(passage, "are dogs free to park?")
        == "Parking is free. Dogs must be on a lead."
    )
    assert spoken_answer(passage, "xyz?") == "We are open Monday to Friday. Parking is free."


def test_ask_reports_sources_and_grounding():
    defn = definition(knowledge=KNOWLEDGE)
    reply = answer_question(defn, "Where do I park?")
    assert reply["grounded"] is True
    assert reply["answer"] == "Free parking is behind the building on Elm Street."
    assert reply["sources"][0]["heading"] == "Parking"
    assert set(reply["sources"][0]) == {"document", "heading", "score"}
    nothing = answer_question(defn, "Do you sell cat food?")
    assert nothing == {"answer": DONT_KNOW, "grounded": False, "sources": []}
