"""Per-campaign tallies kept by triggers (migration 0002: SQLite or PostgreSQL; 0013's series
counters: SQLite), read in one query.

app.results.stats builds the stats panel on them; the campaigns list reads its contact counts
here, so neither pays for a GROUP BY over every contact on each live refresh.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Engine, String, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction

from app.store.backend import Backend

Counts = dict[tuple[str, str], int]  # (kind, key) -> n

# The triggers that keep the counters (migration 0002); a later batch migration that rebuilds
# calls or contacts drops them, and then we fall back to counting rows rather than lie.
_TRIGGER_PREFIXES = ("trg_calls_stats_", "trg_contacts_stats_", "trg_calls_series_")
_TABLE_TRIGGERS = 15  # 9 + 3 (0013's series) on calls, 3 on contacts
# PostgreSQL: one trigger (and plpgsql function) per table.
_PG_TRIGGERS = {"trg_calls_stats", "trg_contacts_stats", "trg_campaigns_stats"}
_PG_TRIGGER_NAMES = text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
_counters_ok: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def counters_maintained(engine: Engine) -> bool:
    """True when the database keeps the counters itself (the 0002 triggers are there)."""
    if engine not in _counters_ok:
        ok = False
        backend = Backend(engine.url)
        if backend.counters_by_triggers and backend.is_sqlite:
            with engine.connect() as conn:
                names = conn.scalars(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).all()
            ours = [n for n in names if n.startswith(_TRIGGER_PREFIXES)]
            ok = len(ours) == _TABLE_TRIGGERS and "trg_campaigns_stats_del" in names
        elif backend.counters_by_triggers:
            with engine.connect() as conn:
                ok = set(conn.scalars(_PG_TRIGGER_NAMES)) >= _PG_TRIGGERS
        _counters_ok[engine] = ok
    return _counters_ok[engine]


def series_maintained(engine: Engine) -> bool:
    """True when the "bucket_status" counters of the chart are kept (migration 0013 keeps them
    on SQLite only; elsewhere the chart counts its rows)."""
    return Backend(engine.url).is_sqlite and counters_maintained(engine)


class ten_minute_bucket(GenericFunction):  # noqa: N801 - an SQL function's name
    """created_at's ten-minute bucket, the key of the "bucket" counters ("2026-11-27 13:2"):
    SQLite stores the time as text, PostgreSQL formats its timestamp (as migration 0002)."""

    type = String()
    inherit_cache = True


@compiles(ten_minute_bucket)
def _bucket_sqlite(element, compiler, **kw) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 15)"


@compiles(ten_minute_bucket, "postgresql")
def _bucket_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"substr(to_char({column}, 'YYYY-MM-DD HH24:MI'), 1, 15)"


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
