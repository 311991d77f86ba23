"""Recovery: at start, one CallAttempt per call a previous run left open or without results."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from app.dialer.attempt import CallAttempt
from app.dialer.context import DialerContext
from app.dialer.events import EventHub
from app.dialer.failures import NOT_PLACED
from app.dialer.recovery import Recovery
from app.dialer.scheduler import Scheduler
from app.domain.clock import FakeClock
from app.store.models import Call, Contact
from app.store.writer import Writer
from app.telephony.base import CallRequest
from tests.dialer.fakes import FakeProvider
from tests.dialer.helpers import CALLER_ID, make_campaign

LIVE, LOST, UNPLACED, ENDED = "+12125550100", "+12125550110", "+12125550120", "+12125550130"


def left_by_a_crash(store, provider, clock) -> dict[str, int]:
    """Four calls as a killed run leaves them; returns call ids by number."""
    cid, ids = make_campaign(store, "Crashed", [LIVE, LOST, UNPLACED, ENDED], max_attempts=1)

    async def placed_before_the_crash():
        return [
            (await provider.place_call(CallRequest(number, CALLER_ID, twiml="x"))).sid
            for number in (LIVE, LOST, ENDED)
        ]

    claimed_at = clock.now()
    live_sid, _, ended_sid = asyncio.run(placed_before_the_crash())
    clock.advance(60)  # the ended call is over by now
    rows = {
        LIVE: ("calling", live_sid, "calling", None),
        LOST: ("calling", None, "calling", None),  # placed, but its sid was never saved
        UNPLACED: ("calling", None, "calling", None),  # the create never went out
        ENDED: ("completed", ended_sid, "completed", "pending"),  # results never fetched
    }
    call_ids = {}
    with store.session.begin() as session:
        for contact_id, (number, (contact_status, sid, status, results)) in zip(
            ids, rows.items(), strict=True
        ):
            contact = session.get(Contact, contact_id)
            contact.status, contact.attempts = contact_status, 1
            call = Call(
                campaign_id=cid,
                contact_id=contact_id,
                attempt=1,
                provider_sid=sid,
                status=status,
                created_at=claimed_at,
                from_number=CALLER_ID,
                recording_state=results,
                transcript_state=results,
            )
            session.add(call)
            session.flush()
            call_ids[number] = call.id
    return call_ids


def test_recovery_creates_an_attempt_per_open_call_and_never_dials(store, tmp_path):
    clock = FakeClock()
    provider = FakeProvider(clock)
    call_ids = left_by_a_crash(store, provider, clock)
    dialled_before = len(provider.calls)
    writer = Writer(store.engine)
    ctx = DialerContext(store, writer, provider, clock, EventHub(), tmp_path / "rec", 2.0)
    scheduler = Scheduler(ctx, cps=10)

    async def go() -> list[CallAttempt]:
        attempts = Recovery(ctx, scheduler).reconcile()
        assert scheduler.pacer.total_active() == 3  # the open calls hold their lines
        assert set(scheduler.attempts) == set(call_ids.values())
        while scheduler.attempts:
            scheduler.progress.clear()
            await scheduler.progress.wait()
        return attempts

    attempts = asyncio.run(go())
    writer.close()
    by_number = {a.live.identity.to: a for a in attempts}
    assert sorted(by_number) == sorted(call_ids)
    assert by_number[ENDED].live.line_held is False  # a finished call holds no line
    assert all(not a.live.line_held for a in attempts)
    assert scheduler.pacer.total_active() == 0  # each line released exactly once
    assert len(provider.calls) == dialled_before  # asked the provider, dialled nobody
    with store.session() as session:
        calls = {c.id: c for c in session.scalars(select(Call))}
    assert calls[call_ids[LIVE]].status == "completed"
    assert calls[call_ids[LOST]].provider_sid == provider.calls[1].sid  # found by the search
    assert (calls[call_ids[UNPLACED]].status, calls[call_ids[UNPLACED]].error_message) == (
        "failed",
        NOT_PLACED,
    )
    assert calls[call_ids[ENDED]].recording_state == "downloaded"
