"""Who picks up: the outcome of a call by the last digit of To, or by a scenario file.

0-4 a person answers; 5 voicemail; 6 no answer; 7 busy; 8 fails after the 201;
9 a person answers and asks not to be called again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

HUMAN_LINES = (
    "Hello?",
    "Yes, this is a good time, go ahead.",
    "That sounds good to me, thank you. Goodbye.",
)
DNC_LINES = (
    "Hello, who is this?",
    "Please take me off your list and do not call me again.",
)
VOICEMAIL_LINES = ("Hi, you have reached my voicemail. Please leave a message after the beep.",)

OUTCOME_KINDS = ("human", "voicemail", "no-answer", "busy", "failed", "dnc")


@dataclass(frozen=True)
class Outcome:
    kind: str
    ring_s: float = 4.0  # seconds of ringing before the outcome happens
    lines: tuple[str, ...] = field(default_factory=tuple)  # what the callee says

    @property
    def answers(self) -> bool:
        return self.kind in ("human", "voicemail", "dnc")


_BY_DIGIT = {
    **{d: Outcome("human", 4.0, HUMAN_LINES) for d in "01234"},
    "5": Outcome("voicemail", 8.0, VOICEMAIL_LINES),
    "6": Outcome("no-answer"),
    "7": Outcome("busy", 2.0),
    "8": Outcome("failed", 1.0),
    "9": Outcome("dnc", 4.0, DNC_LINES),
}


@dataclass
class Scenario:
    """Optional JSON file: per-number outcomes plus account settings.

    {"numbers": {"+15551230000": {"outcome": "busy", "ring_s": 3, "lines": ["..."]}},
     "trial": false, "owned_numbers": ["+1..."], "verified_caller_ids": ["+1..."]}
    """

    numbers: dict[str, Outcome] = field(default_factory=dict)
    trial: bool = False
    owned_numbers: list[str] = field(default_factory=list)
    verified_caller_ids: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None) -> Scenario:
        if path is None:
            return cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        numbers = {}
        for number, spec in (data.get("numbers") or {}).items():
            kind = spec.get("outcome", "human")
            if kind not in OUTCOME_KINDS:
                raise ValueError(f"scenario: unknown outcome {kind!r} for {number}")
            base = outcome_for_digit(kind)
            lines = tuple(spec.get("lines") or base.lines)
            numbers[number] = Outcome(kind, float(spec.get("ring_s", base.ring_s)), lines)
        return cls(
            numbers=numbers,
            trial=bool(data.get("trial", False)),
            owned_numbers=list(data.get("owned_numbers") or []),
            verified_caller_ids=list(data.get("verified_caller_ids") or []),
        )

    def outcome_for(self, to: str) -> Outcome:
        if to in self.numbers:
            return self.numbers[to]
        last = to.strip()[-1:] if to.strip() else "0"
        return _BY_DIGIT.get(last, _BY_DIGIT["0"])


def outcome_for_digit(kind: str) -> Outcome:
    for outcome in _BY_DIGIT.values():
        if outcome.kind == kind:
            return outcome
    return _BY_DIGIT["0"]
