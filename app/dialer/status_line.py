"""The dialer's one-line status for the status bar ("Dialing 3 of 5 lines · next call in 4 s").

Times are on the user's clock ("here"); a calling window says whose local time it follows.
"""

from __future__ import annotations

from datetime import datetime

from app.dialer.connectivity import OFFLINE_MESSAGE
from app.dialer.plans import CampaignPlan
from app.dialer.runs import CampaignRun


def status_line(
    *,
    holding: bool,
    offline: bool = False,
    runs: list[CampaignRun],
    scheduled: list[CampaignPlan],
    any_paused: bool,
    active: int,
    capacity: int,
    next_in: float | None,
) -> str:
    if holding:
        return f"Stopping: no new calls · {active} still in progress"
    if offline and (runs or active):
        return OFFLINE_MESSAGE
    if not runs:
        if scheduled:
            first = min((p.start_at for p in scheduled if p.start_at), default=None)
            return f"Scheduled for {_here(first)}" if first else "Scheduled"
        if any_paused:
            return f"Paused · {active} finishing" if active else "Paused"
        return "Idle: no campaign running"
    waiting = [run for run in runs if not run.queue and run.later is not None]
    if active == 0 and waiting and len(waiting) == len(runs):
        first = min(waiting, key=lambda r: r.later)
        if first.later_reason == "window":
            return f"Outside calling hours until {first.later_local} · {_here(first.later)} here"
        return f"Waiting for retries until {_here(first.later)}"
    text = f"Dialing {active} of {capacity} lines"
    if next_in is not None and active < capacity:
        text += f" · next call in {next_in:.0f} s"
    return text


def _here(moment: datetime, now: datetime | None = None) -> str:
    """The time on the user's clock, with the day when it is not today."""
    local = moment.astimezone()
    if local.date() != (now or datetime.now(local.tzinfo)).astimezone().date():
        return f"{local:%a %H:%M}"
    return f"{local:%H:%M}"
