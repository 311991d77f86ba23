"""The Results search box: which calls a typed text finds.

A call matches when the text is part of its contact's name or phone number, its notes or its
transcript, ignoring case. The trigger-kept `call_search` table of migration 0008 answers
with an index lookup: FTS5 trigram tokens on SQLite, a pg_trgm GIN index under ILIKE on
PostgreSQL (Backend.text_search says which); a needle shorter than a trigram, or a database
without the table, gets the same answer from LIKE over the rows.
A needle that looks like a phone number ("(202) 555-0123") also matches its digits, since
numbers are stored as E.164.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, exists, literal_column, or_, select, text
from sqlalchemy.orm import Session

from app.store.backend import Backend
from app.store.models import SEARCH_TABLE, Call, Contact, TranscriptTurn

MIN_INDEXED = 3  # a trigram: shorter needles cannot use the index
_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")

_indexed: dict[Engine, bool] = {}
_TABLE_EXISTS = {
    "fts5": text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
    "trigram": text("SELECT 1 WHERE to_regclass(:n) IS NOT NULL"),
}


def search_index_kept(engine: Engine) -> bool:
    """True when the database has the trigger-kept search table (migration 0008)."""
    if engine not in _indexed:
        kind = Backend(engine.url).text_search
        found = False
        if kind is not None:
            with engine.connect() as conn:
                found = conn.scalar(_TABLE_EXISTS[kind], {"n": SEARCH_TABLE}) is not None
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


@dataclass(frozen=True)
class TextMatch:
    """A condition on Call for the typed text. `indexed`: it is the FTS lookup, which must
    drive the query (see campaign_condition); otherwise it is LIKE over Contact's columns
    too, so the query must join Contact."""

    condition: ColumnElement[bool]
    indexed: bool


def text_match(session: Session, typed: str, call_id: int | None = None) -> TextMatch | None:
    """How to find the typed text (None when there is nothing to look for). With *call_id*,
    the index is asked about that one call only (a live update of a row)."""
    wanted = needles(typed)
    if not wanted:
        return None
    engine = session.get_bind()
    if search_index_kept(engine) and all(len(n) >= MIN_INDEXED for n in wanted):
        fts5 = Backend(engine.url).text_search == "fts5"
        lookup = _fts_lookup if fts5 else _trigram_lookup
        return TextMatch(Call.id.in_(lookup(wanted, call_id)), indexed=True)
    return TextMatch(or_(*(_like(n) for n in wanted)), indexed=False)


def campaign_condition(campaign_id: int, match: TextMatch | None) -> ColumnElement[bool]:
    """The campaign's calls. Beside an index lookup the campaign test is written so SQLite
    cannot use an index for it: without statistics it takes campaign_id = ? for a handful of
    rows and would walk all of a 1,000,000-call campaign to test each id against the matches,
    instead of fetching the few matches by id."""
    if match is not None and match.indexed:
        return Call.campaign_id + 0 == campaign_id
    return Call.campaign_id == campaign_id


def _fts_phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def _trigram_lookup(wanted: list[str], call_id: int | None):
    document = literal_column("document")
    lookup = (
        select(literal_column("call_id"))
        .select_from(text(SEARCH_TABLE))
        .where(or_(*(document.ilike(f"%{_escape_like(n)}%", escape="\\") for n in wanted)))
    )
    return lookup if call_id is None else lookup.where(literal_column("call_id") == call_id)


def _fts_lookup(wanted: list[str], call_id: int | None):
    query = " OR ".join(_fts_phrase(n) for n in wanted)
    rowid = literal_column("rowid")
    lookup = (
        select(rowid)
        .select_from(text(SEARCH_TABLE))
        .where(text(f"{SEARCH_TABLE} MATCH :search_query").bindparams(search_query=query))
    )
    return lookup if call_id is None else lookup.where(rowid == call_id)


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
    "TextMatch",
    "campaign_condition",
    "needles",
    "search_index_kept",
    "text_match",
]
