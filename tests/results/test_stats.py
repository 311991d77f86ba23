from __future__ import annotations

import random
from datetime import timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, text, update

from app.results.stats import (
    campaign_stats,
    counters_maintained,
    counts_from_rows,
    read_counters,
    recount,
)
from app.store.engine import open_store
from app.store.migrate import alembic_config
from app.store.models import Base, Call, Campaign, Contact, described_by_models
from tests.data.db import make_fixtures
from tests.results.results_seed import START, seed_campaign

STATUSES = ["calling", "connected", "completed", "no_answer", "busy", "failed"]
ANSWERED_BY = [None, "human", "machine_start", "machine_end_beep", "fax", "unknown"]
DISPOSITIONS = [None, "Interested", "Call back", "Voicemail", "Do not call"]


def test_stats_equal_a_hand_count(store, seeded):
    with store.session() as session:
        stats = campaign_stats(session, seeded.campaign_id)
    # OUTCOMES cycles 7 outcomes over 14 contacts: each twice.
    assert stats["total_calls"] == 14
    assert stats["calls_by_status"] == {
        "queued": 0,
        "calling": 0,
        "connected": 2,
        "completed": 6,
        "no_answer": 2,
        "busy": 2,
        "voicemail": 0,
        "failed": 2,
    }
    assert stats["contacts_by_status"]["completed"] == 6
    assert stats["contacts_reached"] == 6
    assert stats["total_contacts"] == 14
    assert stats["finished_calls"] == 12
    assert stats["answer_rate"] == 6 / 12
    assert stats["human"] == 6  # 42 s, 95 s and the connected one, twice
    assert stats["voicemail"] == 2
    assert stats["talk_time_total_s"] == 2 * (42 + 18 + 95)
    assert stats["talk_time_avg_s"] == (42 + 18 + 95) / 3
    assert stats["dispositions"] == {}
    assert stats["undisposed_calls"] == 14
    # Calls every 7 minutes from 09:00 (0, 7, 14, ..., 91 min), counted per ten minutes.
    assert stats["bucket_minutes"] == 10
    expected: dict[str, int] = {}
    for i in range(14):
        minute = 7 * i
        at = f"2026-11-27T{9 + minute // 60:02d}:{minute % 60 // 10}0:00+00:00"
        expected[at] = expected.get(at, 0) + 1
    assert stats["calls_over_time"] == [{"at": at, "calls": n} for at, n in expected.items()]
    assert sum(p["calls"] for p in stats["calls_over_time"]) == 14
    assert stats["calls_over_time"][:2] == [
        {"at": "2026-11-27T09:00:00+00:00", "calls": 2},  # 09:00, 09:07
        {"at": "2026-11-27T09:10:00+00:00", "calls": 1},  # 09:14
    ]


def test_counters_are_kept_by_triggers_and_match_a_recount_after_random_writes(store, home):
    check_counters_after_random_writes(store, home, steps=400)


def check_counters_after_random_writes(store, home, *, steps: int) -> None:
    """Also run on PostgreSQL (tests/store/test_postgres_counters.py)."""
    assert counters_maintained(store.engine)
    rng = random.Random(6)
    seeded = [seed_campaign(store, home, name=f"c{i}", contacts=10) for i in range(3)]
    campaign_ids = [s.campaign_id for s in seeded]
    for step in range(steps):
        with store.session.begin() as session:
            call_ids = list(session.scalars(text("SELECT id FROM calls")))
            action = rng.random()
            if action < 0.2:  # a new attempt, sometimes in a new contact
                campaign_id = rng.choice(campaign_ids)
                contact = Contact(
                    campaign_id=campaign_id,
                    phone=f"+1303555{step:04d}",
                    status=rng.choice(STATUSES),
                )
                session.add(contact)
                session.flush()
                session.add(
                    Call(
                        campaign_id=campaign_id,
                        contact_id=contact.id,
                        attempt=1,
                        status=rng.choice(STATUSES),
                        created_at=START + timedelta(minutes=rng.randrange(0, 600)),
                        duration_s=rng.choice([None, 0, 7, 61]),
                        answered_by=rng.choice(ANSWERED_BY),
                        disposition=rng.choice(DISPOSITIONS),
                    )
                )
            elif action < 0.8 and call_ids:  # status, outcome, disposition changes
                changes = rng.choice(
                    [
                        {"status": rng.choice(STATUSES)},
                        {"duration_s": rng.choice([None, 3, 120])},
                        {"answered_by": rng.choice(ANSWERED_BY)},
                        {"disposition": rng.choice(DISPOSITIONS)},
                        {"status": "completed", "duration_s": rng.randrange(0, 300)},
                        {"created_at": START + timedelta(hours=rng.randrange(0, 48))},
                    ]
                )
                session.execute(update(Call).where(Call.id == rng.choice(call_ids)).values(changes))
            elif action < 0.9:
                session.execute(
                    update(Contact)
                    .where(Contact.campaign_id == rng.choice(campaign_ids))
                    .values(status=rng.choice(STATUSES))
                )
            elif call_ids:
                session.execute(delete(Call).where(Call.id == rng.choice(call_ids)))
    with store.session() as session:
        for campaign_id in campaign_ids:
            assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)
    # Deleting a campaign cascades to its contacts and calls and drops its counters.
    with store.session.begin() as session:
        session.execute(delete(Campaign).where(Campaign.id == campaign_ids[0]))
    with store.session() as session:
        assert read_counters(session, campaign_ids[0]) == {}
        assert counts_from_rows(session, campaign_ids[0]) == {}
        assert read_counters(session, campaign_ids[1]) == counts_from_rows(session, campaign_ids[1])


def test_recount_repairs_counters(store, seeded):
    with store.session.begin() as session:
        session.execute(text("UPDATE stat_counters SET n = n + 5"))
        session.execute(text("DELETE FROM stat_counters WHERE kind = 'bucket'"))
    with store.session.begin() as session:
        assert read_counters(session, seeded.campaign_id) != counts_from_rows(
            session, seeded.campaign_id
        )
        recount(session, seeded.campaign_id)
    with store.session() as session:
        assert read_counters(session, seeded.campaign_id) == counts_from_rows(
            session, seeded.campaign_id
        )


def test_upgrading_an_existing_database_backfills_the_counters(home):
    # Rows written before 0002 existed: the upgrade must count them in.
    make_fixtures.copy_fixture("0001", home)
    store = open_store(home)
    with store.session() as session:
        campaign_id = session.scalar(text("SELECT id FROM campaigns"))
        assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)
        assert campaign_stats(session, campaign_id)["total_calls"] == len(make_fixtures.CALLS)
    store.dispose()


def test_missing_triggers_fall_back_to_counting_rows(home):
    store = open_store(home)
    seeded = seed_campaign(store, home)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER trg_calls_stats_upd_disposition")
    store.dispose()
    reopened = open_store(home)  # a new engine: the trigger check runs again
    assert not counters_maintained(reopened.engine)
    with reopened.session.begin() as session:
        session.execute(update(Call).values(disposition="Interested"))
    with reopened.session() as session:
        assert campaign_stats(session, seeded.campaign_id)["dispositions"] == {"Interested": 14}
    reopened.dispose()


def test_models_and_migrations_agree(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described_by_models})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_0002_downgrades_and_upgrades_cleanly(store, seeded):
    config = alembic_config(store.engine)
    command.downgrade(config, "0001")
    with store.engine.connect() as conn:
        names = conn.scalars(text("SELECT name FROM sqlite_master")).all()
    assert "stat_counters" not in names and not [n for n in names if "stats" in n]
    command.upgrade(config, "head")  # the backfill counts what is already there
    with store.session() as session:
        assert read_counters(session, seeded.campaign_id) == counts_from_rows(
            session, seeded.campaign_id
        )
