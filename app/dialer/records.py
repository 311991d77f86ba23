"""The dialer's database writes. Each function runs inside the caller's short transaction.

Every contact status change goes through app.domain.status.transition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain.pacing import Limits
from app.domain.retry import next_attempt_at
from app.domain.status import CampaignState, ContactStatus, transition
from app.domain.template import contact_variables, render
from app.domain.windows import CallingWindow, window_for
from app.store.campaigns import dialable_clause
from app.store.models import Agent, Call, Campaign, Contact, PhoneNumber
from app.store.types import utcnow
from app.store.writer import Statement, Transaction
from app.telephony.base import CallInfo

S = ContactStatus
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
    greeting: str  # the agent's opening line, with {{variables}} filled per contact
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
    attempts: int = 1  # the contact's attempts, this one included
    variables: dict = field(default_factory=dict)  # for the agent's {{placeholders}}


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    phone: str
    due_at: datetime | None
    status: str = S.QUEUED.value
    attempts: int = 0


def twiml_for(greeting: str | None, variables: dict | None = None) -> str:
    text = escape(render((greeting or "").strip(), variables or {}) or DEFAULT_GREETING)
    return f"<Response><Say>{text}</Say></Response>"


# Built once: the dialer re-reads its plans every few seconds.
_ACTIVE_PLANS = (
    select(
        Campaign.id,
        Campaign.name,
        Campaign.state,
        Campaign.concurrency,
        Campaign.per_minute,
        Campaign.window_start,
        Campaign.window_end,
        Campaign.window_days,
        Campaign.max_attempts,
        Campaign.retry_delay_min,
        Campaign.start_at,
        PhoneNumber.e164,
        Agent.greeting,
        Campaign.region,
    )
    .outerjoin(PhoneNumber, PhoneNumber.id == Campaign.caller_id_id)
    .outerjoin(Agent, Agent.id == Campaign.agent_id)
    .where(Campaign.state.in_((CampaignState.RUNNING.value, CampaignState.SCHEDULED.value)))
)


def active_plans(session: Session) -> dict[int, CampaignPlan]:
    """Campaigns the dialer cares about: running ones and scheduled ones, in one query
    (loading the ORM objects with their agent and caller-ID cost ~10x more)."""
    rows = session.execute(_ACTIVE_PLANS)
    return {
        row.id: CampaignPlan(
            id=row.id,
            name=row.name,
            state=row.state,
            limits=Limits(max(1, row.concurrency or 1), max(1, row.per_minute or 1)),
            window=window_for(row.window_start, row.window_end, row.window_days),
            max_attempts=row.max_attempts,
            retry_delay_min=row.retry_delay_min,
            start_at=row.start_at,
            caller_id=row.e164,
            greeting=row.greeting or "",
            region=row.region or "US",
        )
        for row in rows
    }


def dialable_candidates(session: Session, plan: CampaignPlan) -> list[Candidate]:
    rows = session.execute(
        select(Contact.id, Contact.phone, Contact.next_attempt_at, Contact.status, Contact.attempts)
        .where(Contact.campaign_id == plan.id, dialable_clause(plan.max_attempts))
        .order_by(Contact.id)
    ).all()
    return [Candidate(*row) for row in rows]


def has_live_calls(session: Session, campaign_id: int) -> bool:
    found = session.scalar(
        select(Call.id)
        .where(Call.campaign_id == campaign_id, Call.status.in_(LIVE_STATUSES))
        .limit(1)
    )
    return found is not None


# The hot statements are plain SQL, built once: composing them with the expression language
# on every call costs ~10x more CPU than running them (see benchmarks/bench_dialer.py).
_CLAIM = Statement(
    """
    UPDATE contacts
    SET status = :new_status, attempts = attempts + 1, next_attempt_at = NULL, updated_at = :now
    WHERE id = :contact_id AND campaign_id = :campaign_id
      AND status = :old_status AND attempts = :old_attempts AND attempts < :max_attempts
      AND (status = 'queued' OR (next_attempt_at IS NOT NULL AND next_attempt_at <= :now))
      AND NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = contacts.phone)
      AND EXISTS (SELECT 1 FROM campaigns WHERE campaigns.id = :campaign_id
                  AND campaigns.state = 'running')
    RETURNING name, fields
    """,
    timestamps=("now",),
)
# Attempt numbers stay unique even when an attempt that never happened was given back.
_NEW_CALL = Statement(
    """
    INSERT INTO calls (campaign_id, contact_id, attempt, status, created_at, notes, from_number)
    SELECT :campaign_id, :contact_id, COALESCE(MAX(attempt), 0) + 1, 'calling', :now, '', :from_
    FROM calls WHERE contact_id = :contact_id
    RETURNING id, attempt
    """,
    timestamps=("now",),
)
_PLACED = Statement("UPDATE calls SET provider_sid = :sid, provider_status = :ps WHERE id = :id")
_ANSWERED = Statement(
    """
    UPDATE calls SET provider_sid = :sid, provider_status = :ps, status = :status,
                     answered_at = :answered_at
    WHERE id = :id
    """,
    timestamps=("answered_at",),
)
_ENDED = Statement(
    """
    UPDATE calls SET status = :status, provider_status = :ps, provider_sid = :sid,
        ended_at = :ended_at, duration_s = :duration_s, answered_by = :answered_by,
        error_code = :error_code, error_message = :error_message,
        recording_state = :recording_state, transcript_state = :transcript_state,
        answered_at = COALESCE(answered_at, :answered_at)
    WHERE id = :id
    """,
    timestamps=("ended_at", "answered_at"),
)
_CONTACT_STATUS = Statement(
    """
    UPDATE contacts SET status = :new, next_attempt_at = :next_at, updated_at = :now
    WHERE id = :id AND status = :old
    """,
    timestamps=("now", "next_at"),
)
_CONTACT_STATUS_KEEP_NEXT = Statement(
    "UPDATE contacts SET status = :new, updated_at = :now WHERE id = :id AND status = :old",
    timestamps=("now",),
)
_CONTACT_NEXT = Statement(
    "UPDATE contacts SET next_attempt_at = :next_at, updated_at = :now WHERE id = :id",
    timestamps=("now", "next_at"),
)
_CONTACT_STATUS_NOW = Statement("SELECT status FROM contacts WHERE id = :id")
_IN_DNC = Statement("SELECT 1 FROM dnc WHERE phone = :phone")
_ADD_DNC = Statement(
    "INSERT INTO dnc (phone, reason, source, created_at) "
    "VALUES (:phone, :reason, 'call', :created_at)",
    timestamps=("created_at",),
)


def claim_contact(
    tx: Transaction, plan: CampaignPlan, candidate: Candidate, now: datetime
) -> Claim | None:
    """Contact -> calling with a new Call row; None when it may not be dialled right now.

    One compare-and-set UPDATE re-checks everything that may have changed since the candidate
    was read: its status and attempts, its due time, the DNC list and the campaign's state.
    """
    if not plan.caller_id or candidate.attempts >= plan.max_attempts:
        return None
    new_status = transition(candidate.status, S.CALLING)
    claimed = tx.execute(
        _CLAIM,
        {
            "new_status": new_status.value,
            "now": now,
            "contact_id": candidate.contact_id,
            "campaign_id": plan.id,
            "old_status": candidate.status,
            "old_attempts": candidate.attempts,
            "max_attempts": plan.max_attempts,
        },
    ).first()
    if claimed is None:
        return None
    name, fields = claimed
    call_id, attempt = tx.execute(
        _NEW_CALL,
        {
            "campaign_id": plan.id,
            "contact_id": candidate.contact_id,
            "now": now,
            "from_": plan.caller_id,
        },
    ).one()
    return Claim(
        call_id,
        plan.id,
        candidate.contact_id,
        attempt,
        candidate.phone,
        plan.caller_id,
        now,
        candidate.attempts + 1,
        contact_variables(name, json.loads(fields) if isinstance(fields, str) else fields),
    )


def record_placed(tx: Transaction, call_id: int, info: CallInfo) -> None:
    tx.execute(_PLACED, {"sid": info.sid, "ps": info.provider_status, "id": call_id})


def _close_as_failed(session: Session, call_id: int, reason: str, now: datetime) -> Contact:
    """End a Call row as failed with *reason* (no recording or transcript will come);
    returns its contact, whose next status the caller decides."""
    call = session.get_one(Call, call_id)
    call.status = S.FAILED.value
    call.error_message = reason
    call.ended_at = now
    call.recording_state = "none"
    call.transcript_state = "none"
    return session.get_one(Contact, call.contact_id)


def give_back(session: Session, call_id: int, reason: str, now: datetime) -> int:
    """The attempt never happened: fail the Call row with *reason*, contact back to queued."""
    contact = _close_as_failed(session, call_id, reason, now)
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


@dataclass
class Tracked:
    """What the dialer remembers about a live call, so status updates need no reads."""

    call_id: int
    campaign_id: int
    contact_id: int
    contact_status: str
    attempts: int
    max_attempts: int
    retry_delay_min: float
    answered: bool = False
    line_held: bool = True  # counts against the campaign's concurrency until it ends


def _set_contact_status(
    tx: Transaction,
    tracked: Tracked,
    new: ContactStatus,
    now: datetime,
    next_at: datetime | None | bool = False,
) -> str | None:
    """Move the contact through the transition table (compare-and-set on its status).

    *next_at* False leaves next_attempt_at alone; None or a time sets it.
    """
    current = S(tracked.contact_status)
    for _ in range(2):
        if current == new:
            return None
        target = transition(current, new)
        params = {"new": target.value, "now": now, "id": tracked.contact_id, "old": current.value}
        if next_at is False:
            done = tx.execute(_CONTACT_STATUS_KEEP_NEXT, params).rowcount
        else:
            done = tx.execute(_CONTACT_STATUS, {**params, "next_at": next_at}).rowcount
        if done == 1:
            tracked.contact_status = target.value
            return target.value
        # Someone else changed it meanwhile: go again from what the database says.
        current = S(tx.execute(_CONTACT_STATUS_NOW, {"id": tracked.contact_id}).scalar())
    raise RuntimeError(f"contact {tracked.contact_id} keeps changing under the dialer")


def apply_call_info(
    tx: Transaction, tracked: Tracked, info: CallInfo, now: datetime
) -> StatusUpdate:
    """Fold a polled CallInfo into the Call and its contact."""
    current = S(tracked.contact_status)
    reported = S(info.status)
    if not info.is_final:
        if reported == S.CONNECTED and current == S.CALLING:
            changed = _set_contact_status(tx, tracked, S.CONNECTED, now)
            tx.execute(
                _ANSWERED,
                {
                    "sid": info.sid,
                    "ps": info.provider_status,
                    "status": S.CONNECTED.value,
                    "answered_at": info.start_time or now,
                    "id": tracked.call_id,
                },
            )
            tracked.answered = True
            return StatusUpdate(tracked.contact_id, changed, final=False, answered=True)
        record_placed(tx, tracked.call_id, info)
        return StatusUpdate(tracked.contact_id, None, final=False, answered=False)

    outcome = reported
    if current == S.CONNECTED and outcome not in (S.COMPLETED, S.FAILED):
        outcome = S.COMPLETED  # answered, so whatever Twilio says next it was a conversation
    answered = outcome == S.COMPLETED
    ended_at = info.end_time or now
    tx.execute(
        _ENDED,
        {
            "status": outcome.value,
            "ps": info.provider_status,
            "sid": info.sid,
            "ended_at": ended_at,
            "duration_s": info.duration_s,
            "answered_by": info.answered_by,
            "error_code": info.error_code,
            "error_message": info.error_message,
            "recording_state": "pending" if answered else "none",
            "transcript_state": "pending" if answered else "none",
            "answered_at": (info.start_time or ended_at) if answered else None,
            "id": tracked.call_id,
        },
    )
    retry_at = next_attempt_at(
        outcome,
        attempts=tracked.attempts,
        max_attempts=tracked.max_attempts,
        retry_delay_min=tracked.retry_delay_min,
        ended_at=now,
    )
    changed = _set_contact_status(tx, tracked, outcome, now, next_at=retry_at)
    if changed is None:
        tx.execute(_CONTACT_NEXT, {"next_at": retry_at, "now": now, "id": tracked.contact_id})
    return StatusUpdate(tracked.contact_id, changed, True, answered, retry_at)


def fail_unknown_call(session: Session, call_id: int, message: str, now: datetime) -> StatusUpdate:
    """The provider has no such call any more (its sid is unknown): close the attempt as failed."""
    contact = _close_as_failed(session, call_id, message, now)
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
    contact_status: str = S.CALLING.value
    attempts: int = 1
    max_attempts: int = 3
    retry_delay_min: float = 30
    answered: bool = False


def open_calls(session: Session) -> list[OpenCall]:
    rows = session.execute(
        select(Call, Contact, Campaign)
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
            contact.phone,
            # The number it was dialled from; older rows fall back to the campaign's.
            call.from_number or (campaign.caller_id.e164 if campaign.caller_id else None),
            call.created_at,
            contact.status,
            contact.attempts,
            campaign.max_attempts,
            campaign.retry_delay_min,
            call.answered_at is not None,
        )
        for call, contact, campaign in rows
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


def add_to_dnc(tx: Transaction, phone: str, reason: str) -> bool:
    if tx.execute(_IN_DNC, {"phone": phone}).first() is not None:
        return False
    tx.execute(_ADD_DNC, {"phone": phone, "reason": reason, "created_at": utcnow()})
    return True
