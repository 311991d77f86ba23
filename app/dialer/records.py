"""The dialer's database writes. Each function runs inside the caller's short transaction.

Every contact status change goes through app.domain.status.transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from app.domain.pacing import Limits
from app.domain.retry import next_attempt_at
from app.domain.status import CampaignState, ContactStatus, transition
from app.domain.windows import CallingWindow, window_for
from app.store.models import Call, Campaign, Contact, DncEntry
from app.telephony.base import CallInfo

S = ContactStatus
RETRY_STATUSES = (S.NO_ANSWER.value, S.BUSY.value, S.FAILED.value)
LIVE_STATUSES = (S.CALLING.value, S.CONNECTED.value)
NOT_PLACED = "not placed (app stopped before the dial)"
DEFAULT_GREETING = "Hello, this is an automated call. Thank you for your time. Goodbye."


@dataclass(frozen=True)
class CampaignPlan:
    """What the dialer needs to know about a campaign, read once per settings change."""

    id: int
    name: str
    state: str
    limits: Limits
    window: CallingWindow
    max_attempts: int
    retry_delay_min: int
    start_at: datetime | None
    caller_id: str | None
    twiml: str
    region: str


@dataclass(frozen=True)
class Claim:
    call_id: int
    campaign_id: int
    contact_id: int
    attempt: int
    to: str
    from_: str
    claimed_at: datetime


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    phone: str
    due_at: datetime | None


def twiml_for(greeting: str | None) -> str:
    text = escape((greeting or "").strip() or DEFAULT_GREETING)
    return f"<Response><Say>{text}</Say></Response>"


def plan_of(campaign: Campaign) -> CampaignPlan:
    return CampaignPlan(
        id=campaign.id,
        name=campaign.name,
        state=campaign.state,
        limits=Limits(max(1, campaign.concurrency or 1), max(1, campaign.per_minute or 1)),
        window=window_for(campaign.window_start, campaign.window_end, campaign.window_days),
        max_attempts=campaign.max_attempts,
        retry_delay_min=campaign.retry_delay_min,
        start_at=campaign.start_at,
        caller_id=campaign.caller_id.e164 if campaign.caller_id else None,
        twiml=twiml_for(campaign.agent.greeting if campaign.agent else None),
        region=campaign.region or "US",
    )


def active_plans(session: Session) -> dict[int, CampaignPlan]:
    """Campaigns the dialer cares about: running ones and scheduled ones."""
    wanted = (CampaignState.RUNNING.value, CampaignState.SCHEDULED.value)
    campaigns = session.scalars(select(Campaign).where(Campaign.state.in_(wanted))).all()
    return {c.id: plan_of(c) for c in campaigns}


def _on_dnc():
    return exists().where(DncEntry.phone == Contact.phone)


def _dialable(max_attempts: int):
    """Queued, or waiting for a scheduled retry, with attempts left and not on the DNC list."""
    return and_(
        or_(
            Contact.status == S.QUEUED.value,
            and_(Contact.status.in_(RETRY_STATUSES), Contact.next_attempt_at.is_not(None)),
        ),
        Contact.attempts < max_attempts,
        ~_on_dnc(),
    )


def dialable_candidates(session: Session, plan: CampaignPlan) -> list[Candidate]:
    rows = session.execute(
        select(Contact.id, Contact.phone, Contact.next_attempt_at)
        .where(Contact.campaign_id == plan.id, _dialable(plan.max_attempts))
        .order_by(Contact.id)
    ).all()
    return [Candidate(cid, phone, due) for cid, phone, due in rows]


def has_dialable(session: Session, campaign_id: int) -> bool:
    """Anyone left to call, now or later (the dialer's view: retries must be scheduled)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return False
    found = session.scalar(
        select(Contact.id)
        .where(Contact.campaign_id == campaign_id, _dialable(campaign.max_attempts))
        .limit(1)
    )
    return found is not None


def has_live_calls(session: Session, campaign_id: int) -> bool:
    found = session.scalar(
        select(Call.id)
        .where(Call.campaign_id == campaign_id, Call.status.in_(LIVE_STATUSES))
        .limit(1)
    )
    return found is not None


def claim_contact(
    session: Session, plan: CampaignPlan, contact_id: int, now: datetime
) -> Claim | None:
    """Contact -> calling with a new Call row; None when it may not be dialled right now."""
    state = session.scalar(select(Campaign.state).where(Campaign.id == plan.id))
    if state != CampaignState.RUNNING.value or not plan.caller_id:
        return None
    contact = session.get(Contact, contact_id)
    if contact is None or contact.campaign_id != plan.id:
        return None
    status = S(contact.status)
    if contact.attempts >= plan.max_attempts:
        return None
    if status != S.QUEUED and not (
        status.value in RETRY_STATUSES
        and contact.next_attempt_at is not None
        and contact.next_attempt_at <= now
    ):
        return None
    if session.scalar(select(DncEntry.id).where(DncEntry.phone == contact.phone)) is not None:
        return None
    # Attempt numbers stay unique even when an attempt that never happened was given back.
    last = session.scalar(select(func.max(Call.attempt)).where(Call.contact_id == contact.id))
    contact.status = transition(status, S.CALLING).value
    contact.attempts += 1
    contact.next_attempt_at = None
    contact.updated_at = now
    call = Call(
        campaign_id=plan.id,
        contact_id=contact.id,
        attempt=(last or 0) + 1,
        status=S.CALLING.value,
        created_at=now,
    )
    session.add(call)
    session.flush()
    return Claim(call.id, plan.id, contact.id, call.attempt, contact.phone, plan.caller_id, now)


def record_placed(session: Session, call_id: int, info: CallInfo) -> None:
    session.execute(
        update(Call)
        .where(Call.id == call_id)
        .values(provider_sid=info.sid, provider_status=info.provider_status)
    )


def give_back(session: Session, call_id: int, reason: str, now: datetime) -> int:
    """The attempt never happened: fail the Call row with *reason*, contact back to queued."""
    call = session.get_one(Call, call_id)
    contact = session.get_one(Contact, call.contact_id)
    call.status = S.FAILED.value
    call.error_message = reason
    call.ended_at = now
    call.recording_state = "none"
    call.transcript_state = "none"
    contact.status = transition(contact.status, S.QUEUED).value
    contact.attempts = max(0, contact.attempts - 1)
    contact.updated_at = now
    return contact.id


def _retry_at(
    session: Session, contact: Contact, outcome: ContactStatus, now: datetime, permanent: bool
) -> datetime | None:
    campaign = session.get_one(Campaign, contact.campaign_id)
    return next_attempt_at(
        outcome,
        attempts=contact.attempts,
        max_attempts=campaign.max_attempts,
        retry_delay_min=campaign.retry_delay_min,
        ended_at=now,
        permanent=permanent,
    )


def fail_attempt(
    session: Session,
    call_id: int,
    message: str,
    code: int | None,
    now: datetime,
    *,
    permanent: bool,
) -> tuple[int, str, datetime | None]:
    """The provider refused this call: the attempt failed. Returns (contact, status, retry)."""
    call = session.get_one(Call, call_id)
    contact = session.get_one(Contact, call.contact_id)
    call.status = S.FAILED.value
    call.error_code = code
    call.error_message = message
    call.ended_at = now
    call.recording_state = "none"
    call.transcript_state = "none"
    contact.status = transition(contact.status, S.FAILED).value
    contact.next_attempt_at = _retry_at(session, contact, S.FAILED, now, permanent)
    contact.updated_at = now
    return contact.id, contact.status, contact.next_attempt_at


@dataclass(frozen=True)
class StatusUpdate:
    contact_id: int
    contact_status: str | None  # set when the contact's status changed
    final: bool
    answered: bool
    retry_at: datetime | None = None


def apply_call_info(session: Session, call_id: int, info: CallInfo, now: datetime) -> StatusUpdate:
    """Fold a polled CallInfo into the Call and its contact."""
    call = session.get_one(Call, call_id)
    contact = session.get_one(Contact, call.contact_id)
    call.provider_status = info.provider_status
    if call.provider_sid is None:
        call.provider_sid = info.sid
    current = S(contact.status)
    reported = S(info.status)
    if not info.is_final:
        if reported == S.CONNECTED and current == S.CALLING:
            contact.status = transition(current, S.CONNECTED).value
            contact.updated_at = now
            call.status = S.CONNECTED.value
            call.answered_at = info.start_time or now
            return StatusUpdate(contact.id, contact.status, final=False, answered=True)
        return StatusUpdate(contact.id, None, final=False, answered=False)

    outcome = reported
    if current == S.CONNECTED and outcome not in (S.COMPLETED, S.FAILED):
        outcome = S.COMPLETED  # answered, so whatever Twilio says next it was a conversation
    answered = outcome == S.COMPLETED
    call.status = outcome.value
    call.ended_at = info.end_time or now
    call.duration_s = info.duration_s
    call.answered_by = info.answered_by
    call.error_code = info.error_code
    call.error_message = info.error_message
    if answered and call.answered_at is None:
        call.answered_at = info.start_time or call.ended_at
    call.recording_state = "pending" if answered else "none"
    call.transcript_state = "pending" if answered else "none"
    changed = None
    if current != outcome:
        contact.status = transition(current, outcome).value
        changed = contact.status
    contact.next_attempt_at = _retry_at(session, contact, outcome, now, permanent=False)
    contact.updated_at = now
    return StatusUpdate(contact.id, changed, True, answered, contact.next_attempt_at)


def fail_unknown_call(session: Session, call_id: int, message: str, now: datetime) -> StatusUpdate:
    """The provider has no such call any more (its sid is unknown): close the attempt as failed."""
    call = session.get_one(Call, call_id)
    contact = session.get_one(Contact, call.contact_id)
    call.status = S.FAILED.value
    call.error_message = message
    call.ended_at = now
    call.recording_state = "none"
    call.transcript_state = "none"
    current = S(contact.status)
    outcome = S.FAILED
    contact.status = transition(current, outcome).value
    contact.next_attempt_at = _retry_at(session, contact, outcome, now, permanent=False)
    return StatusUpdate(contact.id, contact.status, True, False, contact.next_attempt_at)


@dataclass(frozen=True)
class OpenCall:
    """A Call without a final status, found at start-up."""

    call_id: int
    campaign_id: int
    contact_id: int
    attempt: int
    sid: str | None
    to: str
    from_: str | None
    created_at: datetime


def open_calls(session: Session) -> list[OpenCall]:
    rows = session.execute(
        select(Call, Contact.phone, Campaign)
        .join(Contact, Contact.id == Call.contact_id)
        .join(Campaign, Campaign.id == Call.campaign_id)
        .where(Call.status.in_(LIVE_STATUSES))
        .order_by(Call.contact_id, Call.attempt)
    ).all()
    return [
        OpenCall(
            call.id,
            call.campaign_id,
            call.contact_id,
            call.attempt,
            call.provider_sid,
            phone,
            campaign.caller_id.e164 if campaign.caller_id else None,
            call.created_at,
        )
        for call, phone, campaign in rows
    ]


def known_sids(session: Session, sids: list[str]) -> set[str]:
    if not sids:
        return set()
    return set(session.scalars(select(Call.provider_sid).where(Call.provider_sid.in_(sids))))


def pending_results(session: Session) -> list[tuple[int, int, int, str]]:
    """Final calls whose recording/transcript were not fetched yet: (call, campaign, contact, sid)."""
    rows = session.execute(
        select(Call.id, Call.campaign_id, Call.contact_id, Call.provider_sid).where(
            Call.status.not_in(LIVE_STATUSES),
            Call.provider_sid.is_not(None),
            or_(Call.recording_state == "pending", Call.transcript_state == "pending"),
        )
    ).all()
    return [tuple(r) for r in rows]


def last_starts(session: Session) -> dict[int, datetime]:
    """When each campaign last created a call (to keep pacing across a restart)."""
    rows = session.execute(
        select(Call.campaign_id, func.max(Call.created_at)).group_by(Call.campaign_id)
    )
    return {cid: at for cid, at in rows if at is not None}


def add_to_dnc(session: Session, phone: str, reason: str) -> bool:
    if session.scalar(select(DncEntry.id).where(DncEntry.phone == phone)) is not None:
        return False
    session.add(DncEntry(phone=phone, reason=reason, source="call"))
    return True
