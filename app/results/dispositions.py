"""The team's disposition list as calls use it: how many calls carry each one, and a rename
that takes those calls along (Settings › Defaults edits the list through these)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.store.models import Call


def disposition_usage(session: Session) -> dict[str, int]:
    """Calls per disposition, over every campaign."""
    rows = session.execute(
        select(Call.disposition, func.count())
        .where(Call.disposition.is_not(None), Call.disposition != "")
        .group_by(Call.disposition)
    )
    return {name: count for name, count in rows}


def rename_disposition(session: Session, old: str, new: str) -> int:
    """Calls marked *old* are marked *new*; returns how many."""
    result = session.execute(update(Call).where(Call.disposition == old).values(disposition=new))
    return result.rowcount or 0
