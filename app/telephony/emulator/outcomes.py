"""Who picks up: the outcome of a call by the digits of To, or by a scenario file.

Last digit: 0-4 a person answers; 5 voicemail; 6 no answer; 7 busy; 8 fails after the 201;
9 a person answers and asks not to be called again. Which person (0-4) is the tens digit's
persona; the table is in personas.py, and ``persona_for`` is the public way to read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.telephony.emulator.personas import (
    OPT_OUT,
    PERSON_PERSONAS,
    PERSONA_NAMES,
    VOICEMAIL,
    Persona,
    person_for_digits,
    persona_named,
    scripted,
)

OUTCOME_KINDS = ("human", "voicemail", "no-answer", "busy", "failed", "dnc")
_NOBODY = Persona("nobody")  # no-answer, busy, failed: no one to talk to

__all__ = ["OUTCOME_KINDS", "PERSONA_NAMES", "Outcome", "Scenario", "persona_for"]


@dataclass(frozen=True)
class Outcome:
    kind: str
    ring_s: float = 4.0  # seconds of ringing before the outcome happens
    persona: Persona = field(default=_NOBODY)  # who answers, when someone does

    @property
    def answers(self) -> bool:
        return self.kind in ("human", "voicemail", "dnc")


_BY_DIGIT = {
    **{d: Outcome("human", 4.0, PERSON_PERSONAS[0]) for d in "01234"},
    "5": Outcome("voicemail", 8.0, VOICEMAIL),
    "6": Outcome("no-answer"),
    "7": Outcome("busy", 2.0),
    "8": Outcome("failed", 1.0),
    "9": Outcome("dnc", 4.0, OPT_OUT),
}


def outcome_for_digits(to: str) -> Outcome:
    last = to.strip()[-1:] if to.strip() else "0"
    outcome = _BY_DIGIT.get(last, _BY_DIGIT["0"])
    if outcome.kind == "human":
        return Outcome("human", outcome.ring_s, person_for_digits(to))
    return outcome


def persona_for(to: str, custom_parameters: Mapping[str, str] | None = None) -> Persona:
    """Who answers *to*: customParameters["persona"] when it names a persona, else the
    default digit table (no scenario file). Use ``PERSONA_NAMES`` for the valid names."""
    named = persona_named((custom_parameters or {}).get("persona"))
    return named or outcome_for_digits(to).persona


@dataclass
class Scenario:
    """Optional JSON file: per-number outcomes plus account settings.

    {"numbers": {"+15551230000": {"outcome": "busy", "ring_s": 3, "lines": ["..."],
                                  "persona": "silent"}},
     "trial": false, "account_status": "active", "owned_numbers": ["+1..."],
     "verified_caller_ids": ["+1..."]}

    "persona" names one of PERSONA_NAMES; "lines" makes a persona that says them in turn.
    """

    numbers: dict[str, Outcome] = field(default_factory=dict)
    trial: bool = False
    account_status: str = "active"  # or "suspended" / "closed", as the account fetch says
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
            base = outcome_for_kind(kind)
            persona = base.persona
            if spec.get("persona"):
                persona = persona_named(spec["persona"])
                if persona is None:
                    raise ValueError(f"scenario: unknown persona {spec['persona']!r} for {number}")
            if spec.get("lines"):
                persona = scripted(tuple(spec["lines"]), machine=persona.machine)
            numbers[number] = Outcome(kind, float(spec.get("ring_s", base.ring_s)), persona)
        return cls(
            numbers=numbers,
            trial=bool(data.get("trial", False)),
            account_status=str(data.get("account_status", "active")),
            owned_numbers=list(data.get("owned_numbers") or []),
            verified_caller_ids=list(data.get("verified_caller_ids") or []),
        )

    def outcome_for(self, to: str) -> Outcome:
        if to in self.numbers:
            return self.numbers[to]
        return outcome_for_digits(to)


def outcome_for_kind(kind: str) -> Outcome:
    for outcome in _BY_DIGIT.values():
        if outcome.kind == kind:
            return outcome
    return _BY_DIGIT["0"]
