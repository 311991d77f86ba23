"""Per-contact variables in an agent's lines: "Hi {{first_name}}" -> "Hi Ana"."""

from __future__ import annotations

import re
from collections.abc import Mapping

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.!?])")
_RUN_OF_SPACES = re.compile(r"\s{2,}")


def render(template: str, variables: Mapping[str, object]) -> str:
    """Fill {{name}} placeholders; a variable the contact lacks becomes nothing, never "{{x}}"
    (an agent gives its own fallbacks in its definition's `variables`)."""

    def value(match: re.Match[str]) -> str:
        found = variables.get(match.group(1))
        return "" if found is None else str(found)

    text = _VARIABLE.sub(value, template)
    # "Hi , this is…" reads badly when a name is missing: tidy the gap the variable left.
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return _RUN_OF_SPACES.sub(" ", text).strip()


def names_used(template: str) -> set[str]:
    """The {{names}} a line uses."""
    return set(_VARIABLE.findall(template))


def contact_variables(name: str | None, fields: Mapping[str, object] | None) -> dict[str, object]:
    """What a template may use: the contact's columns, plus name and first_name from the name."""
    variables: dict[str, object] = dict(fields or {})
    if name:
        variables.setdefault("name", name)
        variables.setdefault("first_name", name.split()[0])
    return variables
