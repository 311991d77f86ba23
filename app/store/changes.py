"""What other seats changed: the `changes` feed (migration 0012), read by id.

Triggers append a row for every call inserted, deleted or changed in a way a seat shows, and
for every campaign created, edited, started, paused or deleted, whoever wrote it (another
GUI, `calldeck run`, the CLI). A `ChangeFeed` remembers the highest id it has seen and asks
for the rows above it: one primary-key range query, whatever the size of the database.

On a server database transactions commit out of id order (a sequence value is taken at insert
time), so an id skipped by one poll may appear in the next: the feed re-asks for such gaps for
GAP_WAIT_S. A seat that fell behind the rows kept (KEEP_ROWS) is told to re-read everything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select

from app.store.engine import Store
from app.store.models import SeatChange

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 2.0  # how often a seat asks; a NOTIFY (PostgreSQL) wakes it earlier
MAX_ROWS = 2_000  # more than this in one poll: re-reading everything is cheaper
KEEP_ROWS = 50_000  # the feed keeps this many rows; older ones are pruned
GAP_WAIT_S = 10.0  # how long an id skipped by a poll may still commit
CHANNEL = "calldeck_changes"  # the PostgreSQL NOTIFY channel of migration 0012's trigger


@dataclass(frozen=True)
class SeatChanges:
    """What changed since the last poll.

    calls: (campaign id, call id) of each call inserted, changed or deleted.
    campaigns: a campaign was created, edited, started, paused, archived or deleted.
    everything: the feed lost track (too many rows, or pruned ones): re-read all.
    """

    calls: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    campaigns: bool = False
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(self.calls) or self.campaigns or self.everything


class ChangeFeed:
    """One seat's position in the feed. poll() may run on a worker thread, one at a time."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.clock = clock
        self.mark: int | None = None  # the highest id seen (None: not started)
        self._gaps: dict[int, float] = {}  # id skipped -> when it was first missed

    def start(self) -> None:
        """From now on: what the seat shows was read after the current last row."""
        with self.store.session() as session:
            self.mark = session.scalar(select(func.max(SeatChange.id))) or 0
        self._gaps.clear()

    def poll(self) -> SeatChanges:
        if self.mark is None:
            self.start()
            return SeatChanges()
        mark = self.mark
        wanted = SeatChange.id > mark
        if self._gaps:
            wanted = or_(wanted, SeatChange.id.in_(sorted(self._gaps)))
        query = (
            select(SeatChange.id, SeatChange.table_name, SeatChange.row_id, SeatChange.campaign_id)
            .where(wanted)
            .order_by(SeatChange.id)
            .limit(MAX_ROWS)
        )
        with self.store.session() as session:
            rows = session.execute(query).all()
            oldest = session.scalar(select(func.min(SeatChange.id))) if rows else None
        if len(rows) == MAX_ROWS or (oldest is not None and oldest > mark + 1):
            self.start()  # too far behind, or rows this seat never saw were pruned
            return SeatChanges(everything=True)
        self._remember_gaps(mark, [row.id for row in rows])
        calls = frozenset(
            (row.campaign_id, row.row_id) for row in rows if row.table_name == "calls"
        )
        campaigns = any(row.table_name == "campaigns" for row in rows)
        return SeatChanges(calls=calls, campaigns=campaigns)

    def _remember_gaps(self, mark: int, ids: list[int]) -> None:
        now = self.clock()
        for found in ids:
            self._gaps.pop(found, None)
        newest = max(ids, default=mark)
        if newest > mark:
            seen = set(ids)
            for missing in range(mark + 1, newest):
                if missing not in seen:
                    self._gaps.setdefault(missing, now)
            self.mark = newest
        for missing, since in list(self._gaps.items()):
            if now - since > GAP_WAIT_S:  # rolled back: that id will never commit
                del self._gaps[missing]


def prune_changes(store: Store, keep: int = KEEP_ROWS) -> int:
    """Delete all but the newest *keep* rows (a primary-key range); returns how many went."""
    with store.session.begin() as session:
        newest = session.scalar(select(func.max(SeatChange.id)))
        if newest is None or newest <= keep:
            return 0
        result = session.execute(delete(SeatChange).where(SeatChange.id <= newest - keep))
        return result.rowcount or 0


def listen_for_changes(store: Store, wake: Callable[[], None], stop: threading.Event) -> None:
    """PostgreSQL only: call *wake* whenever a change is committed, until *stop* is set.

    Runs on a thread of its own, on a connection of its own (LISTEN needs autocommit). The
    poll stays the source of truth: a lost notification only delays a seat to its next poll.
    """
    if not store.backend.notifies_changes:
        return
    raw = store.engine.raw_connection()
    try:
        connection = raw.driver_connection  # psycopg 3
        connection.autocommit = True
        connection.execute(f"LISTEN {CHANNEL}")
        while not stop.is_set():
            for _notice in connection.notifies(timeout=1.0, stop_after=1):
                wake()
    finally:
        raw.invalidate()  # not back to the pool: it is in autocommit and listening
