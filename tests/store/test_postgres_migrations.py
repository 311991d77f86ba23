"""The same migrations on PostgreSQL: from an empty database, from each earlier revision
(with rows in it), and back down; the schema then matches the models, triggers keep the
stats counters and the search index, and nothing is lost."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.results.calls import CallFilter, call_ids
from app.results.search import search_index_kept
from app.results.stats import campaign_stats, counters_maintained, counts_from_rows, read_counters
from app.store.engine import make_engine, open_store
from app.store.migrate import alembic_config, current_revision, packaged_head
from app.store.models import Base, described_by_models
from tests.data.db import make_fixtures
from tests.store.pg_seed import seed_rows

EARLIER = make_fixtures.revisions()[:-1]


def _schema_diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described_by_models})
        return compare_metadata(context, Base.metadata)


def test_an_empty_database_is_created_at_head(home, pg_url):
    store = open_store(home, pg_url)
    try:
        assert store.backend.is_postgresql and store.backend.counters_by_triggers
        assert current_revision(store.engine) == packaged_head()
        assert _schema_diff(store.engine) == []
        assert counters_maintained(store.engine)
        assert search_index_kept(store.engine)
    finally:
        store.dispose()


@pytest.mark.parametrize("revision", EARLIER)
def test_each_earlier_revision_upgrades_with_its_rows(home, pg_url, revision):
    engine = make_engine(pg_url)
    command.upgrade(alembic_config(engine), revision)
    campaign_id = seed_rows(engine)
    engine.dispose()
    store = open_store(home, pg_url)
    try:
        assert current_revision(store.engine) == packaged_head()
        if revision == EARLIER[0]:  # the whole chain (reflection costs a second a time)
            assert _schema_diff(store.engine) == []
        with store.session() as session:
            # The backfills counted the rows written before the triggers existed.
            assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)
            stats = campaign_stats(session, campaign_id)
            assert stats["total_calls"] == len(make_fixtures.CALLS)
            found = {
                typed: len(call_ids(session, campaign_id, CallFilter(text=typed)))
                for typed in ("ada", "0102", "tell me more", "call back in", "nobody")
            }
            assert found == {"ada": 1, "0102": 1, "tell me more": 1, "call back in": 1, "nobody": 0}
    finally:
        store.dispose()


def test_migrations_go_down_to_nothing_and_up_again(home, pg_url):
    store = open_store(home, pg_url)
    seed_rows(store.engine)
    config = alembic_config(store.engine)
    command.downgrade(config, "base")
    with store.engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["alembic_version"]
        functions = conn.scalars(
            text("SELECT proname FROM pg_proc WHERE proname LIKE 'calldeck%'")
        ).all()
        assert functions == []
    command.upgrade(config, "head")
    assert _schema_diff(store.engine) == []
    store.dispose()


def test_the_search_index_follows_notes_names_and_transcripts(home, pg_url):
    store = open_store(home, pg_url)
    campaign_id = seed_rows(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE calls SET notes = 'wants the 50% plan' WHERE attempt = 1"))
        conn.execute(text("UPDATE contacts SET name = 'Ada King' WHERE name = 'Ada Lovelace'"))
        conn.execute(text("DELETE FROM transcript_turns"))
    with store.session() as session:

        def found(typed: str) -> int:
            return len(call_ids(session, campaign_id, CallFilter(text=typed)))

        assert found("50% PLAN") == len(make_fixtures.CALLS)
        assert found("ada king") == 1 and found("lovelace") == 0
        assert found("tell me more") == 0
    store.dispose()
