"""Seeded fault injection, and the delays real Twilio has.

`429=0.1,500=0.05,timeout=0.05,drop-callback=0.2` are rates (0..1) rolled per request;
`recording-delay=120,list-delay=20` are emulated seconds (scaled by the emulator's speed):
how long a recording stays "processing" after its call, and how late a new call shows up
in the call list. Both delays are on by default, like on Twilio. `latency=0.2` is real
seconds added to every REST answer (a desktop's round trip to Twilio; off by default).
"""

from __future__ import annotations

import random
import threading

RATE_KINDS = ("429", "500", "timeout", "drop-callback")
# Emulated seconds, and their defaults. Twilio: recordings "may not always be ready right
# away when your call ends"; the call list is not documented to be instantly current.
DELAY_DEFAULTS = {"recording-delay": 3.0, "list-delay": 2.0}
REAL_SECONDS_KINDS = ("latency",)
FAULT_KINDS = RATE_KINDS + tuple(DELAY_DEFAULTS) + REAL_SECONDS_KINDS


def _parse(spec: str | None) -> dict[str, float]:
    values: dict[str, float] = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, value_text = part.partition("=")
        kind = kind.strip()
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        value = float(value_text) if value_text else 1.0
        if kind in RATE_KINDS and not 0.0 <= value <= 1.0:
            raise ValueError(f"fault rate for {kind} must be within 0..1, got {value}")
        if kind not in RATE_KINDS and value < 0:
            raise ValueError(f"{kind} is in seconds and cannot be negative, got {value}")
        values[kind] = value
    return values


def parse_faults(spec: str | None) -> dict[str, float]:
    """The rates of *spec* (delays are read with parse_delays)."""
    return {k: v for k, v in _parse(spec).items() if k in RATE_KINDS}


def parse_delays(spec: str | None) -> dict[str, float]:
    """Each delay in emulated seconds: the default unless *spec* sets it."""
    return {**DELAY_DEFAULTS, **{k: v for k, v in _parse(spec).items() if k in DELAY_DEFAULTS}}


class FaultPlan:
    """Decides, reproducibly for a seed, whether the next request/callback misbehaves."""

    def __init__(self, spec: str | None, seed: int = 0) -> None:
        self.rates = parse_faults(spec)
        delays = parse_delays(spec)
        self.recording_delay_s = delays["recording-delay"]
        self.list_delay_s = delays["list-delay"]
        self.latency_s = _parse(spec).get("latency", 0.0)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = dict.fromkeys(RATE_KINDS, 0)

    def _roll(self, kind: str) -> bool:
        rate = self.rates.get(kind, 0.0)
        if rate <= 0.0:
            return False
        with self._lock:
            hit = self._rng.random() < rate
            if hit:
                self.injected[kind] += 1
        return hit

    def http_fault(self) -> int | None:
        """429 or 500 for this REST request, or None."""
        if self._roll("429"):
            return 429
        if self._roll("500"):
            return 500
        return None

    def drop_connection_after_create(self) -> bool:
        return self._roll("timeout")

    def drop_callback(self) -> bool:
        return self._roll("drop-callback")
