"""Several seats at 1,000,000 calls: what a seat's poll of the change feed costs, and what
the feed's triggers add to the dialer's call writes.

- poll, nothing new (the usual 2 s tick) and poll with 100 new changes, on a feed holding
  KEEP_ROWS rows: each is one primary-key range query, beside the floor of one primary-key
  lookup of a call (the cheapest query there is);
- pruning the feed back to KEEP_ROWS (once a minute per seat);
- a call insert and a status update with the seat triggers vs without them (the counters' and
  search triggers stay on in both).

Run: python -m benchmarks.bench_seats  (prints JSON; about half a minute on 2 cores)
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

CALLS = 1_000_000
CONTACTS = 1_000
POLLS = 300
WRITES = 5_000
STAMP = "2026-11-20 14:00:00.000000"


def _timed_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _triggers(raw, names: list[str] | None = None) -> list[tuple[str, str]]:
    rows = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return [(name, sql) for name, sql in rows if names is None or name in names]


def _load(raw, campaign_id: int) -> None:
    """CALLS calls with every trigger off (a bulk load), then the counters recounted."""
    saved = _triggers(raw)
    for name, _ in saved:
        raw.execute(f"DROP TRIGGER {name}")
    raw.executemany(
        "INSERT INTO contacts (id, campaign_id, phone, name, fields, status, attempts,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, '{}', 'completed', 1, ?, ?)",
        ((i + 1, campaign_id, f"+1202{i:07d}", f"C{i}", STAMP, STAMP) for i in range(CONTACTS)),
    )
    raw.executemany(
        "INSERT INTO calls (campaign_id, contact_id, attempt, status, created_at, notes)"
        " VALUES (?, ?, ?, 'completed', ?, '')",
        ((campaign_id, i % CONTACTS + 1, i // CONTACTS + 1, STAMP) for i in range(CALLS)),
    )
    for _, sql in saved:
        raw.execute(sql)
    raw.commit()


def _fill_feed(raw, rows: int, campaign_id: int) -> None:
    raw.executemany(
        "INSERT INTO changes (table_name, row_id, campaign_id, kind, changed_at)"
        " VALUES ('calls', ?, ?, 'update', ?)",
        ((i % CALLS + 1, campaign_id, STAMP) for i in range(rows)),
    )
    raw.commit()


def _write_cost_us(raw, campaign_id: int, first_attempt: int) -> tuple[float, float]:
    """µs per call insert, and per status update, as the dialer's plain SQL writes them."""
    began = time.perf_counter()
    for i in range(WRITES):
        raw.execute(
            "INSERT INTO calls (campaign_id, contact_id, attempt, status, created_at, notes)"
            " VALUES (?, ?, ?, 'calling', ?, '')",
            (campaign_id, i % CONTACTS + 1, first_attempt + i // CONTACTS, STAMP),
        )
    inserted = time.perf_counter() - began
    began = time.perf_counter()
    for i in range(WRITES):
        raw.execute("UPDATE calls SET status = 'completed' WHERE id = ?", (CALLS + i + 1,))
    updated = time.perf_counter() - began
    raw.rollback()
    return inserted / WRITES * 1e6, updated / WRITES * 1e6


def run() -> dict:
    from app.store import changes
    from app.store.campaigns import create_campaign
    from app.store.changes import ChangeFeed, prune_changes
    from app.store.engine import open_store
    from app.store.models import Call

    with tempfile.TemporaryDirectory(prefix="calldeck-bench-") as tmp:
        store = open_store(Path(tmp))
        with store.session.begin() as session:
            campaign_id = create_campaign(session, "Bench", caller_id="+15005550006").id
        raw = store.engine.raw_connection()
        began = time.perf_counter()
        _load(raw, campaign_id)
        _fill_feed(raw, changes.KEEP_ROWS, campaign_id)
        load_s = time.perf_counter() - began

        feed = ChangeFeed(store)
        feed.start()
        idle_ms = _timed_ms(feed.poll, POLLS)

        def busy_poll() -> None:
            _fill_feed(raw, 100, campaign_id)
            began = time.perf_counter()
            found = feed.poll()
            times.append((time.perf_counter() - began) * 1000)
            assert len(found.calls) == 100

        times: list[float] = []
        for _ in range(50):
            busy_poll()
        busy_ms = statistics.median(times)
        with store.session() as session:
            floor_ms = _timed_ms(
                lambda: session.get(Call, CALLS // 2, populate_existing=True), POLLS
            )
        _fill_feed(raw, 30 * 50, campaign_id)  # a minute of a busy dialer
        began = time.perf_counter()
        pruned = prune_changes(store)
        prune_ms = (time.perf_counter() - began) * 1000

        insert_with, update_with = _write_cost_us(raw, campaign_id, CALLS // CONTACTS + 1)
        seat = _triggers(raw, [s.split()[2] for s in _seat_triggers()])
        for name, _ in seat:
            raw.execute(f"DROP TRIGGER {name}")
        raw.commit()
        insert_without, update_without = _write_cost_us(raw, campaign_id, CALLS // CONTACTS + 1)
        for _, sql in seat:
            raw.execute(sql)
        raw.commit()
        raw.close()
        store.dispose()
    return {
        "calls": CALLS,
        "feed_rows": changes.KEEP_ROWS,
        "load_s": round(load_s, 1),
        "poll_nothing_new_ms": round(idle_ms, 3),
        "poll_100_changes_ms": round(busy_ms, 3),
        "poll_floor_one_call_by_primary_key_ms": round(floor_ms, 3),
        "poll_interval_s": changes.POLL_INTERVAL_S,
        "prune_ms": round(prune_ms, 1),
        "pruned_rows": pruned,
        "call_insert_us_with_seat_triggers": round(insert_with, 1),
        "call_insert_us_without": round(insert_without, 1),
        "call_update_us_with_seat_triggers": round(update_with, 1),
        "call_update_us_without": round(update_without, 1),
    }


def _seat_triggers() -> list[str]:
    import importlib.util

    path = Path(__file__).parents[1] / "app/store/migrations/versions/0012_seat_changes.py"
    spec = importlib.util.spec_from_file_location("migration_0012", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sqlite_trigger_ddl()


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
