"""Calls over time per outcome: the step follows the span, the counters agree with the rows."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import delete, update

from app.results import series as series_module
from app.results.series import DAY, HOUR, MINUTE, TEN_MINUTES, calls_over_time, step_for
from app.results.stats import counts_from_rows, read_counters
from app.store.campaigns import create_campaign
from app.store.models import Call, Contact

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PHONES = itertools.count()


def add_calls(store, calls: list[tuple[timedelta, str]], campaign_id: int | None = None) -> int:
    with store.session.begin() as session:
        if campaign_id is None:
            campaign_id = create_campaign(session, "Series", caller_id="+15005550006").id
        for after, status in calls:
            i = next(PHONES)
            contact = Contact(campaign_id=campaign_id, phone=f"+1202555{i:04d}", name=f"C{i}")
            session.add(contact)
            session.flush()
            session.add(
                Call(
                    campaign_id=campaign_id,
                    contact_id=contact.id,
                    attempt=1,
                    status=status,
                    created_at=START + after,
                )
            )
    return campaign_id


def test_the_step_follows_the_span():
    assert step_for(timedelta(minutes=20)) == MINUTE
    assert step_for(timedelta(hours=5)) == TEN_MINUTES
    assert step_for(timedelta(days=2)) == HOUR
    assert step_for(timedelta(days=23)) == DAY


def test_twenty_calls_in_twenty_minutes_are_counted_per_minute(store):
    statuses = ["completed", "no_answer", "busy", "failed", "calling"]
    calls = [(timedelta(minutes=i), statuses[i % 5]) for i in range(20)]
    campaign_id = add_calls(store, calls)
    with store.session() as session:
        series = calls_over_time(session, campaign_id, UTC)
    assert series.step == MINUTE and series.step_label == "minute"
    assert len(series.starts) == 20 and series.starts[0] == START
    assert series.lines["Answered"][:6] == [1, 0, 0, 0, 0, 1]
    assert series.lines["In progress"][4] == 1
    assert list(series.lines) == ["Answered", "No answer", "Busy", "Failed", "In progress"]
    assert series.total == 20


def test_a_long_campaign_reads_the_counters_per_local_day_with_every_day_there(store):
    # Days 0, 1 and 3 (none on day 2), late evening UTC: in UTC+3 they are the next day.
    calls = [
        (timedelta(days=d, hours=12, minutes=m), "completed") for d in (0, 1, 3) for m in (0, 5)
    ]
    calls.append((timedelta(days=3, hours=12), "busy"))
    campaign_id = add_calls(store, calls)
    plus_three = timezone(timedelta(hours=3))
    with store.session() as session:
        series = calls_over_time(session, campaign_id, plus_three)
        per_utc_day = calls_over_time(session, campaign_id, UTC)
    assert series.step == HOUR  # 3 days: hourly
    assert per_utc_day.starts[0] == START.replace(hour=21)
    assert series.starts[0] == datetime(2026, 11, 3, 0, tzinfo=plus_three)
    assert sum(series.lines["Answered"]) == 6 and sum(series.lines["Busy"]) == 1
    assert len(series.starts) == 3 * 24 + 1  # every hour between the first call and the last

    far = add_calls(store, [(timedelta(days=20), "failed")], campaign_id)
    with store.session() as session:
        monthly = calls_over_time(session, far, plus_three)
    assert monthly.step == DAY and len(monthly.starts) == 20  # 3 to 22 November, local
    assert monthly.starts[1] == datetime(2026, 11, 4, tzinfo=plus_three)
    assert [monthly.lines["Answered"][i] for i in (0, 1, 2, 3)] == [2, 2, 0, 2]
    assert monthly.lines["Failed"][-1] == 1


def test_the_counters_follow_status_changes_and_deletes(store):
    campaign_id = add_calls(store, [(timedelta(hours=h), "calling") for h in range(30)])
    with store.session.begin() as session:
        session.execute(update(Call).where(Call.id % 3 == 0).values(status="completed"))
        session.execute(delete(Call).where(Call.id % 5 == 0))
    with store.session() as session:
        assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)
        series = calls_over_time(session, campaign_id, UTC)
    remaining = [i for i in range(1, 31) if i % 5]
    assert sum(series.lines["Answered"]) == sum(1 for i in remaining if i % 3 == 0)
    assert series.total == len(remaining)


def test_many_calls_in_a_short_span_read_the_counters(store, monkeypatch):
    monkeypatch.setattr(series_module, "MINUTE_ROWS_LIMIT", 5)
    campaign_id = add_calls(store, [(timedelta(minutes=i), "completed") for i in range(12)])
    with store.session() as session:
        series = calls_over_time(session, campaign_id, UTC)
    assert series.step == TEN_MINUTES and series.lines["Answered"] == [10, 2]


def test_a_campaign_without_calls_has_an_empty_series(store):
    with store.session.begin() as session:
        campaign_id = create_campaign(session, "Empty", caller_id="+15005550006").id
    with store.session() as session:
        series = calls_over_time(session, campaign_id)
    assert series.starts == [] and series.total == 0
