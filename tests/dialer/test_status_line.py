"""The dialer's one-line status, branch by branch."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.dialer.runs import CampaignRun, Candidate
from app.dialer.status_line import _here, status_line
from tests.dialer.test_runs import make_run

NINE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def paris(monkeypatch):
    """The user's clock is in Paris (UTC+1 in December)."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def line(**given) -> str:
    """status_line with an idle dialer, changed by *given*."""
    kwargs = {
        "holding": False,
        "runs": [],
        "scheduled": [],
        "any_paused": False,
        "active": 0,
        "capacity": 5,
        "next_in": None,
    }
    return status_line(**{**kwargs, **given})


def run_waiting(until: datetime, reason: str, local: str = "") -> CampaignRun:
    run = make_run()
    run.needs_load = False
    run.later, run.later_reason, run.later_local = until, reason, local
    return run


def run_with_queue() -> CampaignRun:
    run = make_run()
    run.queue.append(Candidate(contact_id=1, phone="+12125550100", due_at=None))
    return run


def scheduled_plan(start_at: datetime | None):
    return replace(make_run().plan, state="scheduled", start_at=start_at)


def test_idle():
    assert line() == "Idle: no campaign running"


def test_holding_wins_over_everything():
    assert line(holding=True, active=2, runs=[run_with_queue()], any_paused=True) == (
        "Stopping: no new calls · 2 still in progress"
    )


def test_offline_says_no_calls_are_placed_while_a_campaign_runs():
    from app.dialer.connectivity import OFFLINE_MESSAGE

    assert line(offline=True, runs=[run_with_queue()], active=2) == OFFLINE_MESSAGE
    assert line(offline=True) == "Idle: no campaign running"  # nothing to place anyway


def test_scheduled_shows_the_earliest_start_on_the_users_clock(paris):
    plans = [scheduled_plan(NINE + timedelta(hours=2)), scheduled_plan(NINE), scheduled_plan(None)]
    assert line(scheduled=plans) == f"Scheduled for {_here(NINE)}"
    assert _here(NINE).endswith("10:00")  # 09:00 UTC in Paris


def test_scheduled_without_a_start_time():
    assert line(scheduled=[scheduled_plan(None)]) == "Scheduled"


def test_scheduled_wins_over_paused_when_nothing_runs():
    assert line(scheduled=[scheduled_plan(NINE)], any_paused=True).startswith("Scheduled for")


def test_paused_with_and_without_calls_finishing():
    assert line(any_paused=True) == "Paused"
    assert line(any_paused=True, active=3) == "Paused · 3 finishing"


LA_OPENS = "08:00 in the contacts' time zone (Los Angeles)"


def test_every_run_waiting_for_its_window_says_whose_time_and_the_users(paris):
    runs = [
        run_waiting(NINE + timedelta(hours=3), "window", "11:00 in the contacts' time zone (X)"),
        run_waiting(NINE, "window", LA_OPENS),
    ]
    assert line(runs=runs) == f"Outside calling hours until {LA_OPENS} · {_here(NINE)} here"


def test_every_run_waiting_for_retries(paris):
    runs = [run_waiting(NINE + timedelta(minutes=30), "retry"), run_waiting(NINE, "retry")]
    assert line(runs=runs) == f"Waiting for retries until {_here(NINE)}"


def test_the_earliest_wait_decides_the_reason(paris):
    runs = [run_waiting(NINE, "retry"), run_waiting(NINE + timedelta(hours=1), "window", "x")]
    assert line(runs=runs) == f"Waiting for retries until {_here(NINE)}"


def test_a_time_on_another_day_says_which_day(paris):
    assert _here(NINE, now=NINE) == "10:00"
    assert _here(NINE, now=NINE - timedelta(days=1)) == "Tue 10:00"


def test_waiting_is_not_shown_while_calls_are_in_progress():
    runs = [run_waiting(NINE, "retry")]
    assert line(runs=runs, active=1, capacity=2) == "Dialing 1 of 2 lines"


def test_waiting_is_not_shown_while_another_run_has_people_to_call():
    runs = [run_waiting(NINE, "retry"), run_with_queue()]
    assert line(runs=runs, next_in=3.6) == "Dialing 0 of 5 lines · next call in 4 s"


def test_dialing_with_the_next_call_when_a_line_is_free():
    assert line(runs=[run_with_queue()], active=3, next_in=4.2) == (
        "Dialing 3 of 5 lines · next call in 4 s"
    )
    assert line(runs=[run_with_queue()], active=3) == "Dialing 3 of 5 lines"


def test_no_next_call_shown_when_every_line_is_busy():
    assert line(runs=[run_with_queue()], active=5, next_in=2.0) == "Dialing 5 of 5 lines"


def test_a_run_with_nothing_queued_and_nothing_later_is_still_dialing():
    run = make_run()
    run.needs_load = False
    assert line(runs=[run], active=1) == "Dialing 1 of 5 lines"
