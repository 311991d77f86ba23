"""A flow's transitions written as sentences, for people who never read the JSON:
"If the callee says yes → Thank you", "If they press 2 → Transfer"."""

from __future__ import annotations

from typing import Any

from app.agents.definition import Condition, Transition


def _value(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return repr(value) if isinstance(value, str) else str(value)


def condition_sentence(condition: Condition | None) -> str:
    """The "If ..." half: what must be true for the transition to be taken."""
    if condition is None or condition.always:
        return "Otherwise"
    if condition.after_speaking:
        return "After the line is said"
    if condition.field is not None:
        if condition.is_ is True:
            return f"If the callee says yes ({condition.field})"
        if condition.is_ is False:
            return f"If the callee says no ({condition.field})"
        if condition.is_ is not None:
            return f"If {condition.field} is {_value(condition.is_)}"
        if condition.filled is False:
            return f"If {condition.field} is still empty"
        return f"If they give {condition.field}"
    if condition.keywords is not None:
        words = " or ".join(f"“{w}”" for w in condition.keywords)
        return f"If they say {words}"
    if condition.dtmf is not None:
        return f"If they press {condition.dtmf}"
    if condition.regex is not None:
        return f"If what they say matches {condition.regex}"
    if condition.expression is not None:
        return f"If {condition.expression}"
    return f"If the model judges: {condition.llm}"


def transition_sentence(transition: Transition, target_title: str | None = None) -> str:
    return f"{condition_sentence(transition.when)} → {target_title or transition.to}"
