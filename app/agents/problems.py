"""What is wrong with a draft while it is being edited, each problem tied to where it is.

`draft_problems` runs the checks `parse_definition` runs (references, compliance wording) and
those only an editor needs: steps nothing leads to, a field a step uses before any step on
the way to it collects it, a {{variable}} neither the contacts nor a fallback provide. The
Agents page shows them beside the step; the CLI could print them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.agents.definition import AgentDefinition, Condition, Step, validation_problems
from app.agents.references import reference_errors
from app.agents.variables import RUNTIME_NAMES, contact_columns_used
from app.domain.template import names_used

_STEP_PATH = re.compile(r"^flow\.(steps|global)\[(\d+)\]")
# What the runtime fills from a contact whatever its columns (app.domain.template).
ALWAYS_FROM_CONTACT = frozenset({"name", "first_name"})


@dataclass(frozen=True)
class Problem:
    path: str  # "flow.steps[2].next[0].to"
    message: str
    step: str | None = None  # the step id the problem is in, for showing it beside the step

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def schema_problems(data: Mapping[str, Any]) -> tuple[AgentDefinition | None, list[Problem]]:
    """Validate a draft's data; the definition (None when it does not validate) and the
    problems pydantic found, path-shaped like parse_definition's."""
    try:
        return AgentDefinition.model_validate(data), []
    except ValidationError as exc:
        return None, [_split(line) for line in validation_problems(exc)]


def draft_problems(
    definition: AgentDefinition, columns: Iterable[str] | None = None
) -> list[Problem]:
    """Every problem of a valid-shaped draft. *columns*: the contact columns of the
    campaigns that use the agent (None: no campaign yet, so no column check)."""
    steps = {s.id: s for s in definition.all_steps()}
    reached = _walk(definition, steps)
    problems = [_with_step(_split(line), definition) for line in reference_errors(definition)]
    problems += _unreachable(definition, reached)
    problems += _fields_before_collected(definition, steps, reached)
    if columns is not None:
        problems += _unprovided_variables(definition, set(columns))
    return problems


def _split(line: str) -> Problem:
    path, _, message = line.partition(": ")
    return Problem(path, message)


def _with_step(problem: Problem, definition: AgentDefinition) -> Problem:
    match = _STEP_PATH.match(problem.path)
    if match is None:
        return problem
    group = definition.flow.steps if match.group(1) == "steps" else definition.flow.global_
    index = int(match.group(2))
    step = group[index].id if index < len(group) else None
    return Problem(problem.path, problem.message, step)


def _targets(definition: AgentDefinition, step: Step) -> list[str]:
    """Where a step may go next: its transitions, its fallback, its tool's edges."""
    targets = [t.to for t in step.next]
    if step.fallback:
        targets.append(step.fallback)
    tool = definition.tool(step.tool) if step.tool else None
    for key in ("fallback", "on_success", "on_failure"):
        target = getattr(tool, key, None)
        if target:
            targets.append(target)
    return targets


def _unreachable(definition: AgentDefinition, reached: Mapping[str, set[str]]) -> list[Problem]:
    return [
        Problem(f"flow.steps[{i}]", "no step leads here: the call never reaches it", step.id)
        for i, step in enumerate(definition.flow.steps)
        if step.id not in reached
    ]


def _walk(definition: AgentDefinition, steps: Mapping[str, Step]) -> dict[str, set[str]]:
    """Each step a call can reach (from the start, or from anywhere for a global step), with
    the fields some step on a way to it collects (itself excluded; a tool's reply fields
    count as collected by the step that uses it)."""

    def gives(step: Step) -> set[str]:
        fields = {f.name for f in step.collect}
        tool = definition.tool(step.tool) if step.tool else None
        fields |= set(getattr(tool, "response_fields", {}) or {})
        if tool is not None and tool.type == "schedule_callback":
            fields.add(tool.field)
        return fields

    starts = (definition.flow.start, *(g.id for g in definition.flow.global_))
    before: dict[str, set[str]] = {s: set() for s in starts if s in steps}
    changed = True
    while changed:  # a fixed point: the sets only grow, bounded by all the fields
        changed = False
        for step_id in list(before):
            after = before[step_id] | gives(steps[step_id])
            for target in _targets(definition, steps[step_id]):
                if target in steps and not (target in before and after <= before[target]):
                    before.setdefault(target, set()).update(after)
                    changed = True
    return before


def _condition_fields(condition: Condition | None) -> set[str]:
    if condition is None or condition.field is None:
        return set()
    return {condition.field}


def _fields_before_collected(
    definition: AgentDefinition, steps: Mapping[str, Step], reached: Mapping[str, set[str]]
) -> list[Problem]:
    collected = {f.name for s in steps.values() for f in s.collect}
    collected |= {f for t in definition.tools for f in getattr(t, "response_fields", {})}
    problems = []
    for path, step in _paths(definition):
        if step.id not in reached:
            continue  # an unreachable step has that problem already
        known = reached[step.id]
        for name in sorted(names_used(step.say) & collected - known):
            problems.append(
                Problem(
                    f"{path}.say",
                    f"says {{{{{name}}}}} before any step on the way here collects it",
                    step.id,
                )
            )
        own = known | {f.name for f in step.collect}
        for j, transition in enumerate(step.next):
            for name in sorted(_condition_fields(transition.when) - own):
                if name in collected:  # an unknown field is reference_errors' problem
                    problems.append(
                        Problem(
                            f"{path}.next[{j}].when.field",
                            f"uses {name!r} before any step on the way here collects it",
                            step.id,
                        )
                    )
    return problems


def _paths(definition: AgentDefinition) -> list[tuple[str, Step]]:
    pairs: list[tuple[str, Step]] = [
        (f"flow.steps[{i}]", s) for i, s in enumerate(definition.flow.steps)
    ]
    return pairs + [(f"flow.global[{i}]", s) for i, s in enumerate(definition.flow.global_)]


def _unprovided_variables(definition: AgentDefinition, columns: set[str]) -> list[Problem]:
    missing = contact_columns_used(definition) - columns - ALWAYS_FROM_CONTACT
    problems = []
    for name in sorted(missing):
        where = _first_use(definition, name)
        problems.append(
            Problem(
                where[0],
                f"{{{{{name}}}}}: no contact column of the campaigns using this agent "
                "provides it, and it has no fallback",
                where[1],
            )
        )
    return problems


def _first_use(definition: AgentDefinition, name: str) -> tuple[str, str | None]:
    for path, line in (
        ("opening.greeting", definition.opening.greeting),
        ("opening.probe", definition.opening.probe),
        ("voicemail.message", definition.voicemail.message),
    ):
        if name in names_used(line):
            return path, None
    for path, step in _paths(definition):
        lines = [step.say, step.reprompt or "", *(f.ask or "" for f in step.collect)]
        if any(name in names_used(line) for line in lines):
            return f"{path}.say", step.id
    return "tools", None


def variables_offered(definition: AgentDefinition, columns: Iterable[str]) -> list[str]:
    """The {{names}} a line may use: contact columns, fallbacks, runtime names, fields."""
    names = set(columns) | ALWAYS_FROM_CONTACT | RUNTIME_NAMES | set(definition.variables)
    names |= {f.name for s in definition.all_steps() for f in s.collect}
    return sorted(names)
