"""The dialer against the real local Twilio emulator (through the real twilio SDK)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.dialer import CampaignStateChanged, DialerService
from app.store.models import Call, Campaign, Contact, DncEntry
from tests.dialer.conftest import call_spans, peak_overlap, provider_for, read_call_log
from tests.dialer.fakes import EXPECTED_STATUS
from tests.dialer.helpers import make_campaign, phones

POLL = 0.03


def service_for(store, emu, tmp_path, **kwargs):
    kwargs.setdefault("cps", 50)
    return DialerService(
        store,
        provider_for(emu),
        recordings_dir=tmp_path / "recordings",
        poll_interval_s=POLL,
        **kwargs,
    )


async def run_to_done(service, campaign_ids=None):
    await service.start()
    try:
        return await asyncio.wait_for(service.run_until_done(campaign_ids), 60)
    finally:
        await service.stop()
        await service.provider.close()


def test_outcomes_limits_results_and_dnc(store, tmp_path, make_emulator):
    emu = make_emulator()
    numbers = phones(20, "0123456789")
    blocked = "+12125559990"
    with store.session.begin() as session:
        session.add(DncEntry(phone=blocked, reason="asked by letter", source="manual"))
    cid, _ = make_campaign(
        store, "E2E", [*numbers, blocked], concurrency=3, per_minute=600, max_attempts=1
    )
    service = service_for(store, emu, tmp_path)
    asyncio.run(run_to_done(service))

    spans = call_spans(read_call_log(emu.call_log))
    assert sorted(to for to, _, _ in spans.values()) == sorted(numbers)  # once each, never DNC
    assert peak_overlap(spans) <= 3
    starts = sorted(start for _, start, _ in spans.values())
    # 600/min = one start every 0.1 s, as the emulator saw them arrive.
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.1 - 0.001
    with store.session() as session:
        status = {c.phone: c.status for c in session.scalars(select(Contact))}
        assert {p: status[p] for p in numbers} == {p: EXPECTED_STATUS[p[-1]] for p in numbers}
        assert status[blocked] == "queued"
        assert session.get(Campaign, cid).state == "completed"
        calls = session.scalars(select(Call)).all()
        answered = [c for c in calls if c.status == "completed"]
        assert answered and all(c.recording_state == "downloaded" for c in answered)
        assert all(c.transcript_state == "done" and c.turns for c in answered)
        assert all(
            c.recording_path and tmp_path.joinpath(c.recording_path).exists() for c in answered
        )
        # Polled (no callbacks), so no AMD: Twilio would log warning 21262 on each call and
        # tell the verdict only after it, too late for anything but the books.
        voicemail = [c for c in calls if c.contact.phone[-1] == "5"]
        assert {c.answered_by for c in voicemail} == {None}
        dnc = {d.phone: d.source for d in session.scalars(select(DncEntry))}
        assert {p for p, source in dnc.items() if source == "call"} == {
            p for p in numbers if p.endswith("9")
        }


def test_retries_up_to_max_attempts(store, tmp_path, make_emulator):
    emu = make_emulator()
    numbers = phones(4, "67")  # no answer, busy
    make_campaign(store, "Retries", numbers, concurrency=4, per_minute=600, max_attempts=2)
    asyncio.run(run_to_done(service_for(store, emu, tmp_path)))
    spans = call_spans(read_call_log(emu.call_log))
    dialled = sorted(to for to, _, _ in spans.values())
    assert dialled == sorted(numbers * 2)
    with store.session() as session:
        for contact in session.scalars(select(Contact)):
            assert contact.attempts == 2
            assert contact.status == EXPECTED_STATUS[contact.phone[-1]]
            assert contact.next_attempt_at is None


def test_pause_stops_new_dials_and_start_resumes(store, tmp_path, make_emulator):
    emu = make_emulator()
    numbers = phones(8, "0")
    cid, _ = make_campaign(store, "Pausable", numbers, concurrency=2, per_minute=600)
    service = service_for(store, emu, tmp_path)
    states = []
    service.subscribe(lambda e: states.append(e) if isinstance(e, CampaignStateChanged) else None)

    async def go():
        await service.start()
        while (
            len(read_call_log(emu.call_log)) == 0
            or len(call_spans(read_call_log(emu.call_log))) < 3
        ):
            await asyncio.sleep(0.01)
        await service.pause_campaign(cid)
        created_at_pause = len(call_spans(read_call_log(emu.call_log)))
        await asyncio.wait_for(service.run_until_done([cid]), 30)
        after_pause = call_spans(read_call_log(emu.call_log))
        # Claims already made when Pause was pressed may still go out; nothing after them.
        assert len(after_pause) <= created_at_pause + 1
        assert all(end is not None for _, _, end in after_pause.values())
        with store.session() as session:
            assert session.get(Campaign, cid).state == "paused"
            assert not session.scalars(
                select(Contact).where(Contact.status.in_(["calling", "connected"]))
            ).all()
        await service.start_campaign(cid)
        await asyncio.wait_for(service.run_until_done([cid]), 30)
        await service.stop()
        await service.provider.close()

    asyncio.run(go())
    spans = call_spans(read_call_log(emu.call_log))
    assert sorted(to for to, _, _ in spans.values()) == sorted(numbers)
    assert [s.state for s in states] == ["paused", "running", "completed"]


def test_scheduled_campaigns_start_themselves(store, tmp_path, make_emulator):
    emu = make_emulator()
    now = datetime.now(UTC)
    missed, _ = make_campaign(
        store,
        "Missed",
        per_minute=600,
        phones=phones(2, "0", "+1212556"),
        state="scheduled",
        start_at=now - timedelta(hours=2),
    )
    soon, _ = make_campaign(
        store,
        "Soon",
        per_minute=600,
        phones=phones(2, "0", "+1212557"),
        state="scheduled",
        start_at=now + timedelta(seconds=1),
    )
    later, _ = make_campaign(
        store,
        "Later",
        per_minute=600,
        phones=phones(2, "0", "+1212558"),
        state="scheduled",
        start_at=now + timedelta(days=1),
    )
    service = service_for(store, emu, tmp_path)
    messages = {}
    service.subscribe(
        lambda e: (
            messages.setdefault((e.campaign_id, e.state), e.message)
            if isinstance(e, CampaignStateChanged)
            else None
        )
    )

    async def go():
        await service.start()
        await asyncio.wait_for(service.run_until_done([missed]), 30)
        await asyncio.sleep(1.2)
        report = await asyncio.wait_for(service.run_until_done([soon]), 30)
        await service.stop()
        await service.provider.close()
        return report

    asyncio.run(go())
    assert "while CallDeck was closed" in messages[(missed, "running")]
    assert messages[(soon, "running")] == "Started at its scheduled time"
    with store.session() as session:
        assert session.get(Campaign, missed).state == "completed"
        assert session.get(Campaign, soon).state == "completed"
        assert session.get(Campaign, later).state == "scheduled"


def test_calling_window_per_contact_time_zone(store, tmp_path, make_emulator):
    emu = make_emulator()
    # A window that is open now in Los Angeles and closed in New York (3 h ahead).
    la_hour = datetime.now(ZoneInfo("America/Los_Angeles")).hour
    window = {
        "window_start": f"{la_hour:02d}:00",
        "window_end": f"{min(24, la_hour + 2):02d}:00",  # 2 h: no edge at the top of the hour
        "window_days": "mon-sun",
    }
    la, ny = "+13105550100", "+12125550100"
    cid, _ = make_campaign(store, "Windows", [la, ny], **window)
    report = asyncio.run(run_to_done(service_for(store, emu, tmp_path)))
    spans = call_spans(read_call_log(emu.call_log))
    assert [to for to, _, _ in spans.values()] == [la]
    with store.session() as session:
        status = {c.phone: c.status for c in session.scalars(select(Contact))}
        assert status == {la: "completed", ny: "queued"}
        assert session.get(Campaign, cid).state == "running"
    assert report.next_reason == "window"
    assert report.next_dial_at is not None and report.next_dial_at > datetime.now(UTC)
    assert report.next_local == f"{la_hour:02d}:00 in the contacts' time zone (New York)"


@pytest.mark.parametrize(
    ("account", "numbers", "code"),
    [
        ({"trial": True}, phones(6, "0"), 21219),
        ({"geo_block": ("GB", "FR")}, [f"+4477009001{i:02d}" for i in range(6)], 21215),
    ],
    ids=["trial-unverified", "geo-permission"],
)
def test_an_account_refusal_pauses_the_campaign_at_the_first_and_burns_nobody(
    store, tmp_path, make_emulator, account, numbers, code
):
    emu = make_emulator(**account)
    cid, _ = make_campaign(store, "Refused", numbers, concurrency=1, max_attempts=3)
    service = service_for(store, emu, tmp_path)
    changes: list[CampaignStateChanged] = []
    service.subscribe(lambda e: changes.append(e) if isinstance(e, CampaignStateChanged) else None)
    asyncio.run(run_to_done(service))
    with store.session() as session:
        assert session.get(Campaign, cid).state == "paused"
        [refused] = session.scalars(select(Call)).all()  # the first, and no other
        assert f"error {code}" in refused.error_message
        contacts = session.scalars(select(Contact)).all()
        assert {(c.status, c.attempts) for c in contacts} == {("queued", 0)}
    [paused] = [c for c in changes if c.state == "paused"]
    fix = "Verify it in the Twilio Console" if code == 21219 else "Voice Geographic Permissions"
    assert fix in paused.message


def test_a_suspended_account_pauses_the_campaign_with_the_reason(store, tmp_path, make_emulator):
    scenario = tmp_path / "suspended.json"
    scenario.write_text('{"account_status": "suspended"}', encoding="utf-8")
    emu = make_emulator(scenario=scenario)
    cid, _ = make_campaign(store, "Suspended", phones(3, "0"), concurrency=1)
    service = service_for(store, emu, tmp_path)
    changes: list[CampaignStateChanged] = []
    service.subscribe(lambda e: changes.append(e) if isinstance(e, CampaignStateChanged) else None)
    asyncio.run(run_to_done(service))
    with store.session() as session:
        assert session.get(Campaign, cid).state == "paused"
        assert {(c.status, c.attempts) for c in session.scalars(select(Contact))} == {("queued", 0)}
    [paused] = [c for c in changes if c.state == "paused"]
    assert "not active" in paused.message and "error 10001" in paused.message
