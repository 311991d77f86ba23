"""Two seats: two Results pages, each with its own context and store on one SQLite file, each
polling the change feed (driven here, no real waits for the poll interval)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.store.engine import open_store
from app.store.models import Call
from app.ui.context import AppContext
from app.ui.results_panel import ResultsPanel
from app.ui.seat_feed import SeatWatcher
from tests.ui.results.media import MEDIA_NOISE

pytestmark = pytest.mark.qt_log_ignore(*MEDIA_NOISE)


class Seat:
    def __init__(self, qtbot, home, name: str) -> None:
        self.store = open_store(home)
        self.context = AppContext(store=self.store, home=home, demo_mode=True)
        self.page = ResultsPanel(self.context)
        self.page.controller.your_name = lambda: name
        self.page.controller.provider_factory = None  # no transcripts fetched here
        qtbot.addWidget(self.page)
        self.page.resize(1366, 768)
        self.page.show()
        self.watcher = SeatWatcher(self.store, self.context.changes, self.page)
        self.watcher.feed.start()  # the timer stays off: the test polls

    def poll(self, qtbot) -> None:
        with qtbot.waitSignal(self.watcher._polling.ended, timeout=3000):
            self.watcher.poll_now()

    def close(self) -> None:
        self.watcher.stop()
        self.store.dispose()


@pytest.fixture
def seats(qtbot, home, seeded):
    ana, ben = Seat(qtbot, home, "Ana"), Seat(qtbot, home, "Ben")
    yield ana, ben
    ana.close()
    ben.close()


def saved(store, call_id: int) -> Call:
    with store.session() as session:
        return session.get(Call, call_id)


def type_notes(qtbot, seat: Seat, text: str) -> None:
    seat.page.notes.edit.setFocus()
    seat.page.notes.edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(seat.page.notes.edit, text)
    seat.page.notes_flush()


def test_the_other_seat_shows_a_disposition_and_note_after_one_poll(qtbot, seats, seeded):
    ana, ben = seats
    call_id = seeded.call_ids[5]
    assert ana.page.select_call(call_id) and ben.page.select_call(call_id)
    ana.page.disposition.choose("Interested")
    type_notes(qtbot, ana, "call back Friday")
    ben.poll(qtbot)
    assert ben.page.notes.text() == "call back Friday"
    assert ben.page.notes.status.text().startswith("Saved · Ana, ")
    assert ben.page.disposition.current() == "Interested"
    assert ben.page.disposition.set_by.text().startswith("Set by Ana, ")
    row = ben.page.model.row_of(call_id)
    assert ben.page.model.index(row, 7).data() == "Interested"
    assert ben.page.model.index(row, 8).data() == "✎"


def test_concurrent_notes_show_both_versions_and_merge(qtbot, seats, seeded, store):
    ana, ben = seats
    call_id = seeded.call_ids[5]
    assert ana.page.select_call(call_id) and ben.page.select_call(call_id)
    type_notes(qtbot, ana, "prefers email")
    type_notes(qtbot, ben, "wrong person at 9am")  # before Ben's seat polled
    panel = ben.page.detail_stack.conflict
    assert panel.isVisible()
    assert "Ana changed the notes" in panel.message.text()
    assert "Ana" in panel.theirs_label.text()
    assert (panel.theirs.toPlainText(), panel.mine.toPlainText()) == (
        "prefers email",
        "wrong person at 9am",
    )
    assert panel.merge_button.isVisible()
    assert saved(store, call_id).notes == "prefers email"  # nothing overwritten
    ben.poll(qtbot)  # the poll brings Ana's notes: Ben's text stays while he decides
    assert ben.page.notes.text() == "wrong person at 9am" and panel.isVisible()
    qtbot.mouseClick(panel.merge_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()
    call = saved(store, call_id)
    assert (call.notes, call.notes_by) == ("prefers email\nwrong person at 9am", "Ben")
    assert ben.page.notes.text() == call.notes
    ana.poll(qtbot)
    assert ana.page.notes.text() == call.notes


def test_keep_theirs_or_mine_after_a_notes_conflict(qtbot, seats, seeded, store):
    ana, ben = seats
    call_id = seeded.call_ids[6]
    assert ana.page.select_call(call_id) and ben.page.select_call(call_id)
    type_notes(qtbot, ana, "Ana's")
    type_notes(qtbot, ben, "Ben's")
    panel = ben.page.detail_stack.conflict
    qtbot.mouseClick(panel.keep_theirs_button, Qt.MouseButton.LeftButton)
    assert ben.page.notes.text() == "Ana's" and not ben.page.notes.has_pending()
    assert saved(store, call_id).notes == "Ana's"
    type_notes(qtbot, ana, " again")  # Ana goes on: Ben's next edit conflicts again
    type_notes(qtbot, ben, " and Ben's")
    assert panel.isVisible()
    qtbot.mouseClick(panel.keep_mine_button, Qt.MouseButton.LeftButton)
    call = saved(store, call_id)
    assert (call.notes, call.notes_by) == ("Ana's and Ben's", "Ben")
    assert ben.page.notes.status.text().startswith("Saved · Ben, ")


def test_a_disposition_conflict_offers_theirs_or_mine(qtbot, seats, seeded, store):
    ana, ben = seats
    call_id = seeded.call_ids[2]
    assert ana.page.select_call(call_id) and ben.page.select_call(call_id)
    ana.page.disposition.choose("Interested")
    ben.page.disposition.choose("Voicemail")
    panel = ben.page.detail_stack.conflict
    assert panel.isVisible() and not panel.merge_button.isVisible()
    assert (panel.theirs.toPlainText(), panel.mine.toPlainText()) == ("Interested", "Voicemail")
    assert ben.page.disposition.current() == "Interested"  # the call has theirs until Ben chooses
    assert saved(store, call_id).disposition == "Interested"
    qtbot.mouseClick(panel.keep_mine_button, Qt.MouseButton.LeftButton)
    call = saved(store, call_id)
    assert (call.disposition, call.disposition_by) == ("Voicemail", "Ben")
    assert ben.page.disposition.current() == "Voicemail"


def test_a_campaign_created_on_another_seat_is_offered(qtbot, seats, store):
    from app.store.campaigns import create_campaign

    ana, ben = seats
    with store.session.begin() as session:
        create_campaign(session, "Autumn", caller_id="+15005550006")
    ben.poll(qtbot)
    names = [ben.page.campaign_combo.itemText(i) for i in range(ben.page.campaign_combo.count())]
    assert "Autumn" in names


def test_a_campaign_deleted_on_another_seat_leaves_the_picker(qtbot, seats, store, seeded):
    from app.store.models import Campaign

    ana, ben = seats
    with store.session.begin() as session:  # its 14 calls go with it
        session.delete(session.get(Campaign, seeded.campaign_id))
    reloads = []
    ben.page.controller.campaignsChanged.connect(reloads.append)
    ben.poll(qtbot)
    assert reloads == [[]]  # the picker re-read once, empty
    assert ben.page.campaign_id() is None and ben.page.model.rowCount() == 0


def test_leaving_a_notes_conflict_undecided_keeps_both(qtbot, seats, seeded, store):
    ana, ben = seats
    call_id = seeded.call_ids[5]
    assert ana.page.select_call(call_id) and ben.page.select_call(call_id)
    type_notes(qtbot, ana, "prefers email")
    type_notes(qtbot, ben, "wrong person")
    assert ben.page.detail_stack.conflict.isVisible()
    assert ben.page.select_call(seeded.call_ids[6])  # Ben moves on without choosing
    assert saved(store, call_id).notes == "prefers email\nwrong person"
    assert not ben.page.detail_stack.conflict.isVisible()
