"""The emulator stops answering mid-campaign (connections refused), then comes back: the
dialer goes offline and online by itself, dials nobody twice, and finishes every contact."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from app.dialer import DialerService, DialerStatus
from app.dialer import search as search_module
from app.dialer.connectivity import OFFLINE_MESSAGE
from app.store.models import Contact
from app.telephony.retry import Backoff
from tests.dialer.conftest import provider_for, read_call_log
from tests.dialer.fakes import EXPECTED_STATUS
from tests.dialer.helpers import make_campaign, phones

SPEED = 60.0  # a 20 s conversation lasts a third of a second: live through the outage
OUTAGE_S = 1.0


def created(emu) -> Counter:
    return Counter(line["to"] for line in read_call_log(emu.call_log) if line["event"] == "created")


async def until(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_emulator_goes_away_mid_campaign_and_comes_back(
    store, tmp_path, make_emulator, monkeypatch
):
    # A create cut mid-request goes to the search; it settles in a second here, not a minute.
    monkeypatch.setattr(search_module, "UNKNOWN_CREATE_SETTLE_S", 1.0)
    emu = make_emulator(speed=SPEED)
    numbers = phones(6, "012345")
    make_campaign(store, "Outage", numbers, concurrency=3, per_minute=600, max_attempts=1)
    provider = provider_for(emu)
    provider.backoff = Backoff(base_s=0.05, cap_s=0.2)  # its own retries: quick, as the test is
    service = DialerService(
        store, provider, recordings_dir=tmp_path / "rec", poll_interval_s=0.03, cps=50
    )
    seen: list[str | None] = []
    service.subscribe(lambda e: seen.append(e.unreachable) if isinstance(e, DialerStatus) else None)
    creates_offline = []
    real_place = provider.place_call

    async def place_call(request):
        if service.status().unreachable:
            creates_offline.append(request.to)
        return await real_place(request)

    provider.place_call = place_call

    async def go():
        await service.start()
        try:
            await until(lambda: sum(created(emu).values()) >= 2)
            await asyncio.to_thread(emu.go_offline)
            await until(lambda: service.status().unreachable is not None, timeout=5)
            assert service.status().message == OFFLINE_MESSAGE
            await asyncio.sleep(OUTAGE_S)
            await asyncio.to_thread(emu.come_back)
            await asyncio.wait_for(service.run_until_done(), 30)
        finally:
            await service.stop()
            await provider.close()

    asyncio.run(go())

    assert OFFLINE_MESSAGE in seen and seen[-1] is None  # offline, then online by itself
    assert creates_offline == []  # none sent while offline (the probe is not a create)
    dialled = created(emu)
    assert set(dialled) == set(numbers) and set(dialled.values()) == {1}  # nobody twice
    with store.session() as session:
        status = {c.phone: c.status for c in session.scalars(select(Contact))}
    assert status == {p: EXPECTED_STATUS[p[-1]] for p in numbers}
