"""Spotting a callee's request not to be called again, in what they said on the call."""

from __future__ import annotations

import re

# Each pattern is one way people say it; apostrophes are normalised before matching.
_PATTERNS = (
    r"\bdo not (?:ever )?call (?:me|us|this number)\b",
    r"\bdont (?:ever )?call (?:me|us|this number)\b",
    r"\bnever call (?:me|us|this number)\b",
    r"\bstop calling\b",
    r"\b(?:remove|take) (?:me|us|this number|my number) (?:off|from) (?:your|the) (?:calling |call )?list\b",
    r"\bput (?:me|us|my number) on (?:your|the) do not call list\b",
    r"\bno more calls\b",
    r"\bunsubscribe\b",
)
_REGEX = re.compile("|".join(_PATTERNS))


_DASHES = re.compile(r"[-_]")
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return _SPACES.sub(" ", _DASHES.sub(" ", text))


def asks_not_to_be_called(text: str) -> bool:
    """True when *text* contains a do-not-call request ("do not call me again", "don't call
    me", "remove me from your list", ...)."""
    return _REGEX.search(_normalise(text)) is not None
