"""One scenarios file, the same verdicts with the LLM off and on; `agent test --llm` and
`agent chat --llm` read the model from the settings."""

from __future__ import annotations

import io
import json

from app.agents.definition import parse_definition
from app.agents.scenarios import Scenario, run_scenarios
from app.settings import set_setting
from app.store.engine import open_store

from .fake_openai import Reply
from .test_agent_cli import EXAMPLES, NOW, run
from .test_llm import config

SCENARIOS = [
    {
        "name": "confirms",
        "lines": ["Hello", "yes, we'll be there"],
        "vars": {"first_name": "Ana", "pet_name": "Rex"},
        "expect": {"outcome": "completed", "fields": {"confirmed": True}, "steps": ["confirmed"]},
    },
    {
        "name": "reschedules",
        "lines": ["Hello", "no, I can't", "next Tuesday at 4 pm"],
        "now": NOW,
        "timezone": "America/New_York",
        "expect": {"fields": {"confirmed": False}, "steps": ["reschedule", "rescheduled"]},
    },
    {
        "name": "busy",
        "lines": ["Hello", "not a good time", "tomorrow at 5 pm"],
        "now": NOW,
        "timezone": "America/New_York",
        "expect": {"outcome": "callback", "fields": {"callback_at": "2026-12-02T17:00:00-05:00"}},
    },
    {
        "name": "opts out",
        "lines": ["Hello", "take me off your list"],
        "expect": {"outcome": "dnc", "dnc": True},
    },
]


def written_reminder():
    """The example agent with an instruction on each step, so the model writes every line."""
    data = json.loads((EXAMPLES / "appointment-reminder.json").read_text())
    for step in data["flow"]["steps"]:
        step["instruction"] = "Say this warmly, in your own words."
    return parse_definition(data)


def test_the_same_scenarios_pass_with_the_llm_off_and_on(fake_llm):
    defn = written_reminder()
    scenarios = [Scenario.model_validate(s) for s in SCENARIOS]
    off = run_scenarios(defn, scenarios)
    on = run_scenarios(defn, scenarios, config(fake_llm))
    assert (off["passed"], off["failed"]) == (4, 0), off
    assert (on["passed"], on["failed"]) == (4, 0), on
    assert [s["step_path"] for s in on["scenarios"]] == [s["step_path"] for s in off["scenarios"]]
    assert "line" in fake_llm.kinds()  # the model did write the lines


def test_agent_chat_and_test_with_llm_read_the_settings(
    home, capsys, tmp_path, fake_llm, monkeypatch
):
    code, _, _ = run(capsys, home, "agent", "import", str(EXAMPLES / "lead-qualification.json"))
    assert code == 0
    scenarios = tmp_path / "scenarios.json"
    scenarios.write_text(json.dumps({"scenarios": SCENARIOS[3:]}))
    argv = ["agent", "test", "Solar lead qualification", "--scenarios", str(scenarios), "--llm"]
    code, _, err = run(capsys, home, *argv)
    assert code == 1 and "no language model is set" in err
    store = open_store(home)
    with store.session.begin() as session:
        set_setting(session, "llm_base_url", fake_llm.base_url)
        set_setting(session, "llm_model", "fake-model")
    store.dispose()
    code, out, _ = run(capsys, home, *argv)
    assert code == 0 and out.splitlines()[-1] == "1 passed, 0 failed"
    fake_llm.summaries.append(Reply("They asked not to be called."))
    monkeypatch.setattr("sys.stdin", io.StringIO("Hello\ntake me off your list\n"))
    code, out, _ = run(capsys, home, "agent", "chat", "Solar lead qualification", "--llm", "--json")
    assert code == 0
    assert json.loads(out)["summary"] == "They asked not to be called."
