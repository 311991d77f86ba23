"""The dialer's write path stores the same thing directly on SQLite as through SQLAlchemy."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from app.store.campaigns import create_campaign
from app.store.models import Contact
from app.store.writer import WRITE_REFUSED, Statement, Writer

SET_NEXT = Statement(
    "UPDATE contacts SET next_attempt_at = :at WHERE id = :id RETURNING id, phone",
    timestamps=("at",),
)
RENAME = Statement("UPDATE contacts SET name = :name WHERE id = :id")


@pytest.fixture
def contact_ids(store) -> list[int]:
    with store.session.begin() as session:
        campaign = create_campaign(session, "Writes")
        contacts = [Contact(campaign_id=campaign.id, phone=f"+1212555010{i}") for i in range(3)]
        session.add_all(contacts)
        session.flush()
        return [c.id for c in contacts]


@pytest.fixture(params=[True, False], ids=["direct", "sqlalchemy"])
def writer(request, store):
    made = Writer(store.engine, direct=request.param)
    yield made
    made.close()


def stored_text(store, contact_id: int) -> str:
    with store.engine.connect() as conn:
        return conn.execute(
            text("SELECT next_attempt_at FROM contacts WHERE id = :id"), {"id": contact_id}
        ).scalar_one()


def test_timestamps_returning_rows_and_executemany(store, writer, contact_ids):
    at = datetime(2026, 11, 27, 9, 30, 0, 5, tzinfo=timezone(timedelta(hours=-5)))
    with writer.transaction() as tx:
        returned = tx.execute(SET_NEXT, {"at": at, "id": contact_ids[0]})
        tx.execute(RENAME, [{"name": f"N{i}", "id": cid} for i, cid in enumerate(contact_ids)])
        missing = tx.execute(RENAME, {"name": "nobody", "id": -1})

    assert returned.one() == (contact_ids[0], "+12125550100")
    assert returned.rowcount == 1 and missing.rowcount == 0 and missing.first() is None
    with store.session() as session:
        contact = session.get_one(Contact, contact_ids[0])
        assert contact.next_attempt_at == at.astimezone(UTC)
        assert [session.get_one(Contact, cid).name for cid in contact_ids] == ["N0", "N1", "N2"]
    # Exactly the text the models write, so string comparisons in SQL keep working.
    assert stored_text(store, contact_ids[0]) == "2026-11-27 14:30:00.000005"


def test_an_error_rolls_the_whole_transaction_back(store, writer, contact_ids):
    with pytest.raises(ZeroDivisionError), writer.transaction() as tx:
        tx.execute(RENAME, {"name": "half-done", "id": contact_ids[0]})
        raise ZeroDivisionError
    with writer.transaction() as tx:  # and the writer is usable afterwards
        tx.execute(RENAME, {"name": "done", "id": contact_ids[1]})
    with store.session() as session:
        assert session.get_one(Contact, contact_ids[0]).name == ""
        assert session.get_one(Contact, contact_ids[1]).name == "done"


def test_a_locked_database_is_a_refused_write(tmp_path, monkeypatch):
    from app.store import engine

    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 50)
    store = engine.open_store(tmp_path)
    writer = Writer(store.engine, direct=True)
    blocker = sqlite3.connect(store.engine.url.database)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(WRITE_REFUSED), writer.transaction() as tx:
            tx.execute(Statement("INSERT INTO settings (key, value) VALUES ('k', '\"1\"')"), {})
    finally:
        blocker.rollback()
        blocker.close()
    with writer.transaction() as tx:  # the lock is gone: the same write lands
        tx.execute(Statement("INSERT INTO settings (key, value) VALUES ('k', '\"2\"')"), {})
    writer.close()
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM settings")).scalars().all() == ['"2"']
    store.dispose()
