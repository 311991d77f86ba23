"""CallAttempt: one live call attempt, which releases its campaign's line exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from app.dialer import plans, writes
from app.dialer.attempt import UNKNOWN_STATUS_FINAL_S, CallAttempt
from app.dialer.context import DialerContext
from app.dialer.events import CallEnded, EventHub
from app.dialer.live_call import LiveCall
from app.domain.clock import FakeClock
from app.store.models import Call, Campaign, Contact
from app.store.writer import Writer
from app.telephony.errors import InvalidNumber, NotPlaced, TrialAccountLimit
from tests.dialer.fakes import FakeProvider
from tests.dialer.helpers import make_campaign
from tests.dialer.test_service_errors import calls, contacts, run_service

NUMBER = "+12125550100"


class RecordingHost:
    """An AttemptHost that writes down what the attempt asked of it."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def may_dial(self, campaign_id: int) -> bool:
        return True

    def create_answered(self, campaign_id: int) -> None:
        self.asked.append(("create answered", campaign_id))

    def line_released(self, campaign_id: int) -> None:
        self.asked.append(("line released", campaign_id))

    def given_back(self, campaign_id: int) -> None:
        self.asked.append(("given back", campaign_id))

    def back_off(self, campaign_id: int) -> None:
        self.asked.append(("back off", campaign_id))

    def stop_campaign(self, campaign_id: int, message: str) -> None:
        self.asked.append(("stop campaign", campaign_id))

    def note_retry(self, campaign_id: int, retry_at: datetime | None) -> None:
        self.asked.append(("note retry", campaign_id))

    def attempt_over(self, attempt: CallAttempt) -> None:
        self.asked.append(("over", attempt.live.campaign_id))

    def results_waiting(self, reason: str | None) -> None:
        self.asked.append(("results waiting", 0))

    def count(self, what: str) -> int:
        return sum(1 for asked, _ in self.asked if asked == what)


def claimed_attempt(store, tmp_path, provider, clock, **settings):
    """A fresh claim of the campaign's one contact, as the scheduler makes it."""
    cid, _ = make_campaign(store, "Attempt", [NUMBER], **settings)
    writer = Writer(store.engine)
    with store.session() as session:
        plan = plans.active_plans(session)[cid]
        (candidate,) = plans.dialable_candidates(session, plan)
    with writer.transaction() as tx:
        live = writes.claim_contact(tx, plan, candidate, clock.now())
    assert isinstance(live, LiveCall) and live.line_held
    hub = EventHub()
    ended: list[CallEnded] = []
    hub.subscribe(lambda e: ended.append(e) if isinstance(e, CallEnded) else None)
    ctx = DialerContext(store, writer, provider, clock, hub, tmp_path / "rec", 2.0)
    host = RecordingHost()
    return CallAttempt(live, ctx, host), host, ended, writer, plan


def test_a_call_followed_to_its_end_releases_its_line_once(store, tmp_path):
    clock = FakeClock()
    provider = FakeProvider(clock)
    attempt, host, ended, writer, plan = claimed_attempt(store, tmp_path, provider, clock)
    asyncio.run(attempt.dial(replace(plan, greeting="Hi {{first_name}}"), due=float("-inf")))
    attempt.release_line()  # what stop() does to every attempt it still knows
    writer.close()
    assert host.count("line released") == 1
    assert host.count("over") == 1
    assert [e.call_id for e in ended] == [attempt.live.call_id]
    assert not attempt.live.line_held and attempt.live.answered
    assert attempt.live.sid == provider.calls[0].sid
    with store.session() as session:
        call = session.get_one(Call, attempt.live.call_id)
        assert (call.status, call.recording_state) == ("completed", "downloaded")
    [(_, request)] = provider.requests
    assert request.twiml == "<Response><Say>Hi C0</Say></Response>"  # from app.agents


def test_a_create_never_placed_gives_the_line_back_once(store, tmp_path):
    clock = FakeClock()
    provider = FakeProvider(clock, place_errors={NUMBER: [NotPlaced("dialling stopped")]})
    attempt, host, ended, writer, plan = claimed_attempt(store, tmp_path, provider, clock)
    asyncio.run(attempt.dial(plan, due=float("-inf")))
    attempt.release_line()
    writer.close()
    assert host.count("line released") == 1
    assert host.count("given back") == 1 and host.count("over") == 1
    assert ended == []  # no call happened
    assert contacts(store)[NUMBER].status == "queued"


def test_a_refused_create_fails_the_attempt_and_releases_the_line_once(store, tmp_path):
    clock = FakeClock()
    error = InvalidNumber("not a valid phone number", code=21211)
    provider = FakeProvider(clock, place_errors={NUMBER: [error]})
    attempt, host, ended, writer, plan = claimed_attempt(store, tmp_path, provider, clock)
    asyncio.run(attempt.dial(plan, due=float("-inf")))
    attempt.release_line()
    writer.close()
    assert host.count("line released") == 1 and host.count("over") == 1
    assert host.count("given back") == 0
    assert len(ended) == 1
    contact = contacts(store)[NUMBER]
    assert (contact.status, contact.next_attempt_at) == ("failed", None)


def test_a_status_write_works_on_a_copy_until_it_commits(store, tmp_path):
    clock = FakeClock()
    attempt, _, _, writer, _ = claimed_attempt(store, tmp_path, FakeProvider(clock), clock)
    live = attempt.live
    draft = live.draft()
    draft.contact_status, draft.answered, draft.sid = "connected", True, "CA1"
    assert (live.contact_status, live.answered, live.sid) == ("calling", False, None)
    assert draft.identity is live.identity  # the identity never changes, so it is shared
    live.keep(draft)
    assert (live.contact_status, live.answered, live.sid) == ("connected", True, "CA1")
    writer.close()


def test_trial_one_call_at_a_time_gives_back_and_pauses_the_campaign(store, tmp_path):
    cid, _ = make_campaign(store, "Trial", [NUMBER], max_attempts=1)
    clock = FakeClock()
    error = TrialAccountLimit("Trial accounts make one call at a time.", code=10004)
    provider = FakeProvider(clock, place_errors={NUMBER: [error]})
    run_service(store, provider, clock, tmp_path)
    assert provider.calls == []
    with store.session() as session:
        assert session.get(Campaign, cid).state == "paused"
        (call,) = session.scalars(select(Call)).all()
        assert call.error_message == "not placed: Trial accounts make one call at a time."
        assert session.scalars(select(Contact.attempts)).one() == 0
    assert contacts(store)[NUMBER].status == "queued"


def test_a_status_unknown_today_ends_the_attempt_after_a_time_out(store, tmp_path):
    cid, _ = make_campaign(store, "Future", [NUMBER], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock, future_status={NUMBER: "teleported"})
    start = clock.monotonic()
    run_service(store, provider, clock, tmp_path)
    assert UNKNOWN_STATUS_FINAL_S <= clock.monotonic() - start < UNKNOWN_STATUS_FINAL_S + 60
    (call,) = calls(store)
    assert call.status == "failed" and "'teleported'" in call.error_message
    assert contacts(store)[NUMBER].status == "failed"


def test_answered_at_is_the_answer_not_the_dial(store, tmp_path):
    make_campaign(store, "Answer", [NUMBER], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock)
    run_service(store, provider, clock, tmp_path)
    (call,) = calls(store)
    (placed,) = provider.calls
    rang = (call.answered_at - placed.created_at).total_seconds()
    assert placed.ring_s <= rang <= placed.ring_s + 2.0  # within one poll of the answer


def test_a_brand_new_call_twilio_does_not_know_yet_is_asked_about_again(store, tmp_path):
    """A 404 seconds after the create does not end the attempt (its contact would be dialable
    again while the first call rings): it is polled until Twilio knows it."""
    make_campaign(store, "New", [NUMBER], max_attempts=1)
    clock = FakeClock()
    provider = FakeProvider(clock, unknown_at_first={NUMBER: 2})
    run_service(store, provider, clock, tmp_path)
    (call,) = calls(store)
    assert call.status == "completed" and len(provider.calls) == 1
