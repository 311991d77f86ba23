"""Results at 1,000,000 calls in one campaign: the stats panel, opening the Results view and
the search box.

Each figure is measured beside its floor in the same run:
- stats refresh (trigger-kept counters) vs the plain GROUP BY recount of the same numbers;
- the chart's calls per outcome over time (migration 0013's counters, per local day here)
  vs the GROUP BY over the rows it replaces;
- opening the Results view (first page of ids + visible rows + stats) vs reading every id, which
  is what a table that loads all its ids up front would pay;
- text search (the FTS5 index of migration 0008) vs a plain indexed lookup of the same calls
  (by contact id, through the calls' B-tree index), and vs the LIKE scan it replaced;
- the cost the triggers (counters and search index) add to each call insert and update.

Run: python -m benchmarks.bench_results  (prints JSON; about a minute on 2 cores)
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CALLS = 1_000_000
CONTACTS = 400_000
STATS_RUNS = 30
RECOUNT_RUNS = 3
UPDATES = 5_000
INSERT_SAMPLE = 50_000

STATUSES = ["completed"] * 5 + ["no_answer"] * 2 + ["busy", "failed"]
ANSWERED = ["human"] * 3 + ["machine_end_beep", "machine_start", "unknown"]
DISPOSITIONS = [None, None, "Interested", "Not interested", "Call back", "Voicemail"]


SEARCH_MIGRATION, SERIES_MIGRATION = "0008_call_search", "0013_call_series"


def _migration(name: str = "0002_stat_counters"):
    path = Path(__file__).parents[1] / f"app/store/migrations/versions/{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NOTE_EVERY = 100  # one call in 100 has notes, one in 50 a two-turn transcript
TURN_EVERY = 50
WORDS = ["gold plan", "refund", "callback", "moving house", "wrong number", "quokka"]


def _timed(fn, runs: int) -> tuple[float, object]:
    """Median wall time in ms over *runs* calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


STAMP = "%Y-%m-%d %H:%M:%S.%f"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _call_rows(campaign_id: int, rng: random.Random, first: int, last: int):
    for i in range(first, last):
        status = rng.choice(STATUSES)
        answered = status == "completed"
        yield (
            campaign_id,
            i % CONTACTS + 1,
            i // CONTACTS + 1,
            status,
            (START + timedelta(seconds=i * 2)).strftime(STAMP),  # ~23 days of calling
            rng.randrange(5, 300) if answered else 0,
            rng.choice(ANSWERED) if answered else None,
            rng.choice(DISPOSITIONS) if answered else None,
        )


def _insert_calls(raw, campaign_id: int, rng: random.Random, first: int, last: int) -> float:
    """Insert calls [first, last) with executemany; returns µs per row."""
    began = time.perf_counter()
    raw.cursor().executemany(
        "INSERT INTO calls (campaign_id, contact_id, attempt, status, created_at, duration_s,"
        " answered_by, disposition, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
        _call_rows(campaign_id, rng, first, last),
    )
    raw.commit()
    return round((time.perf_counter() - began) / (last - first) * 1e6, 1)


def _set_triggers(raw, on: bool) -> None:
    """The counters' and the search index's triggers, off or back on."""
    cursor = raw.cursor()
    for migration in (_migration(), _migration(SEARCH_MIGRATION), _migration(SERIES_MIGRATION)):
        for name in migration.trigger_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if on:
            for statement in migration.trigger_ddl():
                cursor.execute(statement)
    raw.commit()


def _add_words(raw, rng: random.Random) -> None:
    """Notes and transcript turns on a share of the calls, so the search has text to find."""
    cursor = raw.cursor()
    cursor.executemany(
        "UPDATE calls SET notes = ? WHERE id = ?",
        ((f"Asked about the {rng.choice(WORDS)}", i) for i in range(1, CALLS + 1, NOTE_EVERY)),
    )
    cursor.executemany(
        "INSERT INTO transcript_turns (call_id, speaker, text, offset_s) VALUES (?, ?, ?, ?)",
        (
            turn
            for i in range(2, CALLS + 1, TURN_EVERY)
            for turn in (
                (i, "agent", "Hello, this is Ava from Acme. Is now a good time?", 0.5),
                (i, "callee", f"Yes, it is about the {rng.choice(WORDS)} I guess.", 2.0),
            )
        ),
    )
    raw.commit()


def _rebuild_search(raw) -> float:
    """Index every call, as migration 0008 does on upgrade; returns the seconds it took."""
    migration = _migration(SEARCH_MIGRATION)
    began = time.perf_counter()
    cursor = raw.cursor()
    cursor.execute(f"DELETE FROM {migration.TABLE}")
    cursor.execute(migration.backfill_sql())
    raw.commit()
    return round(time.perf_counter() - began, 1)


def _generate(store, rng: random.Random) -> tuple[int, dict]:
    """One campaign: CONTACTS contacts, CALLS calls. The first INSERT_SAMPLE calls go in with
    the triggers on, the next INSERT_SAMPLE with them off (the insert cost and its floor); the
    rest are bulk-loaded without triggers with their notes and turns, then recount() sets the
    counters, the search index is rebuilt and the triggers go back on."""
    from app.results.stats import recount
    from app.store.campaigns import create_campaign

    with store.session.begin() as session:
        campaign_id = create_campaign(session, "Bench", caller_id="+15005550006").id
    figures = {}
    raw = store.engine.raw_connection()
    began = time.perf_counter()
    try:
        now = START.strftime(STAMP)
        raw.cursor().executemany(
            "INSERT INTO contacts (id, campaign_id, phone, name, fields, status, attempts,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, '{}', ?, 0, ?, ?)",
            (
                (
                    i + 1,
                    campaign_id,
                    f"+1202{i:07d}",
                    f"Contact {i}",
                    rng.choice(STATUSES),
                    now,
                    now,
                )
                for i in range(CONTACTS)
            ),
        )
        raw.commit()
        figures["call_insert_us_with_triggers"] = _insert_calls(
            raw, campaign_id, rng, 0, INSERT_SAMPLE
        )
        _set_triggers(raw, on=False)
        figures["call_insert_us_floor_no_triggers"] = _insert_calls(
            raw, campaign_id, rng, INSERT_SAMPLE, 2 * INSERT_SAMPLE
        )
        _insert_calls(raw, campaign_id, rng, 2 * INSERT_SAMPLE, CALLS)
        _add_words(raw, rng)
        figures["search_index_build_s"] = _rebuild_search(raw)
        recount_began = time.perf_counter()
        with store.session.begin() as session:
            recount(session, campaign_id)
        figures["bulk_load_recount_s"] = round(time.perf_counter() - recount_began, 2)
        _set_triggers(raw, on=True)
    finally:
        raw.close()
    figures["generate_s"] = round(time.perf_counter() - began, 1)
    return campaign_id, figures


def _series_from_rows(session, campaign_id: int) -> list:
    """What the chart's counters replace: calls per ten minutes and status from the rows."""
    from sqlalchemy import func, select

    from app.results.stats import bucket_status_key
    from app.store.models import Call

    key = bucket_status_key()
    query = select(key, func.count()).where(Call.campaign_id == campaign_id).group_by(key)
    return session.execute(query).all()


def _update_cost(store, rng: random.Random, *, triggers: bool) -> float:
    """Mean µs per single-row call update (status, duration, disposition) in one transaction.
    With triggers the updates are kept (the counters are checked afterwards); without, they
    are rolled back and the triggers restored."""
    ids = [rng.randrange(1, CALLS + 1) for _ in range(UPDATES)]
    raw = store.engine.raw_connection()
    try:
        if not triggers:
            _set_triggers(raw, on=False)
        cursor = raw.cursor()
        began = time.perf_counter()
        for call_id in ids:
            cursor.execute(
                "UPDATE calls SET status = ?, duration_s = ?, disposition = ? WHERE id = ?",
                (rng.choice(STATUSES), rng.randrange(0, 200), rng.choice(DISPOSITIONS), call_id),
            )
        elapsed = time.perf_counter() - began
        if triggers:
            raw.commit()
        else:
            raw.rollback()
            _set_triggers(raw, on=True)
    finally:
        raw.close()
    return elapsed / UPDATES * 1e6


SEARCHES = [  # (what the word is in, a word typed in the box)
    ("name", "Contact 12345"),
    ("phone", "2020012345"),
    ("notes", "refund"),
    ("transcript", "quokka"),
]


def _search_figures(session, campaign_id: int) -> dict:
    """Words as the box sends them, through the query functions the page calls (the count and
    the first page of ids), beside the floor: the same calls read by a plain indexed lookup
    (contact ids -> calls by the B-tree index), and the LIKE scan the index replaced."""
    from sqlalchemy import select

    from app.results import search
    from app.results.calls import CallFilter, call_ids, count_calls
    from app.store.models import Call, Contact

    def page_of(text: str) -> list[int]:
        flt = CallFilter(text=text)
        count_calls(session, campaign_id, flt)
        return call_ids(session, campaign_id, flt, limit=200)

    figures = {}
    for label, word in SEARCHES:
        elapsed, _ = _timed(lambda w=word: page_of(w), 5)
        figures[f"search_{label}_ms"] = round(elapsed, 1)
        figures[f"search_{label}_found"] = count_calls(session, campaign_id, CallFilter(text=word))
    contacts = list(session.scalars(select(Contact.id).where(Contact.name.like("Contact 12345%"))))

    def indexed_lookup() -> list[int]:
        query = (
            select(Call.id)
            .where(Call.contact_id.in_(contacts))
            .order_by(Call.created_at.desc(), Call.id.desc())
            .limit(200)
        )
        return list(session.scalars(query))

    floor_ms, floor_ids = _timed(indexed_lookup, 5)
    assert sorted(floor_ids) == sorted(page_of("Contact 12345"))
    search._indexed[session.get_bind()] = False  # the LIKE scan (PostgreSQL's path)
    try:
        like_ms, like_ids = _timed(lambda: page_of("Contact 12345"), 1)
    finally:
        search._indexed[session.get_bind()] = True
    assert sorted(like_ids) == sorted(floor_ids)
    return {
        **figures,
        "search_floor_indexed_lookup_ms": round(floor_ms, 1),
        "search_name_ratio_vs_indexed_lookup": round(figures["search_name_ms"] / floor_ms, 1),
        "search_like_scan_ms": round(like_ms, 1),
    }


def run() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.results.calls import call_ids
    from app.results.series import calls_over_time
    from app.results.stats import campaign_stats, counts_from_rows, read_counters
    from app.store.engine import open_store

    rng = random.Random(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="calldeck-bench-") as tmp:
        home = Path(tmp)
        store = open_store(home)
        campaign_id, load = _generate(store, rng)

        with store.session() as session:
            stats_ms, stats = _timed(lambda: campaign_stats(session, campaign_id), STATS_RUNS)
            recount_ms, recounted = _timed(
                lambda: counts_from_rows(session, campaign_id), RECOUNT_RUNS
            )
            counters_equal = read_counters(session, campaign_id) == recounted
            series_ms, series = _timed(lambda: calls_over_time(session, campaign_id), STATS_RUNS)
            series_rows_ms, _ = _timed(lambda: _series_from_rows(session, campaign_id), 1)
            all_ids_ms, all_ids = _timed(lambda: call_ids(session, campaign_id), 1)

        from app.ui.results.page import ResultsPage

        def open_view():
            page = ResultsPage(store, home=home)  # picks the only campaign: ids page + stats
            page.resize(1400, 900)
            page.show()
            app.processEvents()  # paints the visible rows (reads their block)
            return page

        open_ms, page = _timed(open_view, 3)
        assert page.model.rowCount() > 0 and page.stats.calls.value.text() == f"{CALLS:,}"

        def refresh_panel():  # what a live update does: counters -> strip, tiles and chart
            page.controller.refresh_stats()
            app.processEvents()

        panel_ms, _ = _timed(refresh_panel, STATS_RUNS)

        def select_newest():
            page.select_call(page.model.call_id(0))
            app.processEvents()

        select_ms, _ = _timed(select_newest, 3)
        from app.results.calls import CallFilter

        filter_ms, _ = _timed(lambda: page.model.set_filter(CallFilter(status="busy")), 1)
        search_ms, _ = _timed(lambda: page.model.set_filter(CallFilter(text="Contact 12345")), 1)
        search_shown = page.model.rowCount()
        with store.session() as session:
            search = _search_figures(session, campaign_id)
        page.close()
        page.deleteLater()
        app.processEvents()

        update_with_us = _update_cost(store, rng, triggers=True)
        update_without_us = _update_cost(store, rng, triggers=False)
        with store.session() as session:
            still_equal = read_counters(session, campaign_id) == counts_from_rows(
                session, campaign_id
            )
        store.dispose()

    return {
        "calls": CALLS,
        "contacts": CONTACTS,
        **load,
        "stats_refresh_ms": round(stats_ms, 2),
        "stats_floor_group_by_recount_ms": round(recount_ms, 1),
        "stats_speedup_vs_recount": round(recount_ms / stats_ms, 1),
        "stats_panel_refresh_ms": round(panel_ms, 2),
        "stats_panel_speedup_vs_recount": round(recount_ms / panel_ms, 1),
        "stats_goal_ms": 100,
        "counters_equal_recount": counters_equal,
        "chart_series_ms": round(series_ms, 2),
        "chart_series_floor_group_by_rows_ms": round(series_rows_ms, 1),
        "chart_series_buckets": f"{len(series.starts)} per {series.step_label}",
        "chart_series_calls": series.total,
        "counters_equal_recount_after_updates": still_equal,
        "total_calls_reported": stats["total_calls"],
        "open_results_view_ms": round(open_ms, 1),
        "open_floor_read_all_ids_ms": round(all_ids_ms, 1),
        "open_ratio_vs_read_all_ids": round(open_ms / all_ids_ms, 2),
        "ids_read_all": len(all_ids),
        "select_call_ms": round(select_ms, 1),
        "filter_status_ms": round(filter_ms, 1),
        "text_search_ms": round(search_ms, 1),
        "text_search_goal_ms": 50,
        "text_search_rows_shown": search_shown,
        **search,
        "call_update_us_with_triggers": round(update_with_us, 1),
        "call_update_us_floor_no_triggers": round(update_without_us, 1),
        "call_update_overhead_ratio": round(update_with_us / update_without_us, 2),
        "call_insert_overhead_ratio": round(
            load["call_insert_us_with_triggers"] / load["call_insert_us_floor_no_triggers"], 2
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
