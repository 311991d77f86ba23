"""Seeded fault injection: `429=0.1,500=0.05,timeout=0.05,drop-callback=0.2`."""

from __future__ import annotations

import random
import threading

FAULT_KINDS = ("429", "500", "timeout", "drop-callback")


def parse_faults(spec: str | None) -> dict[str, float]:
    rates: dict[str, float] = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, rate = part.partition("=")
        kind = kind.strip()
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        value = float(rate) if rate else 1.0
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"fault rate for {kind} must be within 0..1, got {value}")
        rates[kind] = value
    return rates


class FaultPlan:
    """Decides, reproducibly for a seed, whether the next request/callback misbehaves."""

    def __init__(self, spec: str | None, seed: int = 0) -> None:
        self.rates = parse_faults(spec)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = dict.fromkeys(FAULT_KINDS, 0)

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
