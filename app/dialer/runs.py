"""Per-campaign working state: who can be dialled now, and when the next one will be."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from app.dialer.plans import CampaignPlan, Candidate
from app.domain.windows import is_open, next_open, zones_for_number


@dataclass
class CampaignRun:
    plan: CampaignPlan
    queue: deque[Candidate] = field(default_factory=deque)
    later: datetime | None = None  # the earliest time someone not in the queue becomes callable
    later_reason: str = ""  # "retry" | "window"
    later_local: str = ""  # "08:00 in the contacts' time zone (New York)" for the status line
    needs_load: bool = True
    backoff_until: float = float("-inf")  # monotonic; set when the provider asks us to slow down

    def fill(self, candidates: list[Candidate], now: datetime) -> None:
        """Split *candidates* into callable now (queue) and the earliest later time."""
        self.queue.clear()
        self.later = None
        self.needs_load = False
        fallback = _fallback_zone(self.plan.region)
        opens: dict[tuple[str, ...], datetime | None] = {}
        for cand in candidates:
            if cand.due_at is not None and cand.due_at > now:
                self._note_later(cand.due_at, "retry", "")
                continue
            zones = zones_for_number(cand.phone, fallback)
            if zones not in opens:
                opens[zones] = next_open(self.plan.window, zones, now)
            opening = opens[zones]
            if opening == now:
                self.queue.append(cand)
            elif opening is not None:
                self._note_later(opening, "window", _local_hhmm(opening, zones))

    def next_candidate(self, now: datetime) -> Candidate | None:
        """The next contact to try now (its window re-checked: the queue may be minutes old)."""
        fallback = _fallback_zone(self.plan.region)
        while self.queue:
            cand = self.queue.popleft()
            zones = zones_for_number(cand.phone, fallback)
            if is_open(self.plan.window, zones, now):
                return cand
            opening = next_open(self.plan.window, zones, now)
            if opening is not None:
                self._note_later(opening, "window", _local_hhmm(opening, zones))
        return None

    def note_retry(self, at: datetime | None) -> None:
        if at is not None:
            self._note_later(at, "retry", "")

    def _note_later(self, at: datetime, reason: str, local: str) -> None:
        if self.later is None or at < self.later:
            self.later, self.later_reason, self.later_local = at, reason, local

    def due_for_reload(self, now: datetime) -> bool:
        return self.needs_load or (not self.queue and self.later is not None and self.later <= now)


def _local_hhmm(at: datetime, zones: tuple[str, ...]) -> str:
    """ "08:00 in the contacts' time zone (Los Angeles)": whose local time, since the user's
    own clock may already be past 08:00."""
    from zoneinfo import ZoneInfo

    places = ", ".join(z.rsplit("/", 1)[-1].replace("_", " ") for z in zones)
    plural = "s" if len(zones) > 1 else ""
    hhmm = at.astimezone(ZoneInfo(zones[0])).strftime("%H:%M")
    return f"{hhmm} in the contacts' time zone{plural} ({places})"


_REGION_ZONE = {"US": "America/New_York", "CA": "America/Toronto", "GB": "Europe/London"}


def _fallback_zone(region: str) -> str:
    # For numbers phonenumbers cannot place: the campaign region's main zone, else UTC.
    return _REGION_ZONE.get((region or "").upper(), "UTC")
