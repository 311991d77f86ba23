"""What recovery reads at start-up: the calls a previous run left open or without results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.dialer.live_call import CallIdentity, LiveCall
from app.domain.media_state import RecordingState, TranscriptState
from app.domain.status import LIVE_STATUSES
from app.store.models import Call, Campaign, Contact, PhoneNumber

_CALLS_WITH_CONTACT = (
    select(
        Call.id,
        Call.campaign_id,
        Call.contact_id,
        Call.attempt,
        Contact.phone,
        # The number it was dialled from; older rows fall back to the campaign's.
        func.coalesce(Call.from_number, PhoneNumber.e164),
        Call.created_at,
        Contact.attempts,
        Campaign.max_attempts,
        Campaign.retry_delay_min,
        Contact.status,
        Call.provider_sid,
        Call.answered_at,
    )
    .join(Contact, Contact.id == Call.contact_id)
    .join(Campaign, Campaign.id == Call.campaign_id)
    .outerjoin(PhoneNumber, PhoneNumber.id == Campaign.caller_id_id)
)


def _live_calls(
    session: Session, *where, line_held: bool, campaign_ids: set[int] | None
) -> list[LiveCall]:
    query = _CALLS_WITH_CONTACT.where(*where)
    if campaign_ids is not None:
        query = query.where(Call.campaign_id.in_(sorted(campaign_ids)))
    rows = session.execute(query.order_by(Call.contact_id, Call.attempt)).all()
    calls = []
    for row in rows:
        contact_status, sid, answered_at = row[10:]
        identity = CallIdentity(*row[:10])
        answered = answered_at is not None
        calls.append(LiveCall(identity, contact_status, sid, answered, line_held))
    return calls


def open_calls(session: Session, campaign_ids: set[int] | None = None) -> list[LiveCall]:
    """Calls without a final status: each still holds a line of its campaign.
    *campaign_ids*: only theirs (None: every campaign's)."""
    return _live_calls(
        session, Call.status.in_(LIVE_STATUSES), line_held=True, campaign_ids=campaign_ids
    )


def pending_results(session: Session, campaign_ids: set[int] | None = None) -> list[LiveCall]:
    """Final calls whose recording/transcript were not fetched yet (they hold no line)."""
    return _live_calls(
        session,
        Call.status.not_in(LIVE_STATUSES),
        Call.provider_sid.is_not(None),
        or_(
            Call.recording_state == RecordingState.PENDING.to_db(),
            Call.transcript_state == TranscriptState.PENDING.to_db(),
        ),
        line_held=False,
        campaign_ids=campaign_ids,
    )


def known_sids(session: Session, sids: list[str]) -> set[str]:
    if not sids:
        return set()
    return set(session.scalars(select(Call.provider_sid).where(Call.provider_sid.in_(sids))))


def last_starts(session: Session, campaign_ids: set[int] | None = None) -> dict[int, datetime]:
    """When each campaign last created a call (to keep pacing across a restart)."""
    query = select(Call.campaign_id, func.max(Call.created_at)).group_by(Call.campaign_id)
    if campaign_ids is not None:
        query = query.where(Call.campaign_id.in_(sorted(campaign_ids)))
    rows = session.execute(query)
    return {cid: at for cid, at in rows if at is not None}
