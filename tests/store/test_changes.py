"""The change feed: two store sessions on one SQLite file are two seats."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.results.edits import save_notes, set_disposition
from app.store import changes
from app.store.campaigns import create_campaign
from app.store.changes import ChangeFeed, SeatChanges, prune_changes
from app.store.engine import open_store
from app.store.models import Call, Campaign, Contact, SeatChange
from app.store.types import utcnow


@pytest.fixture
def other_seat(store, home):
    """A second store on the same database file, as a second GUI opens it."""
    seat = open_store(home)
    yield seat
    seat.dispose()


def add_call(store, campaign_id: int, phone: str = "+14155550101") -> int:
    with store.session.begin() as session:
        contact = Contact(campaign_id=campaign_id, name="Ada", phone=phone)
        session.add(contact)
        session.flush()
        call = Call(campaign_id=campaign_id, contact_id=contact.id, attempt=1)
        session.add(call)
        session.flush()
        return call.id


@pytest.fixture
def campaign_id(store) -> int:
    with store.session.begin() as session:
        return create_campaign(session, name="Spring").id


def test_seat_b_sees_seat_a_disposition_and_note_within_one_poll(store, other_seat, campaign_id):
    call_id = add_call(store, campaign_id)
    feed = ChangeFeed(other_seat)
    feed.start()
    with store.session.begin() as session:
        set_disposition(session, call_id, "Interested", by="Ana")
        save_notes(session, call_id, "wants the blue one", by="Ana")
    found = feed.poll()
    assert found.calls == {(campaign_id, call_id)}
    assert not found.campaigns
    assert feed.poll() == SeatChanges()  # each change is reported once
    with other_seat.session() as session:
        bys = session.query(SeatChange.changed_by).where(SeatChange.kind == "update").all()
        call = session.get(Call, call_id)
    assert [by for (by,) in bys] == ["Ana", "Ana"]
    assert (call.disposition, call.disposition_by, call.notes, call.notes_by) == (
        "Interested",
        "Ana",
        "wants the blue one",
        "Ana",
    )


def test_new_results_and_campaign_state_reach_the_other_seat(store, other_seat, campaign_id):
    feed = ChangeFeed(other_seat)
    feed.start()
    call_id = add_call(store, campaign_id)  # the dialer's claim
    with store.session.begin() as session:
        session.execute(update(Campaign).values(state="running"))
    found = feed.poll()
    assert found.calls == {(campaign_id, call_id)}
    assert found.campaigns


def test_the_dialers_quiet_columns_are_not_changes(store, other_seat, campaign_id):
    call_id = add_call(store, campaign_id)
    feed = ChangeFeed(other_seat)
    feed.start()
    with store.session.begin() as session:
        session.execute(update(Call).where(Call.id == call_id).values(provider_sid="CA" + "0" * 32))
    assert not feed.poll()
    with store.session.begin() as session:  # the end of the call is one
        session.execute(update(Call).where(Call.id == call_id).values(status="completed"))
    assert feed.poll().calls == {(campaign_id, call_id)}


def test_a_deleted_call_is_a_change(store, other_seat, campaign_id):
    call_id = add_call(store, campaign_id)
    feed = ChangeFeed(other_seat)
    feed.start()
    with store.session.begin() as session:
        session.delete(session.get(Call, call_id))
    assert feed.poll().calls == {(campaign_id, call_id)}


def _write_change(store, change_id: int) -> None:
    with store.session.begin() as session:
        session.add(
            SeatChange(
                id=change_id,
                table_name="calls",
                row_id=change_id,
                campaign_id=1,
                kind="update",
                changed_at=utcnow(),
            )  # fmt: skip
        )


def test_an_id_committed_late_is_still_reported(store):
    """On a server database id 2 may commit after id 3: the next poll asks for it again."""
    clock = [0.0]
    feed = ChangeFeed(store, clock=lambda: clock[0])
    feed.start()
    _write_change(store, 1)
    _write_change(store, 3)
    assert feed.poll().calls == {(1, 1), (1, 3)}
    _write_change(store, 2)
    assert feed.poll().calls == {(1, 2)}
    _write_change(store, 5)
    feed.poll()
    clock[0] = changes.GAP_WAIT_S + 1  # id 4 was rolled back: stop asking
    feed.poll()
    assert feed._gaps == {}


def test_a_seat_behind_the_pruned_rows_rereads_everything(store, other_seat, campaign_id):
    feed = ChangeFeed(other_seat)
    feed.start()
    for n in range(5):
        add_call(store, campaign_id, phone=f"+1415555010{n}")
    assert prune_changes(store, keep=2) == 4  # the campaign and 3 calls
    assert feed.poll() == SeatChanges(everything=True)
    add_call(store, campaign_id, phone="+14155550199")
    assert len(feed.poll().calls) == 1  # back on track


def test_too_many_changes_at_once_reread_everything(store, campaign_id, monkeypatch):
    monkeypatch.setattr(changes, "MAX_ROWS", 3)
    feed = ChangeFeed(store)
    feed.start()
    for n in range(3):
        add_call(store, campaign_id, phone=f"+1415555010{n}")
    assert feed.poll().everything
    assert not feed.poll()
