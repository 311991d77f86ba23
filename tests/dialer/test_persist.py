"""A write the dialer must not lose is retried while the database refuses it."""

import asyncio

from sqlalchemy.exc import OperationalError

from app.dialer import DialerService
from app.domain.clock import FakeClock

from .fakes import FakeProvider


def test_a_refused_write_is_retried_until_it_lands(store, tmp_path):
    clock = FakeClock()
    service = DialerService(store, FakeProvider(clock), recordings_dir=tmp_path, clock=clock)
    attempts = []

    def flaky_write() -> str:
        attempts.append(clock.monotonic())
        if len(attempts) < 4:
            raise OperationalError("UPDATE calls …", {}, Exception("database is locked"))
        return "stored"

    async def go() -> str:
        return await service._persist("test write", flaky_write)

    assert asyncio.run(go()) == "stored"
    assert len(attempts) == 4
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[0] > 0  # backs off, never spins
