"""An agent's test suite: its scenarios run through the phone's runtime, pass or fail each.

The Agents page's "Run all" and Publish (which runs the suite before a running campaign may
move to the new version) call `run_suite`; `calldeck agent test` reports the same runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.agents.actions import CallResult
from app.agents.definition import AgentDefinition
from app.agents.grounding import knowledge_for
from app.agents.scenarios import Scenario, parse_now, problems_with
from app.agents.script import run_script

if TYPE_CHECKING:
    from app.agents.llm import LlmConfig


@dataclass(frozen=True)
class ScenarioRun:
    scenario: Scenario
    result: CallResult
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems

    def transcript(self) -> str:
        """The conversation as lines, "Agent: …" and "Callee: …" (shown for a failure)."""
        return "\n".join(f"{t.speaker.capitalize()}: {t.text}" for t in self.result.turns)


@dataclass(frozen=True)
class SuiteResult:
    runs: list[ScenarioRun]

    @property
    def passed(self) -> int:
        return sum(1 for run in self.runs if run.passed)

    @property
    def failed(self) -> int:
        return len(self.runs) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary(self) -> str:
        if not self.runs:
            return "No scenarios yet."
        return f"{self.passed} of {len(self.runs)} scenarios passed"


def run_suite(
    definition: AgentDefinition, scenarios: Sequence[Scenario], llm: LlmConfig | None = None
) -> SuiteResult:
    knowledge = knowledge_for(definition)
    runs = []
    for scenario in scenarios:
        result = run_script(
            definition,
            scenario.callee_lines(),
            variables=scenario.vars,
            knowledge=knowledge,
            now=parse_now(scenario.now),
            timezone=scenario.timezone,
            llm=llm,
        )
        runs.append(ScenarioRun(scenario, result, problems_with(result, scenario.expect)))
    return SuiteResult(runs)
