import pytest

from app.agents.scenarios import Expectation, Scenario, run_scenarios
from app.agents.suite import run_suite
from tests.agents.panes_support import CONTACT, template


def scenarios():
    return [
        Scenario(
            name="confirms",
            lines=["Hello?", "Yes"],
            vars=CONTACT,
            expect=Expectation(
                outcome="completed", fields={"confirmed": True}, steps=["confirmed"]
            ),
        ),
        Scenario(
            name="expects a transfer",
            persona="not_interested",
            vars=CONTACT,
            expect=Expectation(outcome="transferred", tools=["transfer"]),
        ),
    ]


def test_one_pass_one_fail_and_the_failure_keeps_its_transcript():
    suite = run_suite(template(), scenarios())
    assert (suite.passed, suite.failed, suite.ok) == (1, 1, False)
    assert suite.summary() == "1 of 2 scenarios passed"
    failed = suite.runs[1]
    assert not failed.passed
    assert (
        "outcome was" in failed.problems[0] and "tool 'transfer' was not called" in failed.problems
    )
    transcript = failed.transcript()
    assert transcript.startswith("Callee: Hello?\nAgent: Hi Ada")
    assert "Callee: No thanks, I'm not interested." in transcript


def test_the_cli_report_is_the_suite_s():
    report = run_scenarios(template(), scenarios())
    assert (report["passed"], report["failed"]) == (1, 1)
    assert [s["passed"] for s in report["scenarios"]] == [True, False]


def test_a_scenario_needs_lines_or_a_known_persona():
    with pytest.raises(ValueError, match="lines or a persona"):
        Scenario(name="empty")
    with pytest.raises(ValueError, match="no persona named 'nobody'"):
        Scenario(name="who", persona="nobody")
    assert Scenario(name="p", persona="opt_out").to_json() == {"name": "p", "persona": "opt_out"}
