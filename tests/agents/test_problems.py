import copy
import json

import pytest

from app.agents.definition import AgentDefinition, parse_definition
from app.agents.problems import draft_problems, schema_problems, variables_offered
from app.agents.script import run_script
from app.agents.sentences import transition_sentence
from app.paths import agent_templates_dir
from tests.agents.conftest import ISSUE_EXAMPLE

TEMPLATES = sorted(p.name for p in agent_templates_dir().glob("*.json"))


def draft(flow: dict, **changes) -> AgentDefinition:
    """A draft, validated only in shape (reference problems are what we look for)."""
    data = copy.deepcopy(ISSUE_EXAMPLE)
    data["flow"] = flow
    data.update(changes)
    definition, problems = schema_problems(data)
    assert problems == []
    return definition


def messages(definition, columns=None) -> list[str]:
    return [f"{p.step}: {p.message}" for p in draft_problems(definition, columns)]


def test_the_five_templates_are_valid_and_have_no_problems():
    assert len(TEMPLATES) == 5
    for name in TEMPLATES:
        definition = parse_definition((agent_templates_dir() / name).read_text("utf-8"))
        assert draft_problems(definition) == [], name


# A callee who goes along with each template to its end.
AGREEABLE = {
    "appointment-reminder.json": ["hello", "yes"],
    "event-invitation.json": ["yes", "4"],
    "lead-qualification.json": ["yes", "180", "tile", "yes", "ana@example.com"],
    "payment-reminder.json": ["hello", "yes"],
    "satisfaction-survey.json": ["yes", "4", "yes"],
}


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_runs_a_call_to_its_end(name):
    definition = parse_definition((agent_templates_dir() / name).read_text("utf-8"))
    result = run_script(definition, AGREEABLE[name], variables={"first_name": "Ana"})
    assert definition.step(result.step_path[-1]).end, result.step_path
    assert result.suggested_disposition == "Interested"


def test_the_payment_reminder_transfers_on_a_key_press():
    definition = parse_definition((agent_templates_dir() / "payment-reminder.json").read_text())
    result = run_script(definition, ["hello", "no", "#dtmf 2"], variables={"first_name": "Ana"})
    assert result.step_path[-1] == "transfer" and "billing_team" in result.tools_called


def test_an_unreachable_step_and_a_missing_target_are_named_at_their_step():
    definition = draft(
        {
            "start": "ask",
            "steps": [
                {"id": "ask", "say": "Yes?", "next": [{"to": "gone"}]},
                {"id": "island", "say": "Nobody comes here.", "end": True},
            ],
        }
    )
    found = messages(definition)
    assert "ask: no step named 'gone'" in found
    assert "island: no step leads here: the call never reaches it" in found


def test_a_global_step_and_a_tool_fallback_make_steps_reachable():
    definition = draft(
        {
            "start": "ask",
            "steps": [
                {"id": "ask", "say": "Hold on.", "tool": "desk"},
                {"id": "sorry", "say": "Nobody is free.", "end": True},
                {"id": "bye", "say": "Bye.", "end": True},
            ],
            "global": [{"id": "stop", "when": {"keywords": ["stop"]}, "next": [{"to": "bye"}]}],
        },
        tools=[{"type": "transfer", "name": "desk", "number": "+15005550006", "fallback": "sorry"}],
    )
    assert messages(definition) == []


def test_a_field_used_before_it_is_collected():
    steps = [
        {"id": "hello", "say": "Your email is {{email}}?", "next": [{"to": "email"}]},
        {
            "id": "email",
            "say": "What is your email?",
            "collect": [{"name": "email", "type": "email"}],
            "next": [{"when": {"field": "email", "filled": True}, "to": "done"}],
        },
        {"id": "done", "say": "We'll write to {{email}}.", "end": True},
    ]
    found = messages(draft({"start": "hello", "steps": steps}))
    assert found == ["hello: says {{email}} before any step on the way here collects it"]


def test_a_variable_no_column_provides_unless_it_has_a_fallback():
    definition = draft(
        {
            "start": "ask",
            "steps": [{"id": "ask", "say": "About {{pet_name}} on {{day}}.", "end": True}],
        },
        variables={"day": {"fallback": "the day we booked"}},
    )
    assert messages(definition, columns=None) == []  # no campaign: nothing to compare with
    found = messages(definition, columns={"phone_type"})
    assert any("{{pet_name}}: no contact column" in m for m in found)
    assert not any("{{day}}" in m for m in found)
    assert messages(definition, columns={"pet_name"}) == []
    assert {"pet_name", "first_name", "company"} <= set(variables_offered(definition, {"pet_name"}))


def test_shape_problems_come_back_path_shaped():
    data = json.loads(json.dumps(ISSUE_EXAMPLE))
    data["business"]["company"] = ""
    definition, problems = schema_problems(data)
    assert definition is None
    assert [p.path for p in problems] == ["business.company"]


def test_transitions_read_as_sentences():
    definition = parse_definition((agent_templates_dir() / "payment-reminder.json").read_text())
    moves = definition.step("offer_help").next
    assert [transition_sentence(t) for t in moves] == [
        "If they press 2 → transfer",
        "If the callee says yes (wants_plan) → transfer",
        "If the callee says no (wants_plan) → later",
    ]
