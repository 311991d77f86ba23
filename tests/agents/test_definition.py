import copy
import json

import pytest

from app.agents.definition import (
    HELLO_WAIT_S,
    REPROMPT_MAX,
    SILENCE_REMINDER_S,
    SILENCE_REMINDERS_MAX,
    DefinitionError,
    parse_definition,
)
from tests.conftest import REPO

from .conftest import HERE, ISSUE_EXAMPLE


def problems(data) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


def changed(edit) -> dict:
    data = copy.deepcopy(ISSUE_EXAMPLE)
    edit(data)
    return data


def test_the_issue_example_is_accepted_verbatim():
    parsed = parse_definition((HERE / "issue_example.json").read_text())
    assert parsed.name == "Clinic reminder"
    assert parsed.opening.mode == "wait_for_hello"
    assert [s.id for s in parsed.flow.steps] == ["confirm", "reschedule", "bye"]
    assert parsed.flow.steps[0].next[0].when.is_ is True
    assert parsed.compliance.honor_opt_out  # compliance is on by default


@pytest.mark.parametrize("name", ["appointment-reminder.json", "lead-qualification.json"])
def test_the_shipped_examples_are_valid(name):
    parse_definition((REPO / "resources" / "agents" / name).read_text())


def test_the_limits_are_the_issues_numbers():
    assert (REPROMPT_MAX, SILENCE_REMINDERS_MAX) == (2, 2)
    assert SILENCE_REMINDER_S == 8.0
    assert HELLO_WAIT_S == 2.0


def test_a_transition_to_a_missing_step_names_its_path():
    data = changed(lambda d: d["flow"]["steps"][1]["next"][0].update(to="thank"))
    assert problems(data) == ["flow.steps[1].next[0].to: no step named 'thank'"]


def test_the_issues_own_message_shape_for_a_third_step():
    def edit(d):
        d["flow"]["steps"][2] = {"id": "bye", "say": "Bye.", "next": [{"to": "thank"}]}

    assert problems(changed(edit)) == ["flow.steps[2].next[0].to: no step named 'thank'"]


def test_start_fallback_and_tool_references_are_checked():
    def edit(d):
        d["flow"]["start"] = "nowhere"
        d["flow"]["steps"][0]["fallback"] = "gone"
        d["flow"]["steps"][1]["tool"] = "crm"
        d["tools"] = [{"type": "transfer", "number": "+15005550010", "fallback": "missing"}]

    assert problems(changed(edit)) == [
        "flow.start: no step named 'nowhere'",
        "flow.steps[0].fallback: no step named 'gone'",
        "flow.steps[1].tool: no tool named 'crm'",
        "tools[0].fallback: no step named 'missing'",
    ]


def test_unknown_keys_and_missing_keys_are_reported_where_they_are():
    def edit(d):
        d["flow"]["steps"][0]["sayy"] = "typo"
        del d["business"]["company"]

    assert problems(changed(edit)) == [
        "business.company: required",
        "flow.steps[0].sayy: unknown key",
    ]


def test_field_types_are_a_closed_list():
    data = changed(lambda d: d["flow"]["steps"][0]["collect"][0].update(type="colour"))
    [problem] = problems(data)
    assert problem.startswith("flow.steps[0].collect[0].type: Input should be 'yes_no', 'number'")


def test_a_condition_has_exactly_one_kind():
    data = changed(
        lambda d: d["flow"]["steps"][1]["next"][0].update(when={"keywords": ["x"], "dtmf": "1"})
    )
    [problem] = problems(data)
    assert problem.startswith("flow.steps[1].next[0].when: give exactly one of always,")


def test_a_field_condition_must_name_a_collected_field():
    data = changed(
        lambda d: d["flow"]["steps"][0]["next"][0].update(when={"field": "confirmd", "is": True})
    )
    assert problems(data) == [
        "flow.steps[0].next[0].when.field: no step collects a field named 'confirmd'"
    ]


def test_bad_regex_and_unsafe_expressions_are_refused():
    def edit(d):
        d["flow"]["steps"][1]["next"] = [
            {"when": {"regex": "(unclosed"}, "to": "bye"},
            {"when": {"expression": "__import__('os').system('x')"}, "to": "bye"},
            {"when": {"expression": "new_time.upper() == 'X'"}, "to": "bye"},
        ]

    found = problems(changed(edit))
    assert found[0].startswith("flow.steps[1].next[0].when.regex: not a valid regular expression")
    assert found[1] == "flow.steps[1].next[1].when.expression: call is not allowed in an expression"
    assert found[2] == "flow.steps[1].next[2].when.expression: call is not allowed in an expression"


def test_choice_fields_need_choices_and_dtmf_is_one_key():
    def edit(d):
        d["flow"]["steps"][1]["collect"] = [{"name": "slot", "type": "choice"}]
        d["flow"]["steps"][0]["next"][0]["when"] = {"dtmf": "12"}

    found = problems(changed(edit))
    assert found[0].startswith("flow.steps[0].next[0].when.dtmf: String should match pattern")
    assert "flow.steps[1].collect[0]: a choice field needs choices" in found


def test_duplicate_step_ids_and_dead_ends():
    def edit(d):
        d["flow"]["steps"].append({"id": "bye", "say": "Again."})

    found = problems(changed(edit))
    assert "flow.steps: step id 'bye' is used twice" in found
    assert "flow.steps[3]: needs 'next' or 'end': true" in found


def test_tool_errors_do_not_name_pydantics_union_member():
    data = changed(lambda d: d.update(tools=[{"type": "webhook", "url": "ftp://x"}]))
    [problem] = problems(data)
    assert problem.startswith("tools[0].url: String should match pattern")


def test_compliance_wording_is_required_while_it_is_on():
    data = changed(lambda d: d["opening"].update(greeting="Hi {{first_name}}!"))
    assert problems(data) == [
        "opening.greeting: must name the business ('Evergreen Vets' or {{company}}; "
        "compliance.disclose_automation is on)",
        "opening.greeting: must say the caller is automated, e.g. 'an automated assistant' "
        "(compliance.disclose_automation is on)",
        "opening.greeting: must say the call may be recorded (compliance.recording_notice is on)",
    ]


def test_compliance_switches_can_be_turned_off():
    def edit(d):
        d["opening"]["greeting"] = "Hi {{first_name}}!"
        d["compliance"] = {"disclose_automation": False, "recording_notice": False}

    parsed = parse_definition(changed(edit))
    assert parsed.compliance.honor_opt_out  # the others stay on


def test_not_json_and_not_an_object():
    assert problems("{nope")[0].startswith("(definition): not JSON")
    assert problems("[1]") == ["(definition): must be a JSON object"]


def test_export_round_trips_and_leaves_defaults_out():
    parsed = parse_definition(ISSUE_EXAMPLE)
    exported = parsed.to_json()
    assert parse_definition(json.dumps(exported)) == parsed
    assert "compliance" not in exported
    assert exported["flow"]["steps"][0]["next"][0]["when"] == {"field": "confirmed", "is": True}


def test_the_name_follows_the_rule_for_every_name():
    assert parse_definition(changed(lambda d: d.update(name="  Clinic   reminder "))).name == (
        "Clinic reminder"
    )
    assert problems(changed(lambda d: d.update(name="Clinic\x1b[2J"))) == [
        "name: the agent name 'Clinic\\x1b[2J' contains control characters"
    ]
    [empty] = problems(changed(lambda d: d.update(name="   ")))
    assert empty.startswith("name: ") and empty.endswith("needs a name")
