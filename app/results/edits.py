"""What the supervisor changes on a call: its disposition and its notes. Each saves at once.

Several seats may edit one call. A seat's save says what it started from (*base*: the notes
or disposition it showed); the save is a compare-and-set on `calls.revision`, and when the
value changed since, it raises EditConflict with the other seat's version instead of
overwriting it. Edits of the other field (notes vs disposition) are not conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.donotcall import asks_not_to_be_called
from app.domain.status import ContactStatus
from app.domain.team_defaults import DO_NOT_CALL
from app.settings import operator_name, team_dispositions
from app.store.models import Call, Contact, DncEntry, TranscriptTurn
from app.store.types import utcnow

VOICEMAIL = "Voicemail"
DNC_SOURCE = "disposition"


ANY: Final = object()  # a base that accepts whatever the call has (the CLI, the dialer)
CAS_ATTEMPTS = 3  # another field's save in between is retried, not reported


class EditError(ValueError):
    """A change that cannot be made; the message is for the user."""


@dataclass(frozen=True)
class Version:
    """One field of a call as a seat saved it: the text, who, when."""

    value: str
    by: str | None
    at: datetime | None


class EditConflict(EditError):
    """Another seat changed *field* since this seat read it: *theirs* is what the call has
    now, *mine* what this seat tried to save. Nothing was written."""

    def __init__(self, call_id: int, field: str, theirs: Version, mine: str) -> None:
        who = theirs.by or "someone"
        super().__init__(f"{who} changed the {field} of this call while you were editing")
        self.call_id, self.field, self.theirs, self.mine = call_id, field, theirs, mine


def _call(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise EditError(f"call {call_id} no longer exists")
    return call


def _version(call: Call, field: str) -> Version:
    if field == "notes":
        return Version(call.notes or "", call.notes_by, call.notes_at)
    return Version(call.disposition or "", call.disposition_by, call.disposition_at)


def _claim_revision(session: Session, call_id: int, field: str, base: object, mine: str) -> Call:
    """Read the call; unless its *field* still is *base*, raise EditConflict; then move its
    revision on, on condition that nobody else did in between (the compare-and-set)."""
    for _ in range(CAS_ATTEMPTS):
        call = _call(session, call_id)
        session.refresh(call)  # what the database has now, not what this session read
        theirs = _version(call, field)
        if base is not ANY and theirs.value != (base or ""):
            raise EditConflict(call_id, field, theirs, mine)
        claimed = session.execute(
            update(Call)
            .where(Call.id == call_id, Call.revision == call.revision)
            .values(revision=call.revision + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            call.revision += 1  # the row now has it; the flush below writes the same
            return call
    raise EditConflict(call_id, field, _version(call, field), mine)


def set_disposition(
    session: Session,
    call_id: int,
    disposition: str | None,
    *,
    base: object = ANY,
    by: str | None = None,
) -> Version:
    """Set (or clear) a call's disposition, if it still is *base* (see the module's note).
    "Do not call" puts the number on the DNC list; moving away from it takes off only an
    entry that this disposition added. Returns the version saved."""
    disposition = (disposition or "").strip() or None
    call = _claim_revision(session, call_id, "disposition", base, disposition or "")
    previous = call.disposition
    call.disposition = disposition
    call.disposition_by = by or operator_name(session)
    call.disposition_at = utcnow()
    phone = session.scalar(select(Contact.phone).where(Contact.id == call.contact_id))
    if disposition == DO_NOT_CALL and phone:
        if session.scalar(select(DncEntry.id).where(DncEntry.phone == phone)) is None:
            session.add(
                DncEntry(
                    phone=phone,
                    reason=f"disposition on call {call.id} by {call.disposition_by}",
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
    return _version(call, "disposition")


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
    session: Session, call_id: int, notes: str, *, base: object = ANY, by: str | None = None
) -> Version:
    """Save the call's notes, if they still are *base* (see the module's note); returns the
    notes the call now has, with who saved them and when."""
    call = _call(session, call_id)
    if (call.notes or "") == notes:
        return _version(call, "notes")
    call = _claim_revision(session, call_id, "notes", base, notes)
    if (call.notes or "") != notes:
        call.notes = notes
        call.notes_by = by or operator_name(session)
        call.notes_at = utcnow()
        session.flush()
    return _version(call, "notes")


def merge_notes(theirs: str, mine: str) -> str:
    """Both seats' notes in one text: theirs, then each line of mine they do not have."""
    have = {line.strip() for line in theirs.splitlines()}
    added = [line for line in mine.splitlines() if line.strip() and line.strip() not in have]
    return "\n".join(part for part in (theirs.rstrip(), *added) if part)


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
    """Give an ended call the supervisor has not disposed of a suggested disposition: the
    voice agent's (from its outcome, when the campaign offers it), else the obvious one;
    returns what was set."""
    call = session.get(Call, call_id)
    if call is None or call.disposition or call.status != ContactStatus.COMPLETED:
        return None
    if call.suggested_disposition and call.suggested_disposition in team_dispositions(session):
        suggestion = call.suggested_disposition  # the voice agent's, when the team offers it
    else:
        suggestion = suggested_disposition(session, call)
    if suggestion is None:
        return None
    try:  # only while no seat has chosen one: the supervisor's choice counts
        set_disposition(session, call_id, suggestion, base=None)
    except EditConflict:
        return None
    return suggestion
