"""A write the dialer must not lose is retried while the database refuses it."""

import asyncio

from sqlalchemy.exc import OperationalError

from app.dialer import DialerService
from app.dialer.attempt import persist
from app.domain.clock import FakeClock

from .fakes import FakeProvider


def test_a_refused_write_is_retried_until_it_lands(store, tmp_path):
    clock = FakeClock()
    attempts = []

    def flaky_write() -> str:
        attempts.append(clock.monotonic())
        if len(attempts) < 4:
            raise OperationalError("UPDATE calls …", {}, Exception("database is locked"))
        return "stored"

    async def go() -> str:
        return await persist(clock, "test write", flaky_write)

    assert asyncio.run(go()) == "stored"
    assert len(attempts) == 4
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[0] > 0  # backs off, never spins


def test_a_status_write_that_fails_half_way_is_retried_whole(store, tmp_path, monkeypatch):
    """The answered write moves the contact, then fails on the call row: the retry must not
    believe the contact already moved (that was rolled back), or it would stay "calling"."""
    import sqlite3

    from sqlalchemy import select

    from app.dialer import ContactChanged, writes
    from app.store import writer
    from app.store.models import Call, Contact
    from tests.dialer.helpers import make_campaign, phones

    make_campaign(store, "Flaky disk", phones(2, "0"), concurrency=2, max_attempts=1)
    real_execute = writer._SqliteTransaction.execute
    refused = []

    def execute(self, statement, params):
        if statement is writes._ANSWERED and not refused:
            refused.append(params["id"])
            raise sqlite3.OperationalError("disk I/O error")
        return real_execute(self, statement, params)

    monkeypatch.setattr(writer._SqliteTransaction, "execute", execute)
    clock = FakeClock()
    service = DialerService(store, FakeProvider(clock), recordings_dir=tmp_path, clock=clock)
    connected = []
    service.subscribe(
        lambda e: (
            connected.append(e.contact_id)
            if isinstance(e, ContactChanged) and e.status == "connected"
            else None
        )
    )

    async def go() -> None:
        await service.start()
        await service.run_until_done()
        await service.stop()

    asyncio.run(go())
    assert refused
    assert len(connected) == 2  # the refused one too, once its retry landed
    with store.session() as session:
        assert set(session.scalars(select(Contact.status))) == {"completed"}
        answered = session.scalars(select(Call.answered_at).where(Call.id == refused[0])).one()
        assert answered is not None
