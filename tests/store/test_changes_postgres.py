"""The change feed, its NOTIFY and the compare-and-set on a real PostgreSQL server (the test
cluster of tests/store/pg.py): two stores on one database are two seats."""

from __future__ import annotations

import threading

import pytest

from app.results.edits import EditConflict, save_notes
from app.store.campaigns import create_campaign
from app.store.changes import ChangeFeed, listen_for_changes
from app.store.engine import open_store
from app.store.models import Call, Contact


def test_two_seats_on_postgresql(home, pg_url):
    ana, ben = open_store(home, pg_url), open_store(home, pg_url)
    try:
        assert ben.backend.notifies_changes
        feed = ChangeFeed(ben)
        feed.start()
        woken, stop = threading.Event(), threading.Event()
        listener = threading.Thread(target=listen_for_changes, args=(ben, woken.set, stop))
        listener.start()
        with ana.session.begin() as session:
            campaign_id = create_campaign(session, "Spring", caller_id="+15005550006").id
            contact = Contact(campaign_id=campaign_id, name="Ada", phone="+14155550101")
            session.add(contact)
            session.flush()
            call = Call(campaign_id=campaign_id, contact_id=contact.id, attempt=1)
            session.add(call)
        found = feed.poll()
        assert found.calls == {(campaign_id, call.id)} and found.campaigns
        with ana.session.begin() as session:
            save_notes(session, call.id, "Ana's", base="", by="Ana")
        assert woken.wait(10)  # the NOTIFY of a commit reached the listening seat
        stop.set()
        listener.join(5)
        assert feed.poll().calls == {(campaign_id, call.id)}
        with pytest.raises(EditConflict) as raised, ben.session.begin() as session:
            save_notes(session, call.id, "Ben's", base="", by="Ben")
        assert (raised.value.theirs.value, raised.value.theirs.by) == ("Ana's", "Ana")
    finally:
        ana.dispose()
        ben.dispose()
