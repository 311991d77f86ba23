"""Per-campaign tallies kept by SQLite triggers (migrations 0002 and 0013), read in one query.

app.results.stats builds the stats panel on them; the campaigns list reads its contact counts
here, so neither pays for a GROUP BY over every contact on each live refresh.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.store.backend import Backend

Counts = dict[tuple[str, str], int]  # (kind, key) -> n

# The triggers that keep the counters (migration 0002); a later batch migration that rebuilds
# calls or contacts drops them, and then we fall back to counting rows rather than lie.
_TRIGGER_PREFIXES = ("trg_calls_stats_", "trg_contacts_stats_", "trg_calls_series_")
_TABLE_TRIGGERS = 15  # 9 + 3 (0013's series) on calls, 3 on contacts
_counters_ok: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def counters_maintained(engine: Engine) -> bool:
    """True when the database keeps the counters itself (SQLite with the 0002 triggers)."""
    if engine not in _counters_ok:
        ok = False
        if Backend(engine.url).counters_by_triggers:
            with engine.connect() as conn:
                names = conn.scalars(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).all()
            ours = [n for n in names if n.startswith(_TRIGGER_PREFIXES)]
            ok = len(ours) == _TABLE_TRIGGERS and "trg_campaigns_stats_del" in names
        _counters_ok[engine] = ok
    return _counters_ok[engine]


# Plain text SQL: a month of calls is a few thousand bucket rows, and typed column
# processing would double the time the live stats strip spends here.
_READ_COUNTERS = text("SELECT kind, key, n FROM stat_counters WHERE campaign_id = :campaign_id")


def read_counters(session: Session, campaign_id: int) -> Counts:
    rows = session.execute(_READ_COUNTERS, {"campaign_id": campaign_id}).all()
    return {(kind, key): n for kind, key, n in rows if n}


_READ_KIND = text(
    "SELECT key, n FROM stat_counters WHERE campaign_id = :campaign_id AND kind = :kind"
)


def read_counter_kind(session: Session, campaign_id: int, kind: str) -> dict[str, int]:
    """One kind's counters (a range of the primary key), e.g. the chart's series."""
    rows = session.execute(_READ_KIND, {"campaign_id": campaign_id, "kind": kind}).all()
    return {key: n for key, n in rows if n}
