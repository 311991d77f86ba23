"""A database left by every released schema revision opens in today's app, upgraded, intact.

The fixtures (tests/data/db/calldeck-<revision>.db) are real files made by
tests/data/db/make_fixtures.py; see there for how to add one for a new migration.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from app.domain.media_state import MediaKind, RecordingState, TranscriptState
from app.results.calls import CallFilter, call_detail, call_ids
from app.results.search import search_index_kept
from app.results.stats import campaign_stats, counts_from_rows
from app.store.counters import counters_maintained, read_counters
from app.store.engine import open_store
from app.store.migrate import current_revision, packaged_head
from app.store.models import (
    Agent,
    Base,
    Call,
    Campaign,
    Contact,
    DncEntry,
    TranscriptTurn,
    described_by_models,
)
from tests.data.db import make_fixtures

FIXTURES = Path(make_fixtures.__file__).parent
REVISIONS = make_fixtures.revisions()


@pytest.fixture(params=REVISIONS)
def upgraded(request, home):
    """(revision, store): the revision's fixture copied into a data dir and opened by the app."""
    revision = request.param
    make_fixtures.copy_fixture(revision, home)
    store = open_store(home)
    yield revision, store
    store.dispose()


def test_there_is_a_fixture_for_every_revision():
    assert REVISIONS[0] == "0001" and REVISIONS[-1] == packaged_head()
    missing = [r for r in REVISIONS if not (FIXTURES / f"calldeck-{r}.db").is_file()]
    assert not missing, f"run `python -m tests.data.db.make_fixtures {' '.join(missing)}`"


@pytest.mark.parametrize("revision", REVISIONS)
def test_each_fixture_is_at_its_own_revision(revision):
    with sqlite3.connect(FIXTURES / f"calldeck-{revision}.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]
    db.close()


def test_opening_upgrades_to_head_with_the_schema_of_the_models(upgraded):
    _revision, store = upgraded
    assert current_revision(store.engine) == packaged_head()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described_by_models})
        assert compare_metadata(context, Base.metadata) == []


def test_the_file_is_backed_up_before_a_migration_changes_it(upgraded, home):
    revision, _store = upgraded
    backup = home / f"calldeck.db.before-{revision}.bak"
    if revision == packaged_head():  # nothing to migrate: nothing to back up
        assert not list(home.glob("*.bak"))
        return
    assert backup.is_file()
    with sqlite3.connect(backup) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)
        assert db.execute("SELECT count(*) FROM calls").fetchone() == (len(make_fixtures.CALLS),)
    db.close()


def test_the_rows_survive(upgraded):
    _revision, store = upgraded
    with store.session() as session:
        campaign = session.scalars(select(Campaign)).one()
        assert (campaign.name, campaign.state) == (make_fixtures.CAMPAIGN, "paused")
        assert campaign.dispositions == ["Interested", "Not interested", "Voicemail"]
        assert session.get_one(Agent, campaign.agent_id).tools == ["end_call"]
        contacts = session.scalars(select(Contact).order_by(Contact.id)).all()
        assert [(c.name, c.phone, c.status, c.attempts) for c in contacts] == [
            tuple(row) for row in make_fixtures.CONTACTS
        ]
        assert contacts[0].fields == {"plan": "gold"}
        calls = session.scalars(select(Call).order_by(Call.id)).all()
        assert [(c.status, c.recording_state, c.transcript_state) for c in calls] == [
            (status, recording, transcript)
            for _, status, _, _, recording, transcript, _, _ in make_fixtures.CALLS
        ]
        assert calls[0].answered_at is not None and calls[0].answered_at.tzinfo is not None
        assert session.scalar(select(func.count()).select_from(TranscriptTurn)) == 2
        assert session.scalars(select(DncEntry.phone)).all() == ["+14155550199"]


def test_every_stored_media_state_is_one_the_app_knows(upgraded):
    _revision, store = upgraded
    with store.session() as session:
        stored = session.execute(select(Call.recording_state, Call.transcript_state)).all()
        detail = call_detail(session, 1)
    for recording, transcript in stored:
        assert RecordingState.parse(recording).to_db() == recording
        assert TranscriptState.parse(transcript).to_db() == transcript
    assert detail is not None
    assert detail.recording_state == RecordingState.DOWNLOADED
    assert detail.transcript_state == TranscriptState.DONE
    assert [turn.speaker for turn in detail.turns] == ["agent", "callee"]
    with store.session() as session:
        third = call_detail(session, 3)
    assert third is not None and third.recording_state.kind is MediaKind.UNAVAILABLE
    assert third.recording_state.reason == "the provider kept no audio"


def test_the_counters_equal_a_recount_and_stay_so_after_a_write(upgraded):
    _revision, store = upgraded
    assert counters_maintained(store.engine)
    with store.session() as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)
        stats = campaign_stats(session, campaign_id)
    assert (stats["total_calls"], stats["total_contacts"]) == (4, 5)
    assert (stats["answered_calls"], stats["human"], stats["voicemail"]) == (2, 1, 1)
    assert stats["talk_time_total_s"] == 42 + 17
    assert stats["dispositions"] == {"Interested": 1, "Voicemail": 1}
    assert stats["calls_over_time"] == [{"at": "2026-11-20T14:00:00+00:00", "calls": 4}]
    with store.session.begin() as session:  # the triggers still run after the upgrade
        call = session.get_one(Call, 4)
        call.status, call.duration_s = "completed", 9
        session.delete(session.get_one(Call, 2))
    with store.session() as session:
        assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)


def test_the_search_index_holds_the_old_calls_and_follows_new_writes(upgraded):
    _revision, store = upgraded
    assert search_index_kept(store.engine)
    with store.session() as session:
        campaign_id = session.scalars(select(Campaign.id)).one()

        def found(text: str) -> list[int]:
            return call_ids(session, campaign_id, CallFilter(text=text), descending=False)

        assert found("lovelace") == [1]  # name, any case
        assert found("5550103") == [3]  # phone
        assert found("back in may") == [1]  # notes
        assert found("tell me more") == [1]  # transcript
    with store.session.begin() as session:  # the triggers run after the upgrade
        session.get_one(Call, 2).notes = "wrong number"
    with store.session() as session:
        assert found("wrong num") == [2]
