"""What the supervisor changes on a call: its disposition and its notes. Each saves at once."""

from __future__ import annotations

import getpass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.donotcall import asks_not_to_be_called
from app.domain.status import ContactStatus
from app.settings import get_setting
from app.store.models import Call, Contact, DncEntry, TranscriptTurn
from app.store.types import utcnow

VOICEMAIL = "Voicemail"
DO_NOT_CALL = "Do not call"
DNC_SOURCE = "disposition"


class EditError(ValueError):
    """A change that cannot be made; the message is for the user."""


def operator_name(session: Session) -> str:
    """Who is making changes: the operator_name setting, else the OS user."""
    name = (get_setting(session, "operator_name") or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "operator"


def _call(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise EditError(f"call {call_id} no longer exists")
    return call


def set_disposition(session: Session, call_id: int, disposition: str | None) -> None:
    """Set (or clear) a call's disposition. "Do not call" puts the number on the DNC list;
    moving away from it takes off only an entry that this disposition added."""
    call = _call(session, call_id)
    disposition = (disposition or "").strip() or None
    previous = call.disposition
    call.disposition = disposition
    phone = session.scalar(select(Contact.phone).where(Contact.id == call.contact_id))
    if disposition == DO_NOT_CALL and phone:
        if session.scalar(select(DncEntry.id).where(DncEntry.phone == phone)) is None:
            session.add(
                DncEntry(
                    phone=phone,
                    reason=f"disposition on call {call.id} by {operator_name(session)}",
                    source=DNC_SOURCE,
                )
            )
    elif previous == DO_NOT_CALL and phone:
        entry = session.scalar(
            select(DncEntry).where(DncEntry.phone == phone, DncEntry.source == DNC_SOURCE)
        )
        if entry is not None and not _other_dnc_disposition(session, phone, call.id):
            session.delete(entry)
    session.flush()


def _other_dnc_disposition(session: Session, phone: str, call_id: int) -> bool:
    """Another call to this number also says "Do not call": keep the DNC entry then."""
    found = session.scalar(
        select(Call.id)
        .join(Contact, Contact.id == Call.contact_id)
        .where(Contact.phone == phone, Call.disposition == DO_NOT_CALL, Call.id != call_id)
        .limit(1)
    )
    return found is not None


def save_notes(
    session: Session, call_id: int, notes: str, *, by: str | None = None
) -> tuple[str | None, datetime | None]:
    """Save the call's notes; returns who saved the notes the call now has, and when."""
    call = _call(session, call_id)
    if (call.notes or "") != notes:
        call.notes = notes
        call.notes_by = by or operator_name(session)
        call.notes_at = utcnow()
        session.flush()
    return call.notes_by, call.notes_at


def suggested_disposition(session: Session, call: Call) -> str | None:
    """The outcome's obvious disposition: voicemail, or a callee who asked not to be called."""
    if call.status == ContactStatus.VOICEMAIL or (call.answered_by or "").startswith("machine"):
        return VOICEMAIL
    if call.status not in (ContactStatus.COMPLETED, ContactStatus.CONNECTED):
        return None
    phone = session.scalar(select(Contact.phone).where(Contact.id == call.contact_id))
    dnc_source = session.scalar(select(DncEntry.source).where(DncEntry.phone == phone))
    if dnc_source == "call":  # the agent runtime recorded the callee's request
        return DO_NOT_CALL
    callee_lines = session.scalars(
        select(TranscriptTurn.text).where(
            TranscriptTurn.call_id == call.id, TranscriptTurn.speaker == "callee"
        )
    )
    if any(asks_not_to_be_called(text) for text in callee_lines):
        return DO_NOT_CALL
    return None


def prefill_disposition(session: Session, call_id: int) -> str | None:
    """Give an ended call without a disposition its suggested one; returns what was set."""
    call = session.get(Call, call_id)
    if call is None or call.disposition or call.status != ContactStatus.COMPLETED:
        return None
    suggestion = suggested_disposition(session, call)
    if suggestion is not None:
        set_disposition(session, call_id, suggestion)
    return suggestion
