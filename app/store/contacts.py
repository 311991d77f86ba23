"""A campaign's contacts for the contacts table: the ids in order, then rows by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from app.domain.status import LIVE_STATUSES
from app.store.models import Call, Contact, ContactImport, DncEntry, TranscriptTurn

IN_FLIGHT = tuple(s.value for s in LIVE_STATUSES)  # a call in flight shows as the status


@dataclass(frozen=True)
class ContactFilter:
    status: str | None = None
    search: str = ""  # part of the phone number or the name


@dataclass(frozen=True)
class ContactRecord:
    id: int
    phone: str
    extension: str | None
    name: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    fields: dict[str, Any]
    last_call_status: str | None  # the latest finished attempt, if any
    last_call_error: str | None
    on_dnc_list: bool


def contact_ids(
    session: Session, campaign_id: int, where: ContactFilter = ContactFilter()
) -> list[int]:
    """The ids of the campaign's contacts that match, in import order."""
    query = select(Contact.id).where(Contact.campaign_id == campaign_id)
    if where.status:
        query = query.where(Contact.status == where.status)
    if where.search.strip():
        pattern = f"%{where.search.strip()}%"
        query = query.where(or_(Contact.phone.like(pattern), Contact.name.like(pattern)))
    result = session.connection().execute(query.order_by(Contact.id))
    # The raw cursor skips building 100,000 Row objects (4x faster).
    return [row[0] for row in result.cursor.fetchall()]


def contact_variables(session: Session, campaign_id: int, *, sample: int) -> list[str]:
    """The names of the contacts' extra fields, from the first *sample* contacts."""
    seen: dict[str, None] = {}
    for fields in session.scalars(
        select(Contact.fields)
        .where(Contact.campaign_id == campaign_id)
        .order_by(Contact.id)
        .limit(sample)
    ):
        seen.update(dict.fromkeys(fields or {}))
    return list(seen)


def contact_records(session: Session, ids: list[int]) -> dict[int, ContactRecord]:
    """The contacts with these ids (a deleted one is simply missing)."""
    contacts = list(session.scalars(select(Contact).where(Contact.id.in_(ids))))
    outcomes: dict[int, tuple[str, str | None]] = {}
    for contact_id, status, error in session.execute(
        select(Call.contact_id, Call.status, Call.error_message)
        .where(Call.contact_id.in_(ids), Call.status.not_in(IN_FLIGHT))
        .order_by(Call.contact_id, Call.attempt)
    ):
        outcomes[contact_id] = (status, error)  # ordered by attempt: the last one wins
    phones = [c.phone for c in contacts]
    blocked = set(session.scalars(select(DncEntry.phone).where(DncEntry.phone.in_(phones))))
    return {
        c.id: ContactRecord(
            id=c.id,
            phone=c.phone,
            extension=c.extension,
            name=c.name,
            status=c.status,
            attempts=c.attempts,
            next_attempt_at=c.next_attempt_at,
            fields=c.fields or {},
            last_call_status=outcomes.get(c.id, (None, None))[0],
            last_call_error=outcomes.get(c.id, (None, None))[1],
            on_dnc_list=c.phone in blocked,
        )
        for c in contacts
    }


# -- removing contacts, and putting them back ------------------------------------------------


@dataclass(frozen=True)
class ImportRecord:
    id: int
    source: str
    created_at: datetime
    contacts: int  # still in the campaign


@dataclass(frozen=True)
class RemovalPlan:
    """What removing some contacts would lose, for the confirmation."""

    contact_ids: list[int]
    calls: int
    recordings: int
    live: int  # contacts on a call right now: never removed

    @property
    def contacts(self) -> int:
        return len(self.contact_ids)


@dataclass
class RemovedContacts:
    """The rows a removal deleted, as plain values, so that Undo can insert them again."""

    campaign_id: int
    contacts: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    turns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.contacts)


def campaign_imports(session: Session, campaign_id: int) -> list[ImportRecord]:
    """The campaign's imports that still have contacts, newest first."""
    rows = session.execute(
        select(ContactImport.id, ContactImport.source, ContactImport.created_at, func.count())
        .join(Contact, Contact.import_id == ContactImport.id)
        .where(ContactImport.campaign_id == campaign_id)
        .group_by(ContactImport.id)
        .order_by(ContactImport.created_at.desc(), ContactImport.id.desc())
    ).all()
    return [ImportRecord(*row) for row in rows]


def matching_ids(
    session: Session,
    campaign_id: int,
    *,
    status: str | None = None,
    import_id: int | None = None,
) -> list[int]:
    """The campaign's contacts in a status, or from one import."""
    query = select(Contact.id).where(Contact.campaign_id == campaign_id)
    if status is not None:
        query = query.where(Contact.status == status)
    if import_id is not None:
        query = query.where(Contact.import_id == import_id)
    return list(session.scalars(query.order_by(Contact.id)))


def plan_removal(session: Session, campaign_id: int, ids: list[int]) -> RemovalPlan:
    """Which of *ids* can go (not those on a call now), and the calls and recordings with them."""
    removable, live = [], 0
    for chunk in _chunks(ids):
        for contact_id, status in session.execute(
            select(Contact.id, Contact.status).where(
                Contact.campaign_id == campaign_id, Contact.id.in_(chunk)
            )
        ):
            if status in IN_FLIGHT:
                live += 1
            else:
                removable.append(contact_id)
    calls = recordings = 0
    for chunk in _chunks(removable):
        calls += session.scalar(select(func.count()).where(Call.contact_id.in_(chunk))) or 0
        recordings += (
            session.scalar(
                select(func.count()).where(
                    Call.contact_id.in_(chunk), Call.recording_path.is_not(None)
                )
            )
            or 0
        )
    return RemovalPlan(sorted(removable), calls, recordings, live)


def remove_contacts(session: Session, plan: RemovalPlan, campaign_id: int) -> RemovedContacts:
    """Delete the planned contacts with their calls and transcripts; returns them for Undo.

    Contacts that went on a call since the plan was made stay."""
    removed = RemovedContacts(campaign_id)
    for chunk in _chunks(plan.contact_ids):
        still = select(Contact.id).where(Contact.id.in_(chunk), Contact.status.not_in(IN_FLIGHT))
        calls = select(Call.id).where(Call.contact_id.in_(still))
        removed.turns += _take(session, TranscriptTurn, TranscriptTurn.call_id.in_(calls))
        removed.calls += _take(session, Call, Call.contact_id.in_(still))
        removed.contacts += _take(session, Contact, Contact.id.in_(still))
    return removed


def restore_contacts(session: Session, removed: RemovedContacts) -> int:
    """Undo remove_contacts: the same rows, ids and all. A number imported again meanwhile
    keeps the new contact; the removed one (and its calls) stays removed."""
    taken = set(
        session.scalars(
            select(Contact.phone).where(
                Contact.campaign_id == removed.campaign_id,
                Contact.phone.in_([c["phone"] for c in removed.contacts]),
            )
        )
    )
    contacts = [c for c in removed.contacts if c["phone"] not in taken]
    back = {c["id"] for c in contacts}
    calls = [c for c in removed.calls if c["contact_id"] in back]
    call_ids = {c["id"] for c in calls}
    turns = [t for t in removed.turns if t["call_id"] in call_ids]
    for model, rows in ((Contact, contacts), (Call, calls), (TranscriptTurn, turns)):
        if rows:
            session.execute(insert(model.__table__), rows)
    return len(contacts)


def _take(session: Session, model, where) -> list[dict[str, Any]]:
    table = model.__table__
    rows = [dict(row._mapping) for row in session.execute(select(table).where(where))]
    if rows:
        session.execute(delete(table).where(table.c.id.in_([r["id"] for r in rows])))
    return rows


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """SQLite limits the parameters of one statement: large id lists go in pieces."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
