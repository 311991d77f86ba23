from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from app.results.stats import campaign_stats
from app.store.engine import open_store
from app.store.models import Call, DncEntry
from app.telephony.base import TranscriptSentence
from app.ui.results.page import ResultsPage
from tests.results.results_seed import seed_campaign
from tests.ui.results.media import MEDIA_NOISE

pytestmark = pytest.mark.qt_log_ignore(*MEDIA_NOISE)


@pytest.fixture
def page(qtbot, store, home, seeded):
    widget = ResultsPage(store, home=home)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_opens_on_the_campaign_with_its_stats(page, store, seeded):
    assert page.campaign_id() == seeded.campaign_id
    assert page.model.rowCount() == 14
    assert page.stats.calls.value.text() == "14"
    assert page.stats.answer_rate.value.text() == "50%"
    assert page.stats.human_voicemail.value.text() == "6 / 2"
    assert page.stats.chart.point_count() == 10  # ten-minute buckets over 91 minutes
    assert page.stats.chart.chart().title() == "Calls per 10 min, by outcome"
    assert page.stats.reached.value.text() == "6 of 14"  # contacts reached, at a glance
    assert page.detail_stack.currentWidget() is page.no_call


def test_play_a_recording_to_the_end_and_seek_from_the_transcript(qtbot, page, seeded):
    assert page.select_call(seeded.recorded_call_id)
    player = page.player
    assert player.has_media and player.play_button.isEnabled()
    assert page.transcript.turn_count() == 4
    positions = []
    player.positionChanged.connect(positions.append)
    player.set_speed(2.0)
    with qtbot.waitSignal(player.endOfMedia, timeout=15_000):
        qtbot.keyClick(page.table, Qt.Key.Key_Space)  # Space plays from anywhere on the page
    assert player.player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia
    assert player.player.duration() == pytest.approx(3000, abs=60)
    assert len(positions) > 2 and positions == sorted(positions) and positions[-1] > 2500
    assert page.transcript.playing_row() == 3  # the last turn was being played at the end
    assert player.time_label.text() == "0:03 / 0:03"

    # Clicking the second turn (1.1 s) plays from there and outlines it.
    item = page.transcript.list.item(1)
    rect = page.transcript.list.visualItemRect(item)
    with qtbot.waitSignal(player.positionChanged, timeout=5000):
        qtbot.mouseClick(
            page.transcript.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    qtbot.waitUntil(lambda: player.player.position() >= 1100, timeout=5000)
    assert player.player.position() < 2800
    qtbot.waitUntil(lambda: page.transcript.playing_row() in (1, 2), timeout=5000)
    player.pause()
    # The arrows skip ±10 s, clamped to the recording.
    player.seek(2000)
    qtbot.keyClick(page.table, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: player.player.position() == 0, timeout=5000)


def test_disposition_and_notes_are_kept_after_a_restart(qtbot, page, seeded, home):
    call_id = seeded.call_ids[5]
    assert page.select_call(call_id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_1)  # "1  Interested"
    assert page.disposition.current() == "Interested"
    row = page.model.row_of(call_id)
    assert page.model.index(row, 7).data() == "Interested"
    qtbot.waitUntil(lambda: page.stats.disposition_legend.text().count("Interested") == 1)
    # "Do not call" by its button, then notes typed and saved after the debounce.
    button = next(b for b in page.disposition.group.buttons() if "Do not call" in b.text())
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    page.notes.edit.setFocus()
    qtbot.keyClicks(page.notes.edit, "Asked to be removed. 1 2 3")
    assert page.disposition.current() == "Do not call"  # digits typed in notes stay text
    with qtbot.waitSignal(page.notes.notesEdited, timeout=3000):
        pass
    assert page.notes.status.text().startswith("Saved · ")
    assert page.model.index(row, 8).data() == "✎"

    fresh = open_store(home)  # a restart: a new engine on the same file
    try:
        with fresh.session() as session:
            call = session.get(Call, call_id)
            assert call.disposition == "Do not call"
            assert call.notes == "Asked to be removed. 1 2 3"
            assert call.notes_by and call.notes_at
            assert session.scalar(select(DncEntry.source)) == "disposition"
        reopened = ResultsPage(fresh, home=home)
        qtbot.addWidget(reopened)
        assert reopened.select_call(call_id)
        assert reopened.disposition.current() == "Do not call"
        assert reopened.notes.text() == "Asked to be removed. 1 2 3"
    finally:
        fresh.dispose()


def test_notes_are_flushed_when_switching_calls(qtbot, page, store, seeded):
    page.select_call(seeded.call_ids[2])
    qtbot.keyClicks(page.notes.edit, "left a message")
    assert page.notes.has_pending()
    page.select_call(seeded.call_ids[3])  # before the debounce fires
    with store.session() as session:
        assert session.get(Call, seeded.call_ids[2]).notes == "left a message"
        assert session.get(Call, seeded.call_ids[3]).notes == ""
    assert page.notes.text() == ""
    qtbot.keyClicks(page.notes.edit, "no answer twice")
    page.hide()  # another page shown, or the window closing
    with store.session() as session:
        assert session.get(Call, seeded.call_ids[3]).notes == "no answer twice"


def test_clear_states_for_pending_and_missing_recordings(page, seeded):
    page.select_call(seeded.pending_call_id)
    assert not page.player.has_media and not page.player.play_button.isEnabled()
    assert page.player.message.text() == "The recording is still being fetched…"
    page.select_call(seeded.no_recording_call_id)
    assert page.player.message.text() == "No recording for this call."
    page.select_call(seeded.call_ids[6])  # connected: in progress
    assert page.player.message.text() == "The recording is still being fetched…"
    assert page.transcript.message.text() == "The call is in progress."


def test_voicemail_is_prefilled_when_shown(page, store, seeded):
    page.select_call(seeded.voicemail_call_id)
    assert page.disposition.current() == "Voicemail"
    with store.session() as session:
        assert session.get(Call, seeded.voicemail_call_id).disposition == "Voicemail"


def test_live_updates_move_the_stats_and_the_table(qtbot, page, store, seeded):
    page.select_call(seeded.call_ids[4])
    with store.session.begin() as session:
        call = session.get(Call, seeded.call_ids[6])
        call.status = "completed"
        call.duration_s = 30
        call.ended_at = call.created_at
    page.on_call_ended(seeded.campaign_id, seeded.call_ids[6])
    qtbot.waitUntil(
        lambda: (
            page.stats.calls.value.text() == "14"
            and page.stats.answer_rate.value.text() == f"{7 / 13:.0%}"
        ),
        timeout=3000,
    )
    row = page.model.row_of(seeded.call_ids[6])
    assert page.model.index(row, 2).data() == "Completed"
    assert page.model.call_id(page.table.currentIndex().row()) == seeded.call_ids[4]
    with store.session() as session:
        stats = campaign_stats(session, seeded.campaign_id)
    assert stats["calls_by_status"]["completed"] == 7


def test_find_in_transcript(qtbot, page, seeded):
    page.select_call(seeded.recorded_call_id)
    page.focus_search()  # the main window's Ctrl+F: first the calls search…
    assert page.search.hasFocus()
    page.focus_search()  # …pressed again, the transcript's find
    assert page.transcript.find_edit.hasFocus()
    qtbot.keyClicks(page.transcript.find_edit, "gold")
    assert page.transcript.matches() == [2]
    assert page.transcript.match_label.text() == "1 of 1"
    page.transcript.find("NOPE")
    assert page.transcript.match_label.text() == "No match"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_from_the_page(qtbot, page, seeded, tmp_path, fmt):
    job = page.export_to(tmp_path / "out", fmt)
    with qtbot.waitSignal(job.finished, timeout=10_000) as done:
        pass
    rows, path = done.args
    assert rows == 14 and path.endswith(f"out.{fmt}")
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    else:
        table = [
            list(r) for r in load_workbook(path, read_only=True).active.iter_rows(values_only=True)
        ]
    assert len(table) == 15 and table[0][:2] == ["phone", "name"]
    assert qtbot.waitUntil(lambda: page.export_job is None) is None
    assert page.count_label.text().startswith("Exported 14 calls")


@pytest.mark.parametrize("which", ["shown", "all"])
def test_export_with_a_filter_asks_shown_or_all(qtbot, page, seeded, tmp_path, monkeypatch, which):
    page.status_filter.setCurrentIndex(page.status_filter.findData("busy"))
    busy = page.model.rowCount()
    assert 0 < busy < 14
    out = tmp_path / "calls.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), "CSV (*.csv)")
    )
    page.export()
    box = page.export_question
    assert box.isVisible()
    assert box.text() == f"The filter shows {busy} of the campaign's 14 calls."
    labels = [b.text() for b in box.buttons()]
    assert f"Export the {busy} shown" in labels and "Export all 14" in labels
    wanted = f"Export the {busy} shown" if which == "shown" else "Export all 14"
    next(b for b in box.buttons() if b.text() == wanted).click()
    qtbot.waitUntil(lambda: page.export_job is None and out.exists())
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) - 1 == (busy if which == "shown" else 14)


def test_export_can_be_cancelled_and_leaves_no_file(qtbot, store, home, tmp_path, monkeypatch):
    from app.ui.results import export_job

    monkeypatch.setattr(export_job, "ROWS_PER_STEP", 10)
    seed_campaign(store, home, contacts=120)
    page = ResultsPage(store, home=home)
    qtbot.addWidget(page)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    job = page.export_to(out_dir / "big.csv", "csv")
    steps = []
    job.progressed.connect(lambda done, total: steps.append((done, total)))
    qtbot.waitUntil(lambda: len(steps) >= 2)
    assert steps[0] == (10, 120)
    with qtbot.waitSignal(job.cancelled):
        page._progress.canceled.emit()  # what its Cancel button sends
    assert page.export_job is None
    assert list(out_dir.iterdir()) == []  # neither big.csv nor big.csv.part
    assert page.count_label.text() == "Export cancelled; no file was written"


class FakeProvider:
    def __init__(self):
        self.asked = []

    async def transcribe(self, recording):
        self.asked.append(recording.sid)
        return [
            TranscriptSentence("agent", "Hello, is this Contact 05?", 0.4, 1.4),
            TranscriptSentence("callee", "It is. Do not call me again.", 1.6, 2.8),
        ]


def test_a_recording_without_turns_gets_a_transcript(qtbot, qloop, store, home, seeded):
    provider = FakeProvider()
    page = ResultsPage(store, home=home, provider_factory=lambda: provider)
    qtbot.addWidget(page)
    page.select_call(seeded.pending_call_id)
    task = page.controller.transcript_tasks[seeded.pending_call_id]
    assert page.transcript.message.text() == "Transcribing the recording…"
    qloop.run_until_complete(task)
    qtbot.waitUntil(lambda: page.transcript.turn_count() == 2, timeout=3000)
    assert provider.asked == ["RE" + "5" * 32]
    assert page.transcript.list.item(1).text() == "It is. Do not call me again."


def test_screenshot_of_a_seeded_call(qtbot, page, seeded, tmp_path):
    for call_id, disposition in zip(
        seeded.call_ids[:6], ["Interested", "", "Call back", "", "", "Not interested"], strict=True
    ):
        page.select_call(call_id)
        if disposition:
            page.disposition.choose(disposition)
    page.select_call(seeded.recorded_call_id)
    qtbot.keyClicks(page.notes.edit, "Wants the gold plan brochure by email; call back Tuesday.")
    page.notes.flush()
    page.player.seek(1300)
    qtbot.waitUntil(
        lambda: page.player.player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia
    )
    page.player.seek(1300)
    qtbot.waitUntil(lambda: page.transcript.playing_row() == 1, timeout=3000)
    # The strip refreshes once per burst of changes (debounced): wait for it.
    qtbot.waitUntil(lambda: page.stats.disposition_legend.text().count("■") == 4)  # + voicemail
    image = page.grab()
    assert not image.isNull()
    assert image.save(str(tmp_path / "results.png"))


def test_without_qtmultimedia_the_page_still_works(qtbot, store, home, seeded, monkeypatch):
    from app.ui.results import player as player_module

    monkeypatch.setattr(player_module, "MULTIMEDIA_ERROR", "libpulse.so.0: cannot open")
    page = ResultsPage(store, home=home)
    qtbot.addWidget(page)
    page.select_call(seeded.recorded_call_id)
    assert not page.player.has_media and not page.player.play_button.isEnabled()
    assert "Audio playback is unavailable" in page.player.message.text()
    page.player.toggle()
    page.player.skip(10_000)
    assert page.transcript.turn_count() == 4  # the rest of the detail is all there


def test_the_chart_draws_a_line_per_outcome_with_a_legend(qtbot):
    from datetime import UTC, datetime, timedelta

    from app.results.series import HOUR, OUTCOMES, CallSeries
    from app.ui.results.chart import CallsOverTimeChart

    chart = CallsOverTimeChart()
    qtbot.addWidget(chart)
    starts = [datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(hours=h) for h in range(30)]
    lines = {label: [0] * 30 for label, _ in OUTCOMES}
    lines["Answered"] = [h % 7 for h in range(30)]
    lines["Busy"][3] = 1
    chart.set_series(CallSeries(HOUR, starts, lines))
    assert chart.chart().title() == "Calls per hour, by outcome"
    assert chart.point_count() == 30
    assert chart.visible_bands() == ["Answered", "Busy"]  # outcomes that never happened: none
    assert chart.chart().legend().isVisible()
    assert [chart.band_top("Answered", i) for i in range(8)] == [0, 1, 2, 3, 4, 5, 6, 0]
    assert chart.band_top("Busy", 3) == 3 + 1  # stacked on the answered calls
    assert chart.y_axis.max() == 10 and chart.x_axis.format() == "ddd HH:mm"
    chart.set_series(None)
    assert chart.point_count() == 0 and chart.chart().title() == "Calls over time: none yet"


def test_live_calls_keep_the_scroll_position(qtbot, store, home):
    from datetime import timedelta

    from PySide6.QtWidgets import QAbstractItemView

    from app.store.models import Contact
    from tests.results.results_seed import START

    seeded = seed_campaign(store, home, contacts=200)
    page = ResultsPage(store, home=home)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    middle = page.model.index(100, 0)
    page.table.scrollTo(middle, QAbstractItemView.ScrollHint.PositionAtTop)
    top_call = page.model.call_id(page.table.rowAt(0))
    page.select_call(seeded.call_ids[90])

    def new_call(i):
        with store.session.begin() as session:
            contact = Contact(campaign_id=seeded.campaign_id, phone=f"+1404555{i:04d}", name="New")
            session.add(contact)
            session.flush()
            call = Call(
                campaign_id=seeded.campaign_id,
                contact_id=contact.id,
                attempt=1,
                status="calling",
                created_at=START + timedelta(days=1, minutes=i),
            )
            session.add(call)
            session.flush()
            return call.id, contact.id

    for i in range(3):
        call_id, contact_id = new_call(i)
        page.on_contact_changed(seeded.campaign_id, contact_id, "calling")
        assert page.model.call_id(0) == call_id
    assert page.model.rowCount() == 203
    assert page.model.call_id(page.table.rowAt(0)) == top_call  # the same rows in view
    assert page.model.call_id(page.table.currentIndex().row()) == seeded.call_ids[90]
    assert page.new_calls_button.isVisible()
    assert page.new_calls_button.text() == "↑ 3 new calls above — show the newest"
    # At the very top, the pointer elsewhere, the view follows the newest calls instead.
    page.table.scrollToTop()
    assert not page.new_calls_button.isVisible()
    call_id, contact_id = new_call(9)
    page.on_contact_changed(seeded.campaign_id, contact_id, "calling")
    assert page.model.call_id(page.table.rowAt(0)) == call_id
    assert not page.new_calls_button.isVisible()

    # At the top with the pointer on a row, about to click it: that row stays under it.
    row_y = page.table.rowViewportPosition(2) + 2
    pointed = page.model.call_id(page.table.rowAt(row_y))
    qtbot.mouseMove(page.table.viewport(), QPoint(40, row_y))
    qtbot.waitUntil(page.pointer_on_table, timeout=1000)
    for i in (10, 11):
        _, contact_id = new_call(i)
        page.on_contact_changed(seeded.campaign_id, contact_id, "calling")
    assert page.model.call_id(page.table.rowAt(row_y)) == pointed
    assert page.new_calls_button.text() == "↑ 2 new calls above — show the newest"
    qtbot.mouseClick(page.new_calls_button, Qt.MouseButton.LeftButton)
    assert page.table.rowAt(0) == 0 and not page.new_calls_button.isVisible()


def _contact_fits(page) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    font = QFont(page.table.font())
    font.setBold(True)
    widest = max(
        QFontMetrics(font).horizontalAdvance(page.model.index(row, 0).data())
        for row in range(page.model.rowCount())
    )
    assert page.table.columnWidth(0) >= widest + 8  # "Contact 13" whole, not "Co…"


def test_the_contact_column_keeps_room_for_a_name_and_takes_what_is_left(qtbot, page):
    from app.ui.results.page import CONTACT_MIN_EMS

    header = page.table.horizontalHeader()
    minimum = page.fontMetrics().horizontalAdvance("M") * CONTACT_MIN_EMS
    # Wide: the column fills the rest, so the last (notes) column is at the right edge.
    assert header.length() == page.table.viewport().width()
    assert page.table.columnWidth(0) > minimum
    _contact_fits(page)
    # Narrow (the table's pane at 1366x768, or less): the name keeps its room.
    page.splitter.setSizes([420, 980])
    qtbot.waitUntil(lambda: page.table.viewport().width() < 500)
    assert page.table.columnWidth(0) == minimum
    _contact_fits(page)
    # Wide again: it stretches back.
    page.splitter.setSizes([1000, 400])
    qtbot.waitUntil(lambda: header.length() == page.table.viewport().width())
    assert page.table.columnWidth(0) > minimum
