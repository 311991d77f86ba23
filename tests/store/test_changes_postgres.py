"""The change feed, its NOTIFY and the compare-and-set on a real PostgreSQL server: two stores
on one database are two seats. The server comes from $CALLDECK_TEST_POSTGRES_URL (an empty
database the test may migrate), as `.ci/run` provides it."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from app.results.edits import EditConflict, save_notes
from app.store.campaigns import create_campaign
from app.store.changes import ChangeFeed, listen_for_changes
from app.store.engine import open_store
from app.store.models import Call, Contact

SERVER = os.environ.get("CALLDECK_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not SERVER, reason="no PostgreSQL server given")


@pytest.fixture
def database_url():
    """A database of its own on the server, dropped afterwards."""
    name = f"calldeck_seats_{uuid.uuid4().hex[:8]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield SERVER.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def test_two_seats_on_postgresql(home, database_url):
    ana, ben = open_store(home, database_url), open_store(home, database_url)
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
