"""Each transition kind, first-true-wins, global steps and their return, reprompts."""

from .conftest import greeted, said, with_steps

BYE = {"id": "bye", "say": "Goodbye.", "end": True}
OTHER = {"id": "other", "say": "Other.", "end": True}


def one_step(next_: list, collect: list | None = None, **extra) -> list[dict]:
    return [
        {"id": "ask", "say": "Question?", "collect": collect or [], "next": next_, **extra},
        BYE,
        OTHER,
    ]


def test_always_waits_for_the_callee_then_moves():
    c, _ = greeted(with_steps(one_step([{"to": "bye"}])))
    assert c.step_id == "ask"
    assert said(c.on_prompt("Whatever you say")) == ["Goodbye."]
    assert c.step_path == ["ask", "bye"]


def test_after_speaking_moves_without_waiting():
    steps = [
        {
            "id": "intro",
            "say": "Some news.",
            "next": [{"when": {"after_speaking": True}, "to": "bye"}],
        },
        BYE,
    ]
    c, _ = greeted(with_steps(steps))
    assert c.step_path == ["intro", "bye"]
    assert c.result().outcome == "completed"
    assert [t.text for t in c.result().turns if t.speaker == "agent"][-2:] == [
        "Some news.",
        "Goodbye.",
    ]


def test_yes_no_field_values():
    next_ = [
        {"when": {"field": "ok", "is": True}, "to": "bye"},
        {"when": {"field": "ok", "is": False}, "to": "other"},
    ]
    defn = with_steps(one_step(next_, [{"name": "ok", "type": "yes_no"}]))
    c, _ = greeted(defn)
    c.on_prompt("Nope")
    assert c.step_path == ["ask", "other"] and c.fields == {"ok": False}
    c, _ = greeted(defn)
    c.on_prompt("Yes please")
    assert c.step_path == ["ask", "bye"] and c.fields == {"ok": True}


def test_keywords_match_whole_words_case_blind():
    defn = with_steps(
        one_step([{"when": {"keywords": ["price", "cost"]}, "to": "other"}, {"to": "bye"}])
    )
    c, _ = greeted(defn)
    c.on_prompt("What does it COST?")
    assert c.step_path[-1] == "other"
    c, _ = greeted(defn)
    c.on_prompt("costume party")
    assert c.step_path[-1] == "bye"


def test_regex():
    defn = with_steps(
        one_step([{"when": {"regex": r"\border (number )?\d+"}, "to": "other"}, {"to": "bye"}])
    )
    c, _ = greeted(defn)
    c.on_prompt("It's about order number 4411")
    assert c.step_path[-1] == "other"


def test_dtmf_digit():
    defn = with_steps(one_step([{"when": {"dtmf": "9"}, "to": "other"}, {"to": "bye"}]))
    c, _ = greeted(defn)
    assert c.on_dtmf("9")[-1].kind == "end_call"
    assert c.step_path[-1] == "other"
    assert c.result().turns[-2].text == "(pressed 9)"


def test_field_filled_and_not_filled():
    next_ = [{"when": {"field": "email", "filled": True}, "to": "bye"}]
    defn = with_steps(one_step(next_, [{"name": "email", "type": "email", "required": False}]))
    c, _ = greeted(defn)
    said(c.on_prompt("I don't have one"))
    assert c.step_id == "ask"  # nothing fired: a reprompt
    c.on_prompt("it's ana@example.org")
    assert c.step_path[-1] == "bye" and c.fields["email"] == "ana@example.org"


def test_expression_over_fields():
    collect = [{"name": "bill", "type": "number"}]
    next_ = [{"when": {"expression": "bill >= 100"}, "to": "bye"}, {"to": "other"}]
    c, _ = greeted(with_steps(one_step(next_, collect)))
    c.on_prompt("about 150 a month")
    assert c.step_path[-1] == "bye"
    c, _ = greeted(with_steps(one_step(next_, collect)))
    c.on_prompt("maybe forty")
    assert c.step_path[-1] == "other"


def test_llm_conditions_never_fire_without_an_llm():
    next_ = [{"when": {"llm": "the callee sounds interested"}, "to": "other"}, {"to": "bye"}]
    c, _ = greeted(with_steps(one_step(next_)))
    c.on_prompt("I'm very interested, tell me more!")
    assert c.step_path[-1] == "bye"


def test_the_first_true_transition_wins():
    next_ = [
        {"when": {"keywords": ["maybe"]}, "to": "other"},
        {"when": {"keywords": ["maybe"]}, "to": "bye"},
    ]
    c, _ = greeted(with_steps(one_step(next_)))
    c.on_prompt("maybe")
    assert c.step_path[-1] == "other"


def test_a_step_asks_for_the_field_still_missing():
    collect = [
        {"name": "day", "type": "date"},
        {"name": "hour", "type": "time", "ask": "At what time?"},
    ]
    c, _ = greeted(with_steps(one_step([{"to": "bye"}], collect)))
    assert said(c.on_prompt("Friday")) == ["Sorry, I didn't catch that. At what time?"]
    c.on_prompt("3 pm")
    assert c.fields == {"day": "2026-12-04", "hour": "15:00"} and c.step_path[-1] == "bye"


def test_reprompt_at_most_twice_then_the_fallback():
    collect = [{"name": "ok", "type": "yes_no"}]
    steps = one_step(
        [{"when": {"field": "ok", "is": True}, "to": "bye"}],
        collect,
        fallback="other",
        reprompt="Please say yes or no.",
    )
    c, _ = greeted(with_steps(steps))
    assert said(c.on_prompt("purple")) == ["Sorry, I didn't catch that. Please say yes or no."]
    assert said(c.on_prompt("banana")) == ["Sorry, I didn't catch that. Please say yes or no."]
    assert said(c.on_prompt("what")) == ["Other."]
    assert c.step_path == ["ask", "other"]


def test_without_a_fallback_the_agent_gives_up_politely():
    c, _ = greeted(
        with_steps(
            one_step(
                [{"when": {"field": "ok", "is": True}, "to": "bye"}],
                [{"name": "ok", "type": "yes_no"}],
            )
        )
    )
    c.on_prompt("purple")
    c.on_prompt("purple")
    actions = c.on_prompt("purple")
    assert [a.kind for a in actions] == ["say", "end_call"]
    assert "You can reach Evergreen Vets at one, five zero zero" in actions[0].text


def test_global_steps_fire_from_any_step_and_return():
    steps = [
        {"id": "first", "say": "First question?", "next": [{"to": "second"}]},
        {"id": "second", "say": "Second question?", "next": [{"to": "bye"}]},
        BYE,
    ]
    global_ = [{"id": "hours", "when": {"keywords": ["hours", "open"]}, "say": "We open at nine."}]
    c, _ = greeted(with_steps(steps, global_=global_))
    assert said(c.on_prompt("When are you open?")) == ["We open at nine.", "First question?"]
    assert c.step_id == "first"
    c.on_prompt("fine")
    assert said(c.on_prompt("what are your hours")) == ["We open at nine.", "Second question?"]
    assert c.step_path == ["first", "hours", "first", "second", "hours", "second"]


def test_a_global_step_that_collects_returns_once_it_has_its_field():
    steps = [
        {
            "id": "first",
            "say": "Can you come?",
            "collect": [{"name": "ok", "type": "yes_no"}],
            "next": [{"to": "bye"}],
        },
        BYE,
    ]
    global_ = [
        {
            "id": "pet",
            "when": {"keywords": ["dog", "cat"]},
            "say": "What is your pet's name?",
            "collect": [{"name": "pet_name", "type": "text"}],
        }
    ]
    c, _ = greeted(with_steps(steps, global_=global_))
    c.on_prompt("It's about my dog")
    assert said(c.on_prompt("Rex")) == ["Can you come?"]
    c.on_prompt("yes")
    assert c.fields == {"pet_name": "Rex", "ok": True}
    assert c.step_path == ["first", "pet", "first", "bye"]


def test_a_global_step_may_route_instead_of_returning():
    steps = [{"id": "first", "say": "Question?", "next": [{"to": "bye"}]}, BYE, OTHER]
    global_ = [
        {
            "id": "angry",
            "when": {"regex": "manager"},
            "say": "I'm sorry.",
            "next": [{"when": {"after_speaking": True}, "to": "other"}],
        }
    ]
    c, _ = greeted(with_steps(steps, global_=global_))
    assert said(c.on_prompt("Get me your manager")) == ["I'm sorry.", "Other."]


def test_backchannels_do_not_change_steps():
    c, _ = greeted(with_steps(one_step([{"to": "bye"}])))
    for word in ("uh-huh", "okay", "mm-hmm"):
        assert c.on_prompt(word) == []
    assert c.step_path == ["ask"]
    assert [t.text for t in c.result().turns if t.speaker == "callee"][-3:] == [
        "uh-huh",
        "okay",
        "mm-hmm",
    ]


def test_partial_prompts_are_joined():
    c, _ = greeted(
        with_steps(one_step([{"when": {"keywords": ["order 12"]}, "to": "other"}, {"to": "bye"}]))
    )
    assert c.on_prompt("it's about", last=False) == []
    c.on_prompt("order 12")
    assert c.step_path[-1] == "other"


def test_the_farewell_is_said_before_the_call_ends(example):
    c, _ = greeted(example)
    actions = c.on_prompt("Yes I'll be there")
    assert [a.kind for a in actions] == ["say", "end_call"]
    assert actions[0].text == "Thank you, goodbye."
    assert c.on_prompt("hello?") == []  # nothing after the end


def test_the_issue_example_end_to_end(example):
    c, _ = greeted(example)
    c.on_prompt("No, I can't make it")
    c.on_prompt("Thursday at 2 pm would be better")
    result = c.result()
    assert result.outcome == "completed"
    assert result.fields == {"confirmed": False, "new_time": "2026-12-03T14:00:00-05:00"}
    assert result.step_path == ["confirm", "reschedule", "bye"]
    assert result.summary.startswith("The call was completed. Captured confirmed: no; new time:")


def test_a_global_step_can_fire_on_a_key():
    steps = [{"id": "first", "say": "Question?", "next": [{"to": "bye"}]}, BYE]
    global_ = [{"id": "menu", "when": {"dtmf": "0"}, "say": "Press 1 to hear this again."}]
    c, _ = greeted(with_steps(steps, global_=global_))
    assert said(c.on_dtmf("0")) == ["Press one to hear this again.", "Question?"]


def test_a_global_step_must_fire_on_the_callees_words_or_keys():
    import pytest

    from app.agents.definition import DefinitionError

    steps = [{"id": "first", "say": "Question?", "next": [{"to": "bye"}]}, BYE]
    with pytest.raises(DefinitionError) as caught:
        with_steps(steps, global_=[{"id": "loop", "when": {"always": True}, "say": "Again."}])
    assert caught.value.problems == [
        "flow.global[0].when: a global step fires on what the callee says or presses "
        "(keywords, regex, dtmf, llm), not on 'always'"
    ]


def test_a_global_step_that_routes_away_forgets_where_it_came_from():
    steps = [
        {"id": "first", "say": "First?", "next": [{"to": "second"}]},
        {"id": "second", "say": "Second?", "next": [{"to": "bye"}]},
        BYE,
    ]
    global_ = [
        {
            "id": "skip",
            "when": {"keywords": ["skip"]},
            "say": "Skipping.",
            "next": [{"when": {"after_speaking": True}, "to": "second"}],
        },
        {"id": "hours", "when": {"keywords": ["hours"]}, "say": "Nine to five."},
    ]
    c, _ = greeted(with_steps(steps, global_=global_))
    c.on_prompt("skip this")
    assert said(c.on_prompt("what are your hours")) == ["Nine to five.", "Second?"]
