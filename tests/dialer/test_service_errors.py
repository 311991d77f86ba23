"""Provider errors, reconciliation after a crash, DNC at claim time and calling windows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.dialer import CampaignStateChanged, DialerService, DialerStatus
from app.dialer.attempt import LOST
from app.dialer.failures import NOT_PLACED
from app.domain.clock import FakeClock
from app.store.models import Call, Campaign, Contact, DncEntry
from app.telephony.errors import (
    AmbiguousCreate,
    AuthenticationFailed,
    InvalidNumber,
    NotPlaced,
    RateLimited,
)
from tests.dialer.fakes import FakeProvider
from tests.dialer.helpers import make_campaign, phones


def run_service(store, provider, clock, tmp_path, events=None, **kwargs):
    async def go():
        service = DialerService(
            store, provider, recordings_dir=tmp_path / "rec", clock=clock, cps=10, **kwargs
        )
        if events is not None:
            service.subscribe(events.append)
        await service.start()
        report = await service.run_until_done()
        await service.stop()
        return report

    return asyncio.run(go())


def contacts(store) -> dict[str, Contact]:
    with store.session() as session:
        return {c.phone: c for c in session.scalars(select(Contact))}


def calls(store) -> list[Call]:
    with store.session() as session:
        return session.scalars(select(Call).order_by(Call.id)).all()


def test_lost_create_is_found_by_search_and_never_redialled(store, tmp_path):
    number = "+12125550100"
    make_campaign(store, "Lost", [number], max_attempts=3)
    clock = FakeClock()
    provider = FakeProvider(clock, lose_after_create={number})
    run_service(store, provider, clock, tmp_path)
    assert [c.to for c in provider.calls] == [number]
    (call,) = calls(store)
    assert call.provider_sid == provider.calls[0].sid and call.status == "completed"
    assert contacts(store)[number].status == "completed"


def test_create_that_never_happened_is_given_back_and_dialled_once(store, tmp_path):
    number = "+12125550100"
    make_campaign(store, "Unplaced", [number], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock, place_errors={number: [AmbiguousCreate("lost")]})
    run_service(store, provider, clock, tmp_path)
    assert [c.to for c in provider.calls] == [number]  # the one real dial
    first, second = calls(store)
    assert (first.status, first.error_message) == ("failed", LOST)
    assert (second.attempt, second.status) == (2, "completed")
    assert contacts(store)[number].attempts == 1


def test_invalid_number_fails_with_the_providers_message_and_is_not_retried(store, tmp_path):
    number = "+12125550100"
    make_campaign(store, "Invalid", [number], max_attempts=3)
    clock = FakeClock()
    error = InvalidNumber("+12125550100 is not a valid phone number (error 21211).", code=21211)
    provider = FakeProvider(clock, place_errors={number: [error]})
    run_service(store, provider, clock, tmp_path)
    (call,) = calls(store)
    assert (call.status, call.error_code) == ("failed", 21211)
    assert "not a valid phone number" in call.error_message
    contact = contacts(store)[number]
    assert (contact.status, contact.next_attempt_at) == ("failed", None)


def test_auth_error_pauses_the_campaign_and_gives_the_contact_back(store, tmp_path):
    numbers = phones(3, "0")
    cid, _ = make_campaign(store, "Auth", numbers)
    clock = FakeClock()
    error = AuthenticationFailed("Twilio rejected the Account SID or Auth Token.", code=20003)
    provider = FakeProvider(clock, place_errors={numbers[0]: [error]})
    events = []
    run_service(store, provider, clock, tmp_path, events)
    with store.session() as session:
        assert session.get(Campaign, cid).state == "paused"
    assert provider.calls == []
    assert {c.status for c in contacts(store).values()} == {"queued"}
    paused = [e for e in events if isinstance(e, CampaignStateChanged)]
    assert paused[-1].state == "paused" and "Account SID" in paused[-1].message


def test_rate_limited_create_is_given_back_and_retried_later(store, tmp_path):
    number = "+12125550100"
    make_campaign(store, "Throttled", [number], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock, place_errors={number: [RateLimited("slow down", code=20429)]})
    run_service(store, provider, clock, tmp_path)
    assert [c.to for c in provider.calls] == [number]
    assert contacts(store)[number].status == "completed"


def test_restart_reconciles_open_attempts_without_dialling_again(store, tmp_path):
    live, lost, unplaced = "+12125550100", "+12125550110", "+12125550120"
    cid, ids = make_campaign(store, "Crashed", [live, lost, unplaced], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock)

    async def before_the_crash():
        from app.telephony.base import CallRequest

        placed_live = await provider.place_call(CallRequest(live, "+15005550006", twiml="x"))
        await provider.place_call(CallRequest(lost, "+15005550006", twiml="x"))
        return placed_live.sid

    live_sid = asyncio.run(before_the_crash())
    now = clock.now()
    with store.session.begin() as session:
        for contact_id, sid in zip(ids, [live_sid, None, None], strict=True):
            contact = session.get(Contact, contact_id)
            contact.status, contact.attempts = "calling", 1
            session.add(
                Call(
                    campaign_id=cid,
                    contact_id=contact_id,
                    attempt=1,
                    provider_sid=sid,
                    created_at=now,
                )
            )
    run_service(store, provider, clock, tmp_path)
    dialled = [c.to for c in provider.calls]
    assert sorted(dialled) == sorted([live, lost, unplaced])  # each exactly once
    with store.session() as session:
        rows = session.execute(
            select(Contact.phone, Call.attempt, Call.status, Call.error_message)
            .join(Call, Call.contact_id == Contact.id)
            .order_by(Call.id)
        ).all()
    assert (lost, 1, "completed", None) in rows
    assert (live, 1, "completed", None) in rows
    assert (unplaced, 1, "failed", NOT_PLACED) in rows
    assert (unplaced, 2, "completed", None) in rows
    assert {c.status for c in contacts(store).values()} == {"completed"}


def test_dnc_is_checked_at_claim_time(store, tmp_path):
    numbers = phones(3, "0")
    make_campaign(store, "DNC", numbers)
    with store.session.begin() as session:
        session.add(DncEntry(phone=numbers[1], reason="asked by email"))
    clock = FakeClock()
    provider = FakeProvider(clock)
    run_service(store, provider, clock, tmp_path)
    assert sorted(c.to for c in provider.calls) == sorted([numbers[0], numbers[2]])
    assert contacts(store)[numbers[1]].status == "queued"


def test_contacts_wait_for_their_window_and_are_dialled_when_it_opens(store, tmp_path):
    ny, la = "+12125550100", "+13105550100"
    make_campaign(
        store, "Hours", [ny, la], window_start="08:00", window_end="21:00", window_days="mon-sat"
    )
    # Wednesday 12:30 UTC: 07:30 in New York, 04:30 in Los Angeles.
    clock = FakeClock(datetime(2026, 11, 25, 12, 30, tzinfo=UTC))
    provider = FakeProvider(clock)
    events = []
    report = run_service(store, provider, clock, tmp_path, events)
    assert provider.calls == []
    assert report.next_reason == "window"
    assert report.next_dial_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert report.next_local == "08:00 in the contacts' time zone (New York)"
    statuses = [e.message for e in events if isinstance(e, DialerStatus)]
    assert any(
        s.startswith("Outside calling hours until 08:00 in the contacts' time zone (New York) · ")
        for s in statuses
    )

    async def through_the_morning():
        service = DialerService(store, provider, recordings_dir=tmp_path, clock=clock, cps=10)
        await service.start()
        while (report := await service.run_until_done()).next_dial_at is not None:
            await clock.sleep_until(
                clock.monotonic() + (report.next_dial_at - clock.now()).total_seconds()
            )
        await service.stop()

    asyncio.run(through_the_morning())
    started = {c.to: c.created_at for c in provider.calls}
    assert started[ny] >= datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert started[la] >= datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert started[la] < datetime(2026, 11, 25, 16, 0, tzinfo=UTC) + timedelta(minutes=1)


def test_scheduled_start_on_open_says_so(store, tmp_path):
    clock = FakeClock()
    cid, _ = make_campaign(
        store,
        "Overnight",
        phones(1, "0"),
        state="scheduled",
        start_at=clock.now() - timedelta(hours=3),
    )
    events = []
    run_service(store, FakeProvider(clock), clock, tmp_path, events)
    started = [e for e in events if isinstance(e, CampaignStateChanged) and e.state == "running"]
    assert "while CallDeck was closed" in started[0].message
    with store.session() as session:
        assert session.get(Campaign, cid).state == "completed"


def test_campaign_paused_behind_the_dialers_back_stops_dialling(store, tmp_path):
    """The GUI (or another process) pauses it in the database without telling the service."""
    numbers = phones(6, "0")
    cid, _ = make_campaign(store, "Elsewhere", numbers, concurrency=5, per_minute=60)
    clock = FakeClock()
    provider = FakeProvider(clock)

    async def go():
        service = DialerService(store, provider, recordings_dir=tmp_path, clock=clock, cps=10)
        await service.start()
        await clock.sleep_until(1.5)
        with store.session.begin() as session:
            session.get(Campaign, cid).state = "paused"
        report = await service.run_until_done()
        await service.stop()
        return report

    report = asyncio.run(go())
    assert len(provider.calls) == 2  # at 0 s and 1 s; none after the pause at 1.5 s
    assert report.states[cid] == "paused"


def test_a_create_abandoned_on_pause_is_given_back_not_failed(store, tmp_path):
    number = "+12125550100"
    cid, _ = make_campaign(store, "Paused mid-retry", [number], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock, place_errors={number: [NotPlaced("dialling stopped")]})
    run_service(store, provider, clock, tmp_path)
    # Given back (not counted as an attempt), then dialled once when dialling went on.
    assert [c.to for c in provider.calls] == [number]
    assert contacts(store)[number].status == "completed"
    with store.session() as session:
        given_back = session.scalars(select(Call).where(Call.provider_sid.is_(None))).all()
    assert [c.error_message for c in given_back] == ["not placed: dialling stopped"]


def test_the_dialer_lets_a_create_proceed_only_while_its_campaign_runs(store, tmp_path):
    number = "+12125550100"
    make_campaign(store, "Asks", [number], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock)
    run_service(store, provider, clock, tmp_path)
    [(_, request)] = provider.requests
    assert request.may_proceed is not None
    assert request.may_proceed() is False  # the run is over: a late retry must not dial
