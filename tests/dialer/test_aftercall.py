"""After the call: a recording still processing is waited for, with backoff, for 30 minutes
after the call, across a restart, and only then given up."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.dialer.aftercall import RECORDING_PATIENCE, fetch_results
from app.domain.clock import FakeClock
from app.store.models import Call, Contact
from app.store.writer import Writer
from app.telephony.base import CallRequest
from app.telephony.errors import RateLimited
from tests.dialer.fakes import FakeProvider
from tests.dialer.helpers import CALLER_ID, make_campaign

NUMBER = "+12125550100"


def ended_call(store, provider, clock, *, ended_ago_s: float) -> tuple[int, str]:
    """An answered call that ended *ended_ago_s* ago, its results pending; (call id, sid)."""
    cid, [contact_id] = make_campaign(store, "Late recordings", [NUMBER])
    info = asyncio.run(provider.place_call(CallRequest(NUMBER, CALLER_ID, twiml="x")))
    call = provider.calls[-1]
    clock.advance(call.end_mono - clock.monotonic() + ended_ago_s)
    with store.session.begin() as session:
        session.get(Contact, contact_id).status = "completed"
        row = Call(
            campaign_id=cid,
            contact_id=contact_id,
            attempt=1,
            provider_sid=info.sid,
            status="completed",
            from_number=CALLER_ID,
            created_at=call.created_at,
            ended_at=clock.now() - timedelta(seconds=ended_ago_s),
            recording_state="pending",
            transcript_state="pending",
        )
        session.add(row)
        session.flush()
        return row.id, info.sid


def fetch(store, provider, clock, call_id, sid, tmp_path):
    writer = Writer(store.engine)
    try:
        return asyncio.run(
            fetch_results(
                writer,
                provider,
                call_id,
                sid,
                recordings_dir=tmp_path / "rec",
                clock=clock,
                poll_interval_s=2.0,
            )
        )
    finally:
        writer.close()


def stored(store, call_id) -> Call:
    with store.session() as session:
        return session.scalars(select(Call).where(Call.id == call_id)).one()


def test_a_recording_processing_for_20_minutes_is_waited_for(store, tmp_path):
    clock = FakeClock()
    provider = FakeProvider(clock, recording_delay_s=20 * 60)
    call_id, sid = ended_call(store, provider, clock, ended_ago_s=0)
    results = fetch(store, provider, clock, call_id, sid, tmp_path)
    assert results.recording_state.is_downloaded
    row = stored(store, call_id)
    assert (row.recording_state, row.transcript_state) == ("downloaded", "done")
    # Backoff: 20 minutes took a handful of checks, not one every 2 s.
    assert provider.recording_lists < 20


def test_a_recording_never_ready_is_given_up_30_minutes_after_the_call(store, tmp_path):
    clock = FakeClock()
    provider = FakeProvider(clock, recording_delay_s=3 * 3600)
    call_id, sid = ended_call(store, provider, clock, ended_ago_s=0)
    start = clock.monotonic()
    fetch(store, provider, clock, call_id, sid, tmp_path)
    waited = clock.monotonic() - start
    assert RECORDING_PATIENCE.total_seconds() <= waited < RECORDING_PATIENCE.total_seconds() + 5
    row = stored(store, call_id)
    assert row.recording_state.startswith("unavailable: the recording was still processing 30")
    assert row.transcript_state == "unavailable: no recording"


def test_after_a_restart_the_wait_counts_from_the_end_of_the_call(store, tmp_path):
    """The app was down for 25 minutes: the recording gets the 5 minutes left, not 30 more."""
    clock = FakeClock()
    provider = FakeProvider(clock, recording_delay_s=3 * 3600)
    call_id, sid = ended_call(store, provider, clock, ended_ago_s=25 * 60)
    start = clock.monotonic()
    fetch(store, provider, clock, call_id, sid, tmp_path)
    assert clock.monotonic() - start <= 5 * 60 + 5
    assert stored(store, call_id).recording_state.startswith("unavailable")


def test_a_rate_limit_that_outlasts_the_retries_leaves_the_results_pending_for_later(
    store, tmp_path
):
    """A 429 is a moment's refusal: the recording is asked for again, never given up."""
    clock = FakeClock()
    provider = FakeProvider(clock)
    call_id, sid = ended_call(store, provider, clock, ended_ago_s=5)
    answer = provider.list_recordings

    async def busy_once(call_sid):
        provider.list_recordings = answer
        raise RateLimited("Twilio is rate-limiting requests", code=20429, status=429)

    provider.list_recordings = busy_once
    with pytest.raises(RateLimited):
        fetch(store, provider, clock, call_id, sid, tmp_path)
    assert stored(store, call_id).recording_state == "pending"
    results = fetch(store, provider, clock, call_id, sid, tmp_path)
    assert results.recording_state.is_downloaded
    assert stored(store, call_id).recording_state == "downloaded"
