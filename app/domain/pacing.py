"""Pacing: when may the next call of a campaign start?

Three limits, all checked against the clock at the moment of the start (never trusting a timer):
- concurrency N per campaign: live calls (claimed, not yet final) stay below N;
- per-minute P per campaign: starts at least 60/P s apart, a smooth pace rather than a burst,
  so no 60-s window holds more than P starts;
- calls per second, account-wide: starts of all campaigns at least 1/CPS s apart.
Limits are passed in on every question, so a change takes effect at the next decision.

A start is anchored twice: when it is decided (`started`) and again when the provider has
answered the create request (`sent`). Only one create is in flight at a time, and spacing is
measured from that answer: the request reached the provider at the latest then, so however
late a worker thread sent it, the provider never sees two starts closer than the limits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    concurrency: int
    per_minute: int

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.per_minute < 1:
            raise ValueError("concurrency and calls per minute must be at least 1")

    @property
    def spacing_s(self) -> float:
        return 60.0 / self.per_minute


class Pacer:
    """Remembers starts and live calls; answers "when may campaign X start its next call?"."""

    def __init__(self, cps: float = 1.0) -> None:
        self.cps = cps
        self._last_start: dict[int, float] = {}
        self._active: dict[int, int] = {}
        self._account_last: float | None = None
        self._in_flight: int | None = None  # the campaign whose create is unanswered
        self.last_answer: float = float("-inf")  # when the provider last answered a create

    @property
    def cps(self) -> float:
        return self._cps

    @cps.setter
    def cps(self, value: float) -> None:
        if value <= 0:
            raise ValueError("calls per second must be above 0")
        self._cps = float(value)

    def active(self, campaign_id: int) -> int:
        return self._active.get(campaign_id, 0)

    def total_active(self) -> int:
        return sum(self._active.values())

    def next_start(self, campaign_id: int, limits: Limits) -> float | None:
        """The earliest monotonic time of the next start, or None while all lines are busy."""
        if self.active(campaign_id) >= limits.concurrency:
            return None
        if self._in_flight is not None:
            return float("inf")  # wait for the answer to the create in flight
        earliest = float("-inf")
        last = self._last_start.get(campaign_id)
        if last is not None:
            earliest = last + limits.spacing_s
        if self._account_last is not None:
            earliest = max(earliest, self._account_last + 1.0 / self._cps)
        return earliest

    def may_start(self, campaign_id: int, limits: Limits, now: float) -> bool:
        at = self.next_start(campaign_id, limits)
        return at is not None and now >= at

    def started(self, campaign_id: int, now: float) -> None:
        """A call was claimed at *now* and its create request is about to go out."""
        self._anchor(campaign_id, now)
        self._active[campaign_id] = self.active(campaign_id) + 1
        self._in_flight = campaign_id

    def sent(self, campaign_id: int, now: float) -> None:
        """The provider answered the create request (or it failed) at *now*."""
        self._anchor(campaign_id, now)
        self.last_answer = max(self.last_answer, now)
        if self._in_flight == campaign_id:
            self._in_flight = None

    def _anchor(self, campaign_id: int, now: float) -> None:
        self._last_start[campaign_id] = max(self._last_start.get(campaign_id, now), now)
        self._account_last = now if self._account_last is None else max(self._account_last, now)

    def adopt(self, campaign_id: int) -> None:
        """Count a live call found at start-up (it holds a line but was not started by us)."""
        self._active[campaign_id] = self.active(campaign_id) + 1

    def ended(self, campaign_id: int) -> None:
        left = self.active(campaign_id) - 1
        if left < 0:
            raise RuntimeError(f"campaign {campaign_id}: more calls ended than started")
        self._active[campaign_id] = left
