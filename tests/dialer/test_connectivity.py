"""Twilio unreachable mid-campaign, on the fake provider and a fake clock: the dialer stops
placing calls, says so, probes with backoff, and carries on by itself when it is back."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from app.dialer import DialerService, DialerStatus
from app.dialer.connectivity import OFFLINE_MESSAGE, Connectivity
from app.domain.clock import FakeClock
from app.store.models import Call, Contact
from app.telephony.errors import AmbiguousCreate, ConnectionFailed, NeverReached, ServerError
from tests.dialer.fakes import EXPECTED_STATUS, FakeProvider
from tests.dialer.helpers import make_campaign, phones

OUTAGE_S = (30.0, 150.0)  # from, until (the fake clock's seconds)


def test_an_outage_stops_the_dialing_says_so_and_dialing_resumes(store, tmp_path):
    numbers = phones(12, "0123456789")
    make_campaign(store, "Outage", numbers, concurrency=3, per_minute=60, max_attempts=1)
    clock = FakeClock()
    # Recordings process for a while: some are still awaited when the network goes.
    provider = FakeProvider(clock, talk_s=20.0, recording_delay_s=40.0)
    statuses: list[DialerStatus] = []
    creates_while_offline: list[float] = []
    real_place = provider.place_call

    async def place_call(request):
        if provider.unreachable:
            creates_while_offline.append(clock.monotonic())
        return await real_place(request)

    provider.place_call = place_call

    async def outage():
        await clock.sleep_until(OUTAGE_S[0])
        provider.unreachable = True
        await clock.sleep_until(OUTAGE_S[1])
        provider.unreachable = False

    async def go():
        service = DialerService(store, provider, recordings_dir=tmp_path / "rec", clock=clock)
        service.subscribe(lambda e: statuses.append(e) if isinstance(e, DialerStatus) else None)
        await service.start()
        network = asyncio.create_task(outage())
        await service.run_until_done()
        await network
        await service.stop()

    asyncio.run(go())

    offline = [s for s in statuses if s.unreachable]
    assert offline and all(s.message == OFFLINE_MESSAGE for s in offline)
    assert offline[0].unreachable == OFFLINE_MESSAGE
    assert statuses[-1].unreachable is None  # online again at the end
    # At most the one create already on its way when the network went; then only probes.
    assert len(creates_while_offline) <= 1
    assert provider.pings >= 2
    dialled = Counter(c.to for c in provider.calls)
    assert set(dialled) == set(numbers) and set(dialled.values()) == {1}  # nobody twice
    with store.session() as session:
        status = {c.phone: c.status for c in session.scalars(select(Contact))}
        answered = [c for c in session.scalars(select(Call)) if c.answered_at is not None]
        # Calls that ended during the outage got their recordings once it was over.
        assert answered and {c.recording_state for c in answered} == {"downloaded"}
    assert status == {p: EXPECTED_STATUS[p[-1]] for p in numbers}
    assert provider.sized_for == 3  # the poll pool is sized for the campaign's lines


def test_only_errors_without_an_answer_mean_offline():
    connectivity = Connectivity()
    changes: list[bool] = []
    connectivity.on_change = changes.append
    connectivity.observe(ServerError("Twilio answered 500"))
    connectivity.observe(AmbiguousCreate("5xx on the create"))
    assert connectivity.online and connectivity.message is None
    connectivity.observe(ConnectionFailed("refused"))
    assert not connectivity.online and connectivity.message == OFFLINE_MESSAGE
    connectivity.observe(NeverReached("refused"))
    connectivity.reached(begun=0)  # an answer to a request sent before the outage: stale
    assert not connectivity.online
    connectivity.reached(begun=connectivity.outages)
    connectivity.observe(AmbiguousCreate("reset mid-request", lost_connection=True))
    assert changes == [False, True, False]
