"""The Results search: the trigger-kept FTS5 index answers like the LIKE search over the rows
(the form PostgreSQL and short needles use), and follows every write."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.results import search
from app.results.calls import CallFilter, call_ids, call_matches, count_calls
from app.results.edits import save_notes
from app.store.models import Call, Contact, TranscriptTurn

NEEDLES = [
    "contact 03",  # name, any case
    "CONTACT",
    "5550004",  # phone digits
    "(202) 555-0005",  # a phone as people write it: its digits match
    "+1202",
    "spring offer",  # transcript
    "SEND ME",
    "gold plan",
    "nothing like this",
    "ab",  # shorter than a trigram: LIKE even on SQLite
    "5",
    "100%",  # LIKE's wildcards are plain characters
    'say "hi"',  # FTS quotes are plain characters
]


def found(session, campaign_id: int, text: str) -> list[int]:
    return call_ids(session, campaign_id, CallFilter(text=text), descending=False)


@pytest.fixture
def like_only(store, monkeypatch):
    """The same database searched as if it had no index (PostgreSQL's path)."""

    def run(fn):
        monkeypatch.setitem(search._indexed, store.engine, False)
        try:
            return fn()
        finally:
            monkeypatch.setitem(search._indexed, store.engine, True)

    return run


def test_the_index_is_used_on_sqlite(store, seeded):
    assert search.search_index_kept(store.engine)
    with store.session() as session:
        assert search.text_match(session, "contact").indexed
        assert not search.text_match(session, "ab").indexed  # too short for a trigram
        assert search.text_match(session, "  ") is None


def test_the_index_drives_the_query(store, seeded):
    """SQLite fetches the matches by id rather than walking the campaign's calls."""
    with store.session() as session:
        match = search.text_match(session, "contact 03")
        query = (
            select(Call.id)
            .where(search.campaign_condition(seeded.campaign_id, match), match.condition)
            .order_by(Call.created_at.desc())
        )
        sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert plan[0] == "SEARCH calls USING INTEGER PRIMARY KEY (rowid=?)"


def test_index_and_like_agree_on_every_needle(store, seeded, like_only):
    with store.session.begin() as session:
        save_notes(session, seeded.call_ids[4], "Wants 100% of the refund", by="x")
        save_notes(session, seeded.call_ids[5], 'Asked us to say "hi" to Ab', by="x")
    with store.session() as session:
        for needle in NEEDLES:
            indexed = found(session, seeded.campaign_id, needle)
            assert indexed == like_only(lambda n=needle: found(session, seeded.campaign_id, n))
            assert count_calls(session, seeded.campaign_id, CallFilter(text=needle)) == len(indexed)
        assert found(session, seeded.campaign_id, "contact 03") == [seeded.call_ids[3]]
        assert found(session, seeded.campaign_id, "(202) 555-0005") == [seeded.call_ids[5]]
        assert found(session, seeded.campaign_id, "spring offer") == [seeded.recorded_call_id]
        assert found(session, seeded.campaign_id, "100%") == [seeded.call_ids[4]]
        assert found(session, seeded.campaign_id, 'say "hi"') == [seeded.call_ids[5]]


def test_text_combines_with_status_and_one_call_check(store, seeded):
    with store.session() as session:
        completed = CallFilter(status="completed", text="contact")
        ids = call_ids(session, seeded.campaign_id, completed)
        statuses = set(
            session.scalars(select(Call.status).where(Call.id.in_(ids)))
        )  # only what both select
        assert ids and statuses == {"completed"}
        assert call_matches(session, ids[0], seeded.campaign_id, completed)
        assert not call_matches(
            session, ids[0], seeded.campaign_id, CallFilter(text="nothing like this")
        )


def test_the_index_follows_renames_notes_turns_and_deletes(store, seeded):
    first = seeded.recorded_call_id
    with store.session.begin() as session:
        contact = session.get_one(Contact, session.get_one(Call, first).contact_id)
        contact.name, contact.phone = "Zoë Quartermaine", "+447700900123"
        save_notes(session, seeded.call_ids[2], "asked about Zanzibar", by="x")
        session.add(TranscriptTurn(call_id=seeded.call_ids[3], speaker="callee", text="Quokka!"))
    with store.session() as session:
        assert found(session, seeded.campaign_id, "zoë quarter") == [first]
        assert found(session, seeded.campaign_id, "7700900") == [first]
        assert found(session, seeded.campaign_id, "contact 00") == []
        assert found(session, seeded.campaign_id, "zanzibar") == [seeded.call_ids[2]]
        assert found(session, seeded.campaign_id, "quokka") == [seeded.call_ids[3]]
    with store.session.begin() as session:
        session.execute(delete(TranscriptTurn).where(TranscriptTurn.call_id == first))
        save_notes(session, seeded.call_ids[2], "", by="x")
        session.delete(session.get_one(Call, seeded.call_ids[3]))
    with store.session() as session:
        assert found(session, seeded.campaign_id, "spring offer") == []
        assert found(session, seeded.campaign_id, "zanzibar") == []
        assert found(session, seeded.campaign_id, "quokka") == []


def test_a_phone_like_needle_also_matches_its_digits():
    assert search.needles(" (202) 555-0123 ") == ["(202) 555-0123", "2025550123"]
    assert search.needles("Ada") == ["Ada"]
    assert search.needles("12") == ["12"]
    assert search.needles("   ") == []
