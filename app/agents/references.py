"""Checks that need the whole definition: names that must exist, compliance wording.

Each problem is one path-shaped line, e.g. "flow.steps[2].next[0].to: no step named 'thank'".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.agents.compliance import says_recorded
from app.agents.expressions import ExpressionError, compile_expression

if TYPE_CHECKING:
    from app.agents.definition import AgentDefinition, Condition, Step

GLOBAL_TRIGGERS = ("keywords", "regex", "dtmf", "llm")
_AUTOMATED = re.compile(
    r"\b(automated|virtual|ai|artificial|robot|recorded message|assistant)\b", re.I
)


def reference_errors(definition: AgentDefinition) -> list[str]:
    problems: list[str] = []
    step_ids = [s.id for s in definition.all_steps()]
    tool_names = [t.name for t in definition.tools]
    fields = {f.name for s in definition.all_steps() for f in s.collect}
    fields |= {f for t in definition.tools for f in getattr(t, "response_fields", {})}
    problems += _duplicates("flow.steps", step_ids, "step id")
    problems += _duplicates("tools", tool_names, "tool name")

    def step_ref(path: str, target: str | None) -> None:
        if target is not None and target not in step_ids:
            problems.append(f"{path}: no step named {target!r}")

    if definition.flow.start not in {s.id for s in definition.flow.steps}:
        problems.append(f"flow.start: no step named {definition.flow.start!r}")
    for path, step in _steps_with_paths(definition):
        for j, transition in enumerate(step.next):
            step_ref(f"{path}.next[{j}].to", transition.to)
            if transition.when is not None:
                problems += _condition_errors(f"{path}.next[{j}].when", transition.when, fields)
        step_ref(f"{path}.fallback", step.fallback)
        if step.tool is not None and step.tool not in tool_names:
            problems.append(f"{path}.tool: no tool named {step.tool!r}")
        if not step.next and not step.end and path.startswith("flow.steps") and not step.tool:
            problems.append(f"{path}: needs 'next' or 'end': true")
        if hasattr(step, "when"):
            problems += _condition_errors(f"{path}.when", step.when, fields)
            if step.when.kind not in GLOBAL_TRIGGERS:
                problems.append(
                    f"{path}.when: a global step fires on what the callee says or presses "
                    f"({', '.join(GLOBAL_TRIGGERS)}), not on {step.when.kind!r}"
                )
    for i, tool in enumerate(definition.tools):
        for key in ("fallback", "on_success", "on_failure"):
            step_ref(f"tools[{i}].{key}", getattr(tool, key, None))
        if tool.type == "schedule_callback" and tool.field not in fields:
            problems.append(f"tools[{i}].field: no step collects a field named {tool.field!r}")
    return problems + _compliance_errors(definition)


def _steps_with_paths(definition: AgentDefinition) -> list[tuple[str, Step]]:
    pairs: list[tuple[str, Step]] = [
        (f"flow.steps[{i}]", s) for i, s in enumerate(definition.flow.steps)
    ]
    pairs += [(f"flow.global[{i}]", s) for i, s in enumerate(definition.flow.global_)]
    return pairs


def _duplicates(path: str, names: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for name in names:
        if name in seen:
            problems.append(f"{path}: {what} {name!r} is used twice")
        seen.add(name)
    return problems


def _condition_errors(path: str, condition: Condition, fields: set[str]) -> list[str]:
    if condition.field is not None and condition.field not in fields:
        return [f"{path}.field: no step collects a field named {condition.field!r}"]
    if condition.regex is not None:
        try:
            re.compile(condition.regex)
        except re.error as exc:
            return [f"{path}.regex: not a valid regular expression ({exc})"]
    if condition.expression is not None:
        try:
            compile_expression(condition.expression)
        except ExpressionError as exc:
            return [f"{path}.expression: {exc}"]
    return []


def _compliance_errors(definition: AgentDefinition) -> list[str]:
    greeting = definition.opening.greeting
    rules = definition.compliance
    problems: list[str] = []
    company = definition.business.company
    if rules.disclose_automation:
        if company.lower() not in greeting.lower() and "{{company}}" not in greeting.replace(
            " ", ""
        ):
            problems.append(
                "opening.greeting: must name the business "
                f"({company!r} or {{{{company}}}}; compliance.disclose_automation is on)"
            )
        if not _AUTOMATED.search(greeting):
            problems.append(
                "opening.greeting: must say the caller is automated, e.g. 'an automated "
                "assistant' (compliance.disclose_automation is on)"
            )
    if rules.recording_notice and not says_recorded(greeting):
        problems.append(
            "opening.greeting: must say the call may be recorded "
            "(compliance.recording_notice is on)"
        )
    return problems
