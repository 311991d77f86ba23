"""CampaignRun: who can be dialled now, and when the next one can be (calling hours, retries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.dialer.runs import CampaignPlan, CampaignRun, Candidate
from app.domain.pacing import Limits
from app.domain.windows import CallingWindow

# Tuesday 1 December 2026: New York is on EST (UTC-5), London on GMT (UTC+0).
NOON_UTC = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 07:00 in New York: before 08:00
NY_OPENS = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 08:00 in New York
NEW_YORK = "+12125550100"
UNPLACEABLE = "+999555"  # phonenumbers cannot tell where this rings: the region's zone is used


def make_run(*, region: str = "US", window: CallingWindow | None = None) -> CampaignRun:
    plan = CampaignPlan(
        id=1,
        name="Renewals",
        state="running",
        limits=Limits(concurrency=2, per_minute=10),
        window=window or CallingWindow(8 * 60, 21 * 60, frozenset(range(6))),  # mon-sat 08-21
        max_attempts=3,
        retry_delay_min=30,
        start_at=None,
        caller_id="+15005550006",
        greeting="",
        region=region,
    )
    return CampaignRun(plan)


def candidate(contact_id: int, phone: str = NEW_YORK, due_at: datetime | None = None):
    return Candidate(contact_id=contact_id, phone=phone, due_at=due_at)


def test_a_new_run_needs_loading():
    run = make_run()
    assert run.needs_load and run.due_for_reload(NOON_UTC)
    assert not run.queue and run.later is None


def test_fill_queues_who_is_callable_now_in_order():
    run = make_run()
    at = NY_OPENS + timedelta(hours=1)
    run.fill([candidate(1), candidate(2), candidate(3, due_at=at)], at)
    assert [c.contact_id for c in run.queue] == [1, 2, 3]  # due exactly now counts as due
    assert run.later is None and not run.needs_load
    assert not run.due_for_reload(at)


def test_fill_notes_the_earliest_retry_for_those_not_yet_due():
    run = make_run()
    at = NY_OPENS + timedelta(hours=1)
    soon, later = at + timedelta(minutes=5), at + timedelta(minutes=30)
    run.fill([candidate(1, due_at=later), candidate(2, due_at=soon)], at)
    assert not run.queue
    assert (run.later, run.later_reason, run.later_local) == (soon, "retry", "")


def test_fill_notes_when_the_calling_window_opens_in_local_time():
    run = make_run()
    run.fill([candidate(1)], NOON_UTC)
    assert not run.queue
    assert (run.later, run.later_reason, run.later_local) == (
        NY_OPENS,
        "window",
        "08:00 in the contacts' time zone (New York)",
    )


def test_the_earliest_later_wins_whatever_its_reason():
    run = make_run()
    retry_at = NOON_UTC + timedelta(minutes=10)  # before New York's window opens
    run.fill([candidate(1), candidate(2, due_at=retry_at)], NOON_UTC)
    assert (run.later, run.later_reason) == (retry_at, "retry")


def test_fill_starts_over_from_the_candidates_given():
    run = make_run()
    at = NY_OPENS + timedelta(hours=1)
    run.fill([candidate(1), candidate(2)], at)
    run.fill([candidate(3)], at)
    assert [c.contact_id for c in run.queue] == [3]


def test_a_window_that_never_opens_queues_nobody_and_waits_for_nothing():
    run = make_run(window=CallingWindow(8 * 60, 21 * 60, frozenset()))  # no day at all
    run.fill([candidate(1)], NOON_UTC)
    assert not run.queue and run.later is None


@pytest.mark.parametrize(
    ("region", "opens", "local"),
    [
        (
            "GB",
            datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
            "08:00 in the contacts' time zone (London)",
        ),  # Europe/London
        (
            "us",
            datetime(2026, 12, 1, 13, 0, tzinfo=UTC),
            "08:00 in the contacts' time zone (New York)",
        ),  # America/New_York
        (
            "FR",
            datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
            "08:00 in the contacts' time zone (UTC)",
        ),  # no main zone: UTC
    ],
)
def test_a_number_that_cannot_be_placed_uses_the_campaign_regions_zone(region, opens, local):
    run = make_run(region=region)
    early = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    run.fill([candidate(1, phone=UNPLACEABLE)], early)
    assert (run.later, run.later_reason, run.later_local) == (opens, "window", local)


def test_next_candidate_pops_in_order_then_runs_dry():
    run = make_run()
    at = NY_OPENS + timedelta(hours=1)
    run.fill([candidate(1), candidate(2)], at)
    assert run.next_candidate(at).contact_id == 1
    assert run.next_candidate(at).contact_id == 2
    assert run.next_candidate(at) is None


def test_next_candidate_rechecks_the_window_of_a_queue_gone_stale():
    run = make_run()
    closing = datetime(2026, 12, 2, 1, 59, tzinfo=UTC)  # Tuesday 20:59 in New York
    run.fill([candidate(1), candidate(2)], closing)
    assert len(run.queue) == 2
    after_hours = closing + timedelta(minutes=2)  # 21:01: the window closed meanwhile
    assert run.next_candidate(after_hours) is None
    assert not run.queue
    wednesday_8am = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert (run.later, run.later_reason, run.later_local) == (
        wednesday_8am,
        "window",
        "08:00 in the contacts' time zone (New York)",
    )


def test_note_retry_keeps_the_earliest_time():
    run = make_run()
    first, second = NOON_UTC + timedelta(minutes=30), NOON_UTC + timedelta(minutes=10)
    run.note_retry(None)
    assert run.later is None
    run.note_retry(first)
    run.note_retry(second)
    run.note_retry(first)
    assert (run.later, run.later_reason) == (second, "retry")


def test_an_empty_run_reloads_once_its_later_time_comes():
    run = make_run()
    run.fill([candidate(1, due_at=NOON_UTC + timedelta(minutes=5))], NOON_UTC)
    assert not run.due_for_reload(NOON_UTC)
    assert not run.due_for_reload(NOON_UTC + timedelta(minutes=4))
    assert run.due_for_reload(NOON_UTC + timedelta(minutes=5))
    run.needs_load = True  # settings changed: reload whatever the clock says
    assert run.due_for_reload(NOON_UTC)
