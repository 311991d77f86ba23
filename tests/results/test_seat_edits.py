"""Two supervisors on one call: a save over the other's newer version is a conflict, with both
versions, and nothing is lost. Two store sessions on one SQLite file are two seats."""

from __future__ import annotations

import pytest

from app.results.edits import (
    EditConflict,
    merge_notes,
    prefill_disposition,
    save_notes,
    set_disposition,
)
from app.settings import operator_name, set_setting, set_user_setting
from app.store.engine import open_store
from app.store.models import Call


@pytest.fixture
def seat_b(store, home):
    seat = open_store(home)
    yield seat
    seat.dispose()


def notes_of(store, call_id: int) -> tuple[str, str | None]:
    with store.session() as session:
        call = session.get(Call, call_id)
        return call.notes, call.notes_by


def test_the_later_notes_save_is_a_conflict_with_both_versions(store, seat_b, seeded):
    call_id = seeded.call_ids[0]
    with store.session.begin() as session:  # both seats showed "" and typed
        save_notes(session, call_id, "Ana: call back Friday", base="", by="Ana")
    with pytest.raises(EditConflict) as raised, seat_b.session.begin() as session:
        save_notes(session, call_id, "Ben: wrong person", base="", by="Ben")
    conflict = raised.value
    assert (conflict.call_id, conflict.field) == (call_id, "notes")
    assert (conflict.theirs.value, conflict.theirs.by) == ("Ana: call back Friday", "Ana")
    assert conflict.theirs.at is not None
    assert conflict.mine == "Ben: wrong person"
    assert notes_of(store, call_id) == ("Ana: call back Friday", "Ana")  # not overwritten
    with seat_b.session.begin() as session:  # Ben keeps his, knowingly
        saved = save_notes(session, call_id, conflict.mine, base=conflict.theirs.value, by="Ben")
    assert (saved.value, saved.by) == ("Ben: wrong person", "Ben")
    assert notes_of(store, call_id) == ("Ben: wrong person", "Ben")


def test_the_later_disposition_is_a_conflict(store, seat_b, seeded):
    call_id = seeded.call_ids[2]  # no disposition yet
    with store.session.begin() as session:
        set_disposition(session, call_id, "Interested", base="", by="Ana")
    with pytest.raises(EditConflict) as raised, seat_b.session.begin() as session:
        set_disposition(session, call_id, "Voicemail", base="", by="Ben")
    assert (raised.value.theirs.value, raised.value.theirs.by) == ("Interested", "Ana")
    assert raised.value.mine == "Voicemail"
    with store.session() as session:
        assert session.get(Call, call_id).disposition == "Interested"


def test_notes_and_disposition_saved_by_two_seats_are_no_conflict(store, seat_b, seeded):
    call_id = seeded.call_ids[2]
    with store.session.begin() as session:
        set_disposition(session, call_id, "Call back", base="", by="Ana")
    with seat_b.session.begin() as session:  # Ben's notes started from the same ""
        save_notes(session, call_id, "after 5pm", base="", by="Ben")
    with store.session() as session:
        call = session.get(Call, call_id)
        assert (call.disposition, call.disposition_by) == ("Call back", "Ana")
        assert (call.notes, call.notes_by) == ("after 5pm", "Ben")
        assert call.revision == 2


def test_prefill_leaves_a_disposition_a_seat_chose(store, seeded):
    call_id = seeded.voicemail_call_id
    with store.session.begin() as session:
        set_disposition(session, call_id, "Interested", by="Ana")
    with store.session.begin() as session:
        assert prefill_disposition(session, call_id) is None
        assert session.get(Call, call_id).disposition == "Interested"


def test_merge_keeps_their_text_and_adds_my_new_lines():
    theirs = "call back Friday\nprefers email"
    mine = "call back Friday\nwrong person at 9am"
    assert merge_notes(theirs, mine) == "call back Friday\nprefers email\nwrong person at 9am"
    assert merge_notes("", "only mine") == "only mine"
    assert merge_notes("same", "same") == "same"


def test_notes_carry_this_users_name_not_the_teams(store, seeded):
    with store.session.begin() as session:
        set_setting(session, "operator_name", "Team laptop")  # an older workspace's name
        assert operator_name(session) == "Team laptop"
    set_user_setting("operator_name", "Dana")
    with store.session.begin() as session:
        saved = save_notes(session, seeded.call_ids[1], "left a message")
        chosen = set_disposition(session, seeded.call_ids[1], "Voicemail")
    assert (saved.by, chosen.by) == ("Dana", "Dana")


def test_the_users_name_lives_in_their_config_folder(user_config):
    set_user_setting("operator_name", "Dana")
    assert (user_config / "user.json").read_text().count("Dana") == 1
    with pytest.raises(KeyError):
        set_user_setting("calls_per_second", 3)  # a team setting: the database's
