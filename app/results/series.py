"""Calls over time per outcome, for the Results chart: as many buckets as are worth drawing.

A short run is counted per minute, straight from its rows (a few thousand at most); longer ones
per ten minutes, hour or day from the trigger-kept "bucket_status" counters (migration 0013),
so a month of a million calls is a read of a few thousand counter rows. Hours and days are the
user's own (local time); every bucket between the first call and the last is there, zeros
included, so the axis is a true time axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.domain.status import ContactStatus
from app.results.stats import BUCKET_KEY_LENGTH, bucket_status_key
from app.store.counters import read_counter_kind, series_maintained
from app.store.models import Call

# The lines of the chart, in legend order: (label, the call statuses counted in it).
OUTCOMES = (
    ("Answered", (ContactStatus.COMPLETED,)),
    ("No answer", (ContactStatus.NO_ANSWER,)),
    ("Busy", (ContactStatus.BUSY,)),
    ("Failed", (ContactStatus.FAILED,)),
    ("In progress", (ContactStatus.QUEUED, ContactStatus.CALLING, ContactStatus.CONNECTED)),
)
_LINE_OF = {status.value: label for label, statuses in OUTCOMES for status in statuses}

MINUTE, TEN_MINUTES, HOUR, DAY = (timedelta(minutes=n) for n in (1, 10, 60, 24 * 60))
# The finest step whose bucket count over the span stays readable (up to ~100 points).
STEP_FOR_SPAN = ((timedelta(minutes=90), MINUTE), (timedelta(hours=16), TEN_MINUTES))
HOURLY_UP_TO = timedelta(days=4)
MINUTE_ROWS_LIMIT = 50_000  # beyond this many calls even a short span reads the counters


@dataclass(frozen=True)
class CallSeries:
    step: timedelta
    starts: list[datetime]  # each bucket's start, aware, in the zone the series was built in
    lines: dict[str, list[int]]  # outcome label -> calls per bucket (every label, in order)

    @property
    def step_label(self) -> str:
        return {MINUTE: "minute", TEN_MINUTES: "10 min", HOUR: "hour", DAY: "day"}[self.step]

    @property
    def total(self) -> int:
        return sum(sum(counts) for counts in self.lines.values())


def step_for(span: timedelta) -> timedelta:
    for longest, step in STEP_FOR_SPAN:
        if span <= longest:
            return step
    return HOUR if span <= HOURLY_UP_TO else DAY


# Each an index lookup on ix_calls_campaign_created.
_SPAN = text(
    "SELECT (SELECT min(created_at) FROM calls WHERE campaign_id = :c),"
    " (SELECT max(created_at) FROM calls WHERE campaign_id = :c)"
)
_AT_MOST = text("SELECT count(*) FROM (SELECT 1 FROM calls WHERE campaign_id = :c LIMIT :limit)")

Counts = dict[datetime, dict[str, int]]  # bucket start (UTC) -> call status -> calls


def calls_over_time(session: Session, campaign_id: int, zone: tzinfo | None = None) -> CallSeries:
    """The campaign's calls per bucket and outcome; *zone* is the user's (default: local)."""
    zone = zone or datetime.now().astimezone().tzinfo or UTC
    first, last = session.execute(_SPAN, {"c": campaign_id}).one()
    if first is None:
        return CallSeries(TEN_MINUTES, [], {label: [] for label, _ in OUTCOMES})
    step = step_for(_parse(last) - _parse(first))
    if step == MINUTE and _few_calls(session, campaign_id):
        counts = _per_minute(session, campaign_id)
    else:
        step = max(step, TEN_MINUTES)
        counts = _per_ten_minutes(session, campaign_id)
    return _bucketed(counts, step, zone)


def _few_calls(session: Session, campaign_id: int) -> bool:
    limit = MINUTE_ROWS_LIMIT + 1
    return session.scalar(_AT_MOST, {"c": campaign_id, "limit": limit}) <= MINUTE_ROWS_LIMIT


def _per_minute(session: Session, campaign_id: int) -> Counts:
    minute = func.substr(Call.created_at, 1, 16)
    rows = session.execute(
        select(minute, Call.status, func.count())
        .where(Call.campaign_id == campaign_id)
        .group_by(minute, Call.status)
    )
    counts: Counts = {}
    for at, status, n in rows:
        counts.setdefault(_parse(at), {})[str(status)] = n
    return counts


def _per_ten_minutes(session: Session, campaign_id: int) -> Counts:
    if series_maintained(session.get_bind()):
        keys = read_counter_kind(session, campaign_id, "bucket_status")
    else:  # no triggers (not SQLite): the same keys, counted from the rows
        key = bucket_status_key()
        rows = session.execute(
            select(key, func.count()).where(Call.campaign_id == campaign_id).group_by(key)
        )
        keys = dict(rows.tuples().all())
    by_bucket: dict[str, dict[str, int]] = {}
    for key, n in keys.items():
        bucket, status = key[:BUCKET_KEY_LENGTH], key[BUCKET_KEY_LENGTH + 1 :]
        by_bucket.setdefault(bucket, {})[status] = n
    # One parse per bucket, not per (bucket, status): a month is ~4,000 buckets.
    return {_parse(bucket + "0"): statuses for bucket, statuses in by_bucket.items()}


def _bucketed(counts: Counts, step: timedelta, zone: tzinfo) -> CallSeries:
    by_start: dict[datetime, dict[str, int]] = {}
    for at, statuses in counts.items():
        row = by_start.setdefault(_floor(at.astimezone(zone), step), {})
        for status, n in statuses.items():
            line = _LINE_OF.get(status, "In progress")
            row[line] = row.get(line, 0) + n
    if not by_start:
        return CallSeries(step, [], {label: [] for label, _ in OUTCOMES})
    starts, moment, end = [], min(by_start), max(by_start)
    while moment <= end:
        starts.append(moment)
        moment = _floor(moment + step + timedelta(hours=2), step) if step == DAY else moment + step
    lines = {label: [by_start.get(s, {}).get(label, 0) for s in starts] for label, _ in OUTCOMES}
    return CallSeries(step, starts, lines)


def _floor(moment: datetime, step: timedelta) -> datetime:
    if step == DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if step == HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    minutes = step // MINUTE
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0, microsecond=0)


def _parse(stored: str | datetime) -> datetime:
    """created_at as SQLite stores it ("2026-11-27 13:24:05.000000", or a prefix of it), or as
    a server database returns it, in UTC."""
    moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
