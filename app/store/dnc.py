"""The do-not-call list: every entry with where it came from and why, for the DNC page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app.store.models import Campaign, Contact, DncEntry

# What each source means, in the words the page shows.
SOURCE_LABELS = {
    "manual": "Added by hand",
    "import": "Imported",
    "call": "Asked on a call",
    "disposition": "Do not call disposition",
}


@dataclass(frozen=True)
class DncRecord:
    phone: str
    source: str
    reason: str  # the evidence: the callee's words, the file, who set the disposition
    created_at: datetime

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


def list_entries(session: Session, search: str = "") -> list[DncRecord]:
    """Every entry (newest first) whose number, reason or source contains *search*."""
    query = select(DncEntry.phone, DncEntry.source, DncEntry.reason, DncEntry.created_at)
    words = search.strip()
    if words:
        pattern = f"%{words}%"
        query = query.where(
            or_(
                DncEntry.phone.like(pattern),
                DncEntry.reason.like(pattern),
                DncEntry.source.like(pattern),
            )
        )
    rows = session.execute(query.order_by(DncEntry.created_at.desc(), DncEntry.id.desc()))
    return [DncRecord(*row) for row in rows]


def count_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(DncEntry)) or 0


def known_phones(session: Session) -> set[str]:
    return set(session.scalars(select(DncEntry.phone)))


def add_entries(session: Session, records: list[DncRecord]) -> int:
    """Add the numbers not on the list yet (an existing entry keeps its evidence)."""
    present = known_phones(session)
    added = 0
    for record in records:
        if record.phone in present:
            continue
        present.add(record.phone)
        session.add(
            DncEntry(
                phone=record.phone,
                source=record.source,
                reason=record.reason,
                created_at=record.created_at,
            )
        )
        added += 1
    session.flush()
    return added


def remove_entries(session: Session, phones: list[str]) -> list[DncRecord]:
    """Take numbers off the list; returns the entries removed, for Undo (add_entries)."""
    removed = [
        DncRecord(*row)
        for row in session.execute(
            select(DncEntry.phone, DncEntry.source, DncEntry.reason, DncEntry.created_at).where(
                DncEntry.phone.in_(phones)
            )
        )
    ]
    session.execute(delete(DncEntry).where(DncEntry.phone.in_(phones)))
    return removed


def campaigns_calling(session: Session, phones: list[str]) -> list[tuple[str, int]]:
    """The campaigns with contacts at these numbers (name, how many): who may call them again."""
    rows = session.execute(
        select(Campaign.name, func.count())
        .join(Contact, Contact.campaign_id == Campaign.id)
        .where(Contact.phone.in_(phones))
        .group_by(Campaign.id)
        .order_by(Campaign.name)
    )
    return [(name, n) for name, n in rows]
