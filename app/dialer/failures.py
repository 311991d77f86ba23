"""The dialer's ORM writes for attempts that end without an outcome from the call itself:
given back (never placed), refused by the provider, unknown to it, or results that failed.

Rare next to the per-call writes (app/dialer/writes.py), so they stay in short ORM sessions.
Every contact status change goes through app.domain.status.transition.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.dialer.writes import StatusUpdate
from app.domain.media_state import MediaKind, RecordingState, TranscriptState
from app.domain.retry import next_attempt_at
from app.domain.status import ContactStatus, transition
from app.store.models import Call, Campaign, Contact

S = ContactStatus
NOT_PLACED = "not placed (app stopped before the dial)"
INTERNAL_ERROR = "CallDeck hit an error; see the log"


def _close_as_failed(session: Session, call_id: int, reason: str, now: datetime) -> Contact:
    """End a Call row as failed with *reason* (no recording or transcript will come);
    returns its contact, whose next status the caller decides."""
    call = session.get_one(Call, call_id)
    call.status = S.FAILED.value
    call.error_message = reason
    call.ended_at = now
    call.recording_state = RecordingState.NONE.to_db()
    call.transcript_state = TranscriptState.NONE.to_db()
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
    contact = _close_as_failed(session, call_id, message, now)
    session.get_one(Call, call_id).error_code = code
    contact.status = transition(contact.status, S.FAILED).value
    contact.next_attempt_at = _retry_at(session, contact, S.FAILED, now, permanent)
    contact.updated_at = now
    return contact.id, contact.status, contact.next_attempt_at


def fail_unknown_call(session: Session, call_id: int, message: str, now: datetime) -> StatusUpdate:
    """The provider has no such call any more (its sid is unknown): close the attempt as failed."""
    contact = _close_as_failed(session, call_id, message, now)
    outcome = S.FAILED
    contact.status = transition(S(contact.status), outcome).value
    contact.next_attempt_at = _retry_at(session, contact, outcome, now, permanent=False)
    return StatusUpdate(contact.id, contact.status, True, False, contact.next_attempt_at)


def mark_results_unavailable(session: Session, call_id: int) -> None:
    """Fetching a call's recording/transcript hit a bug: say so rather than stay pending."""
    call = session.get(Call, call_id)
    if call is None:
        return
    recording = RecordingState.parse(call.recording_state)
    if recording.is_pending or recording.kind is MediaKind.UNSET:
        call.recording_state = RecordingState.unavailable(INTERNAL_ERROR).to_db()
    if TranscriptState.parse(call.transcript_state).is_pending:
        call.transcript_state = TranscriptState.unavailable(INTERNAL_ERROR).to_db()
