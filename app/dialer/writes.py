"""The dialer's per-call writes, as plain SQL through app/store/writer.py (the hot path).

Claim, sid, answered, ended and do-not-call: each runs inside the caller's short
transaction, and every contact status change goes through app.domain.status.transition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.dialer.live_call import CallIdentity, LiveCall
from app.dialer.plans import CampaignPlan, Candidate
from app.domain.campaign_settings import machine_retries
from app.domain.media_state import RecordingState, TranscriptState
from app.domain.retry import next_attempt_at
from app.domain.status import MACHINE_ANSWERS, ContactStatus, transition
from app.domain.template import contact_variables
from app.store.types import utcnow
from app.store.writer import Statement, Transaction
from app.telephony.base import CallInfo

# Stored once per answered call: the words computed once, not on every write.
_RECORDING_PENDING = RecordingState.PENDING.to_db()
_RECORDING_NONE = RecordingState.NONE.to_db()
_TRANSCRIPT_PENDING = TranscriptState.PENDING.to_db()
_TRANSCRIPT_NONE = TranscriptState.NONE.to_db()

S = ContactStatus

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
    RETURNING name, fields, extension
    """,
    timestamps=("now",),
)
# PostgreSQL, where several workers may claim: the contact's row is locked by the claim, and
# one another worker is claiming is skipped (no wait, no double claim).
_CLAIM_SKIP_LOCKED = Statement(
    """
    UPDATE contacts
    SET status = :new_status, attempts = attempts + 1, next_attempt_at = NULL, updated_at = :now
    WHERE id = (
        SELECT id FROM contacts
        WHERE id = :contact_id AND campaign_id = :campaign_id
          AND status = :old_status AND attempts = :old_attempts AND attempts < :max_attempts
          AND (status = 'queued' OR (next_attempt_at IS NOT NULL AND next_attempt_at <= :now))
        FOR UPDATE SKIP LOCKED)
      AND NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = contacts.phone)
      AND EXISTS (SELECT 1 FROM campaigns WHERE campaigns.id = :campaign_id
                  AND campaigns.state = 'running')
    RETURNING name, fields, extension
    """,
    timestamps=("now",),
)
# Attempt numbers stay unique even when an attempt that never happened was given back.
_NEW_CALL = Statement(
    """
    INSERT INTO calls (campaign_id, contact_id, attempt, status, created_at, notes, from_number,
                       simulated)
    SELECT :campaign_id, :contact_id, COALESCE(MAX(attempt), 0) + 1, 'calling', :now, '', :from_,
           :simulated
    FROM calls WHERE contact_id = :contact_id
    RETURNING id, attempt
    """,
    timestamps=("now",),
)
_PLACED = Statement(
    """
    UPDATE calls SET provider_sid = :sid, provider_status = :ps,
        agent_version_id = COALESCE(:version, agent_version_id)
    WHERE id = :id
    """
)
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
    RETURNING callback_at
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


@dataclass(frozen=True)
class StatusUpdate:
    contact_id: int
    contact_status: str | None  # set when the contact's status changed
    final: bool
    answered: bool
    retry_at: datetime | None = None


def claim_contact(
    tx: Transaction,
    plan: CampaignPlan,
    candidate: Candidate,
    now: datetime,
    *,
    simulated: bool = False,
    skip_locked: bool = False,
) -> LiveCall | None:
    """Contact -> calling with a new Call row; None when it may not be dialled right now.

    One compare-and-set UPDATE re-checks everything that may have changed since the candidate
    was read: its status and attempts, its due time, the DNC list and the campaign's state.
    *skip_locked* (a shared PostgreSQL database): FOR UPDATE SKIP LOCKED on the contact too.
    """
    if not plan.caller_id or candidate.attempts >= plan.max_attempts:
        return None
    new_status = transition(candidate.status, S.CALLING)
    claimed = tx.execute(
        _CLAIM_SKIP_LOCKED if skip_locked else _CLAIM,
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
    name, fields, extension = claimed
    call_id, attempt = tx.execute(
        _NEW_CALL,
        {
            "campaign_id": plan.id,
            "contact_id": candidate.contact_id,
            "now": now,
            "from_": plan.caller_id,
            "simulated": simulated,
        },
    ).one()
    identity = CallIdentity(
        call_id,
        plan.id,
        candidate.contact_id,
        attempt,
        candidate.phone,
        plan.caller_id,
        now,
        candidate.attempts + 1,
        plan.max_attempts,
        plan.retry_delay_min,
        contact_variables(name, json.loads(fields) if isinstance(fields, str) else fields),
        extension=extension,
        voicemail_rule=(
            (plan.voicemail_max_attempts, plan.voicemail_retry_delay_min)
            if machine_retries(plan.voicemail_mode)
            else None
        ),
    )
    return LiveCall(identity, new_status.value)


def record_placed(tx: Transaction, live: LiveCall, info: CallInfo) -> None:
    """The create was answered (or the call found by a search): remember its sid."""
    tx.execute(
        _PLACED,
        {
            "sid": info.sid,
            "ps": info.provider_status,
            "version": live.agent_version_id,
            "id": live.call_id,
        },
    )
    live.sid = info.sid


def _set_contact_status(
    tx: Transaction,
    live: LiveCall,
    new: ContactStatus,
    now: datetime,
    next_at: datetime | None | bool = False,
) -> str | None:
    """Move the contact through the transition table (compare-and-set on its status).

    *next_at* False leaves next_attempt_at alone; None or a time sets it.
    """
    current = S(live.contact_status)
    contact_id = live.contact_id
    for _ in range(2):
        if current == new:
            return None
        target = transition(current, new)
        params = {"new": target.value, "now": now, "id": contact_id, "old": current.value}
        if next_at is False:
            done = tx.execute(_CONTACT_STATUS_KEEP_NEXT, params).rowcount
        else:
            done = tx.execute(_CONTACT_STATUS, {**params, "next_at": next_at}).rowcount
        if done == 1:
            live.contact_status = target.value
            return target.value
        # Someone else changed it meanwhile: go again from what the database says.
        current = S(tx.execute(_CONTACT_STATUS_NOW, {"id": contact_id}).scalar())
    raise RuntimeError(f"contact {contact_id} keeps changing under the dialer")


def apply_call_info(tx: Transaction, live: LiveCall, info: CallInfo, now: datetime) -> StatusUpdate:
    """Fold a polled CallInfo into the Call and its contact (and into *live*)."""
    if not info.is_final:
        if S(info.status) == S.CONNECTED and S(live.contact_status) == S.CALLING:
            return _answered(tx, live, info, now)
        record_placed(tx, live, info)
        return StatusUpdate(live.contact_id, None, final=False, answered=False)
    return _ended(tx, live, info, now)


def _answered(tx: Transaction, live: LiveCall, info: CallInfo, now: datetime) -> StatusUpdate:
    changed = _set_contact_status(tx, live, S.CONNECTED, now)
    tx.execute(
        _ANSWERED,
        {
            "sid": info.sid,
            "ps": info.provider_status,
            "status": S.CONNECTED.value,
            # Seen in progress by this poll: start_time is the dial time, not the answer.
            "answered_at": now,
            "id": live.call_id,
        },
    )
    live.answered = True
    return StatusUpdate(live.contact_id, changed, final=False, answered=True)


def _ended(tx: Transaction, live: LiveCall, info: CallInfo, now: datetime) -> StatusUpdate:
    outcome = S(info.status)
    if S(live.contact_status) == S.CONNECTED and outcome not in (S.COMPLETED, S.FAILED):
        outcome = S.COMPLETED  # answered, so whatever Twilio says next it was a conversation
    answered_by = info.answered_by or live.answered_by
    if outcome == S.COMPLETED and answered_by in MACHINE_ANSWERS:
        outcome = S.VOICEMAIL  # a machine took it: its own outcome and retry rule
    answered = outcome in (S.COMPLETED, S.VOICEMAIL)  # something answered: fetch the results
    ended_at = info.end_time or now
    booked = tx.execute(
        _ENDED,
        {
            "status": outcome.value,
            "ps": info.provider_status,
            "sid": info.sid,
            "ended_at": ended_at,
            "duration_s": info.duration_s,
            "answered_by": answered_by,
            "error_code": info.error_code,
            "error_message": info.error_message,
            "recording_state": _RECORDING_PENDING if answered else _RECORDING_NONE,
            "transcript_state": _TRANSCRIPT_PENDING if answered else _TRANSCRIPT_NONE,
            "answered_at": _answer_time(info, ended_at) if answered else None,
            "id": live.call_id,
        },
    ).scalar()
    identity = live.identity
    retry_at = next_attempt_at(
        outcome,
        attempts=identity.attempts,
        max_attempts=identity.max_attempts,
        retry_delay_min=identity.retry_delay_min,
        ended_at=now,
        voicemail_rule=identity.voicemail_rule,
    )
    if outcome == S.COMPLETED and booked is not None:
        # The agent agreed a callback with the callee (app.dialer.agent_calls).
        retry_at = stored_utc(booked)
    changed = _set_contact_status(tx, live, outcome, now, next_at=retry_at)
    if changed is None:
        tx.execute(_CONTACT_NEXT, {"next_at": retry_at, "now": now, "id": live.contact_id})
    return StatusUpdate(live.contact_id, changed, True, answered, retry_at)


def _answer_time(info: CallInfo, ended_at: datetime) -> datetime:
    """When a call answered between two polls was answered: its duration counts from the
    answer, so end less duration (never before the dial, start_time)."""
    if info.duration_s is None or info.end_time is None:
        return info.start_time or ended_at
    answered = info.end_time - timedelta(seconds=info.duration_s)
    return max(answered, info.start_time) if info.start_time else answered


def stored_utc(value: datetime | str) -> datetime:
    """A UTC column read by plain SQL: naive UTC text on SQLite, a naive datetime elsewhere."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC)


def add_to_dnc(tx: Transaction, phone: str, reason: str) -> bool:
    if tx.execute(_IN_DNC, {"phone": phone}).first() is not None:
        return False
    tx.execute(_ADD_DNC, {"phone": phone, "reason": reason, "created_at": utcnow()})
    return True
