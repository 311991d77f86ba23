"""A short campaign on the embedded Twilio emulator, run by the real dialer, shown live."""

from __future__ import annotations

import asyncio
import collections

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from sqlalchemy import select

from app.dialer import CallEnded, ContactChanged, DialerService
from app.results.stats import campaign_stats, counts_from_rows, read_counters
from app.store.engine import open_store
from app.store.models import Call, Contact
from app.ui.results.page import ResultsPage
from tests.dialer.helpers import make_campaign, phones
from tests.ui.results.media import MEDIA_NOISE

pytestmark = pytest.mark.qt_log_ignore(*MEDIA_NOISE)

SPEED = 200.0  # a 20 s call lasts 0.1 s
SCREENSHOT = "/tmp/results_screenshot.png"


@pytest.fixture
def emulator(tmp_path):
    from app.telephony.emulator import EmulatorThread

    emu = EmulatorThread(speed=SPEED, call_log=tmp_path / "calls.jsonl", cps=0)
    emu.start()
    yield emu
    emu.stop()


def test_a_campaign_on_the_emulator_lands_in_results(qtbot, qloop, store, home, emulator):
    from app.telephony.twilio_provider import TwilioProvider

    numbers = phones(10, "0123456789")
    campaign_id, _ = make_campaign(
        store, "Emulated", numbers, concurrency=3, per_minute=600, max_attempts=1
    )
    provider = TwilioProvider(
        emulator.account_sid,
        emulator.auth_token,
        base_url=emulator.base_url,
        timeout_s=5.0,
        poll_interval_s=0.05,
    )
    page = ResultsPage(store, home=home, provider_factory=lambda: provider)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    page.set_campaign(campaign_id)
    assert page.model.rowCount() == 0

    service = DialerService(
        store, provider, recordings_dir=home / "recordings", poll_interval_s=0.03, cps=50
    )
    seen = collections.Counter()

    def forward(event):  # what the GUI's dialer bridge does, on the same (qasync) loop
        if isinstance(event, ContactChanged):
            seen["contact"] += 1
            page.on_contact_changed(event.campaign_id, event.contact_id, event.status)
        elif isinstance(event, CallEnded):
            seen["ended"] += 1
            page.on_call_ended(event.campaign_id, event.call_id)

    service.subscribe(forward)

    async def run():
        await service.start()
        try:
            await asyncio.wait_for(service.run_until_done([campaign_id]), 60)
        finally:
            await service.stop()

    try:
        qloop.run_until_complete(run())
        assert seen["ended"] == 10 and seen["contact"] >= 10

        # Every call arrived live, without a reload.
        with store.session() as session:
            calls = {c.contact.phone: c for c in session.scalars(select(Call))}
            by_status = collections.Counter(c.status for c in session.scalars(select(Contact)))
        assert page.model.rowCount() == len(calls) == 10
        assert set(page.model.loaded_ids()) == {c.id for c in calls.values()}
        qtbot.waitUntil(lambda: page.stats.calls.value.text() == "10", timeout=3000)

        # Stats equal a hand count of the rows.
        with store.session() as session:
            stats = campaign_stats(session, campaign_id)
            assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)
        assert stats["total_calls"] == 10
        assert stats["contacts_by_status"]["completed"] == by_status["completed"] == 7
        assert stats["calls_by_status"]["busy"] == 1 and stats["calls_by_status"]["failed"] == 1
        assert stats["voicemail"] == 1
        assert stats["talk_time_total_s"] == sum(
            c.duration_s or 0 for c in calls.values() if c.status == "completed"
        )

        # Outcomes prefilled the disposition: voicemail, and the callee who asked for no calls.
        with store.session() as session:
            assert session.get(Call, calls[numbers[5]].id).disposition == "Voicemail"
            assert session.get(Call, calls[numbers[9]].id).disposition == "Do not call"

        # A real answered call: its downloaded recording plays to the end.
        human = calls[numbers[1]]
        assert page.select_call(human.id)
        assert page.player.has_media, page.player.message.text()
        assert page.transcript.turn_count() >= 2
        player = page.player.player
        qtbot.waitUntil(
            lambda: player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=5000
        )
        assert player.duration() > 2000
        # Clicking the second turn seeks there.
        item = page.transcript.list.item(1)
        offset = item.data(Qt.ItemDataRole.UserRole + 1)
        rect = page.transcript.list.visualItemRect(item)
        qtbot.mouseClick(
            page.transcript.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
        qtbot.waitUntil(lambda: player.position() >= offset, timeout=5000)
        positions = []
        page.player.positionChanged.connect(positions.append)
        page.player.set_speed(2.0)
        with qtbot.waitSignal(page.player.endOfMedia, timeout=20_000):
            page.player.seek(player.duration() - 1500)
            page.player.play()
        assert positions and positions[-1] >= player.duration() - 100

        # Edits stick across a restart.
        page.disposition.choose("Call back")
        qtbot.keyClicks(page.notes.edit, "Call after 5pm")
        page.notes.flush()

        # The screenshot for the issue: this real call selected, its second turn playing.
        page.player.pause()
        page.player.seek(offset + 200)
        qtbot.waitUntil(lambda: page.transcript.playing_row() == 1, timeout=5000)
        qtbot.waitUntil(
            lambda: "Call back: 1" in page.stats.disposition_bar.toolTip(), timeout=3000
        )
        assert page.grab().save(SCREENSHOT)
        fresh = open_store(home)
        try:
            with fresh.session() as session:
                kept = session.get(Call, human.id)
                assert (kept.disposition, kept.notes) == ("Call back", "Call after 5pm")
        finally:
            fresh.dispose()
    finally:
        qloop.run_until_complete(provider.close())
