"""`calldeck agent test`: scenarios of callee lines with what the call must come to.

A scenarios file is JSON: {"scenarios": [{"name": ..., "lines": [...] (or "persona": one of
the emulator's personas, played as its lines), "vars": {...},
"now": "2026-12-01T15:00:00+00:00", "timezone": "America/New_York", "expect": {"outcome": ...,
"fields": {...}, "steps": [...], "tools": [...], "dnc": bool}}]}. Expected fields must be
equal (others may exist); expected steps and tools must all have been reached or called.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.agents.actions import CallResult
from app.agents.definition import AgentDefinition

if TYPE_CHECKING:
    from app.agents.llm import LlmConfig


class ScenarioError(ValueError):
    pass


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    steps: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    dnc: bool | None = None


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    lines: list[str] = Field(default_factory=list)
    persona: str | None = None  # app.telephony.emulator.personas; played when lines are empty
    vars: dict[str, Any] = Field(default_factory=dict)
    now: str | None = None
    timezone: str | None = None
    expect: Expectation = Expectation()

    @model_validator(mode="after")
    def _lines_or_persona(self) -> Scenario:
        if not self.lines and not self.persona:
            raise ValueError("give the callee's lines or a persona")
        if not self.lines and not persona_lines(self.persona or ""):
            raise ValueError(f"no persona named {self.persona!r}")
        return self

    def callee_lines(self) -> list[str]:
        return list(self.lines) or persona_lines(self.persona or "")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)


def persona_lines(name: str) -> list[str]:
    """An emulator persona as script lines (app.agents.script's events); [] for no such one."""
    from app.telephony.emulator.personas import persona_named

    persona = persona_named(name)
    if persona is None:
        return []
    if persona.machine:
        return ["#voicemail"]
    lines = [f"#dtmf {turn.digits}" if turn.digits else turn.say for turn in persona.turns]
    return lines or ["#silence 9", "#silence 9", "#silence 9"]  # the silent callee


def parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ScenarioError(f"--now {text!r}: not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    variables = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"--var {pair!r}: use KEY=VALUE")
        variables[key.strip()] = value
    return variables


def load_scenarios(path: Path) -> list[Scenario]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not JSON: {exc}") from None
    items = data.get("scenarios") if isinstance(data, dict) else data
    try:
        return [Scenario.model_validate(item) for item in items or []]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(f"{path}: {where}: {first['msg']}") from None


def problems_with(result: CallResult, expect: Expectation) -> list[str]:
    problems = []
    if expect.outcome is not None and result.outcome != expect.outcome:
        problems.append(f"outcome was {result.outcome!r}, expected {expect.outcome!r}")
    for name, value in expect.fields.items():
        if result.fields.get(name) != value:
            problems.append(f"field {name} was {result.fields.get(name)!r}, expected {value!r}")
    for step in expect.steps:
        if step not in result.step_path:
            problems.append(f"step {step!r} was not reached (path: {', '.join(result.step_path)})")
    for tool in expect.tools:
        if tool not in result.tools_called:
            problems.append(f"tool {tool!r} was not called")
    if expect.dnc is not None and result.dnc != expect.dnc:
        problems.append(f"dnc was {str(result.dnc).lower()}, expected {str(expect.dnc).lower()}")
    return problems


def run_scenarios(
    definition: AgentDefinition, scenarios: Sequence[Scenario], llm: LlmConfig | None = None
) -> dict[str, Any]:
    """`calldeck agent test`'s report (app.agents.suite runs them)."""
    from app.agents.suite import run_suite

    suite = run_suite(definition, scenarios, llm)
    outcomes = [
        {
            "name": run.scenario.name,
            "passed": run.passed,
            "problems": run.problems,
            "outcome": run.result.outcome,
            "step_path": run.result.step_path,
        }
        for run in suite.runs
    ]
    return {"passed": suite.passed, "failed": suite.failed, "scenarios": outcomes}
