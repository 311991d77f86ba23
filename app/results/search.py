"""The Results search box: which calls a typed text finds.

A call matches when the text is part of its contact's name or phone number, its notes or its
transcript, ignoring case. On SQLite the trigger-kept FTS5 table of migration 0010
(`call_search`, trigram tokens) answers with an index lookup; a needle shorter than a trigram,
or a database without the table (PostgreSQL), gets the same answer from LIKE over the rows.
A needle that looks like a phone number ("(202) 555-0123") also matches its digits, since
numbers are stored as E.164.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Engine, exists, literal_column, or_, select, text
from sqlalchemy.orm import Session

from app.store.models import SEARCH_TABLE, Call, Contact, TranscriptTurn

MIN_INDEXED = 3  # a trigram: shorter needles cannot use the index
_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")

_indexed: dict[Engine, bool] = {}


def search_index_kept(engine: Engine) -> bool:
    """True when the database has the trigger-kept search table (SQLite after 0010)."""
    if engine not in _indexed:
        found = False
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                found = (
                    conn.scalar(
                        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                        {"n": SEARCH_TABLE},
                    )
                    is not None
                )
        _indexed[engine] = found
    return _indexed[engine]


def needles(typed: str) -> list[str]:
    """What to look for: the typed text, and its digits when it reads as a phone number."""
    needle = typed.strip()
    if not needle:
        return []
    found = [needle]
    digits = re.sub(r"\D", "", needle)
    if _PHONE_LIKE.match(needle) and len(digits) >= MIN_INDEXED and digits != needle:
        found.append(digits)
    return found


def text_condition(session: Session, typed: str) -> ColumnElement[bool] | None:
    """A condition on Call for the typed text (None when there is nothing to look for).
    The LIKE form reads Contact, so the query must join it; the indexed form does not."""
    wanted = needles(typed)
    if not wanted:
        return None
    if _use_index(session, wanted):
        return Call.id.in_(_index_lookup(wanted))
    return or_(*(_like(n) for n in wanted))


def needs_contact_join(session: Session, typed: str) -> bool:
    wanted = needles(typed)
    return bool(wanted) and not _use_index(session, wanted)


def _use_index(session: Session, wanted: list[str]) -> bool:
    return search_index_kept(session.get_bind()) and all(len(n) >= MIN_INDEXED for n in wanted)


def _fts_phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def _index_lookup(wanted: list[str]):
    query = " OR ".join(_fts_phrase(n) for n in wanted)
    return (
        select(literal_column("rowid"))
        .select_from(text(SEARCH_TABLE))
        .where(text(f"{SEARCH_TABLE} MATCH :search_query").bindparams(search_query=query))
    )


def _escape_like(needle: str) -> str:
    return needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(needle: str) -> ColumnElement[bool]:
    pattern = f"%{_escape_like(needle)}%"
    in_transcript = exists().where(
        TranscriptTurn.call_id == Call.id, TranscriptTurn.text.ilike(pattern, escape="\\")
    )
    return or_(
        Contact.name.ilike(pattern, escape="\\"),
        Contact.phone.like(pattern, escape="\\"),
        Call.notes.ilike(pattern, escape="\\"),
        in_transcript,
    )


__all__ = [
    "MIN_INDEXED",
    "needles",
    "needs_contact_join",
    "search_index_kept",
    "text_condition",
]
