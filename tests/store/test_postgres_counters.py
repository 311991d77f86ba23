"""On PostgreSQL the plpgsql triggers of migration 0002 keep the stats counters equal to a
recount, through the same random writes the SQLite triggers are held to."""

from __future__ import annotations

import pytest

from app.store.engine import open_store
from tests.results.test_stats import check_counters_after_random_writes


@pytest.fixture
def pg_store(home, pg_url):
    store = open_store(home, pg_url)
    yield store
    store.dispose()


def test_counters_equal_a_recount_after_random_writes(pg_store, home):
    check_counters_after_random_writes(pg_store, home, steps=150)
