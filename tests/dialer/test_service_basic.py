"""DialerService against the fake provider on a fake clock: the whole lifecycle of calls."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest
from sqlalchemy import select

from app.dialer import (
    CallEnded,
    CampaignStateChanged,
    ContactChanged,
    DialerService,
    DialerStatus,
)
from app.dialer import service as service_module
from app.domain.clock import FakeClock
from app.store.models import Call, Campaign, Contact, DncEntry, TranscriptTurn
from app.store.writer import Writer
from tests.dialer.fakes import EXPECTED_STATUS, FakeProvider
from tests.dialer.helpers import make_campaign, phones


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("direct", [True, False], ids=["direct-sqlite", "via-sqlalchemy"])
def test_every_outcome_is_stored_with_results(store, tmp_path, monkeypatch, direct):
    # The dialer writes straight to SQLite; other databases take the SQLAlchemy path.
    monkeypatch.setattr(service_module, "Writer", partial(Writer, direct=direct))
    numbers = phones(10, "0123456789")
    cid, _ = make_campaign(
        store, "All outcomes", numbers, concurrency=3, per_minute=60, max_attempts=1
    )
    clock = FakeClock()
    provider = FakeProvider(clock)
    events = []

    async def go():
        service = DialerService(
            store, provider, recordings_dir=tmp_path / "rec", clock=clock, cps=10
        )
        service.subscribe(events.append)
        await service.start()
        await service.run_until_done()
        await service.stop()

    run(go())
    with store.session() as session:
        contacts = session.scalars(select(Contact).order_by(Contact.id)).all()
        assert {c.phone: c.status for c in contacts} == {p: EXPECTED_STATUS[p[-1]] for p in numbers}
        assert session.get(Campaign, cid).state == "completed"
        calls = session.scalars(select(Call)).all()
        assert len(calls) == 10
        by_phone = {c.contact.phone: c for c in calls}
        voicemail = by_phone[numbers[5]]
        assert voicemail.answered_by is None  # polled: no AMD asked for (see test_voicemail)
        assert voicemail.recording_state == "downloaded"
        assert (tmp_path / "rec").joinpath(voicemail.recording_path).exists()
        assert by_phone[numbers[6]].recording_state == "none"
        assert by_phone[numbers[8]].error_code == 31000
        turns = session.scalars(
            select(TranscriptTurn).where(TranscriptTurn.call_id == by_phone[numbers[0]].id)
        ).all()
        assert [t.speaker for t in turns] == ["agent", "callee"]
        dnc = session.scalars(select(DncEntry)).all()
        assert [(d.phone, d.source) for d in dnc] == [(numbers[9], "call")]
        assert dnc[0].reason.startswith('asked on the call of 2026-11-25: "Please do not call')
    assert len([e for e in events if isinstance(e, CallEnded)]) == 10
    assert any(isinstance(e, CampaignStateChanged) and e.state == "completed" for e in events)
    statuses = [e.status for e in events if isinstance(e, ContactChanged) and e.contact_id == 1]
    assert statuses == ["calling", "connected", "completed"]
    assert provider.max_overlap() <= 3
    lines = [e.message for e in events if isinstance(e, DialerStatus)]
    assert "Dialing 1 of 3 lines · next call in 1 s" in lines
    assert "Dialing 3 of 3 lines" in lines
    assert lines[-1] == "Idle: no campaign running"


def test_limit_and_cps_changes_take_effect_at_once(store, tmp_path):
    from app.store.models import Campaign as CampaignRow

    numbers = phones(12, "0")
    cid, _ = make_campaign(store, "Live edits", numbers, concurrency=5, per_minute=60)
    clock = FakeClock()
    provider = FakeProvider(clock, talk_s=5.0)

    async def go():
        service = DialerService(store, provider, recordings_dir=tmp_path, clock=clock, cps=10)
        await service.start()
        await clock.sleep_until(10.5)  # ~11 starts at 1/s... but only 5 lines
        with store.session.begin() as session:
            session.get(CampaignRow, cid).per_minute = 6  # one every 10 s from now
        service.wake()
        await clock.sleep_until(12.0)
        service.set_cps(0.05)  # and the account allows one every 20 s
        await service.run_until_done()
        await service.stop()

    run(go())
    starts = provider.starts()
    after_edit = [t for t in starts if t > 10.5]
    before = [t for t in starts if t <= 10.5]
    assert after_edit and after_edit[0] - before[-1] >= 10.0
    assert all(b - a >= 20.0 for a, b in zip(after_edit, after_edit[1:], strict=False))
    assert all(b - a >= 1.0 for a, b in zip(starts, starts[1:], strict=False))


def test_stop_while_results_are_being_fetched_then_start_again(store, tmp_path):
    """stop() mid-way leaves nothing half-done: the next start finishes the results."""
    from app.store.models import Call as CallRow

    numbers = phones(4, "0")
    make_campaign(store, "Stop-start", numbers, concurrency=4, per_minute=600, max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock, talk_s=5.0)
    slow = asyncio.Event()
    transcribe = provider.transcribe

    async def stuck_transcribe(recording):
        await slow.wait()  # the first results fetch never finishes before stop()
        return await transcribe(recording)

    provider.transcribe = stuck_transcribe

    async def first_run():
        service = DialerService(store, provider, recordings_dir=tmp_path, clock=clock, cps=10)
        await service.start()
        await clock.sleep_until(60)
        await service.stop()

    async def second_run():
        provider.transcribe = transcribe
        service = DialerService(store, provider, recordings_dir=tmp_path, clock=clock, cps=10)
        await service.start()
        await service.run_until_done()
        await service.stop()

    run(first_run())
    with store.session() as session:
        assert {c.recording_state for c in session.scalars(select(CallRow))} == {"pending"}
    run(second_run())
    with store.session() as session:
        calls = session.scalars(select(CallRow)).all()
        assert {(c.status, c.recording_state, c.transcript_state) for c in calls} == {
            ("completed", "downloaded", "done")
        }
    assert len(provider.calls) == 4
