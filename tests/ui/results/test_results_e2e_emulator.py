"""A short campaign on the embedded Twilio emulator, run by the real dialer, shown live.

The campaign runs once for the module (`campaign`); each test then checks one thing about
what landed in the Results page.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from sqlalchemy import select

from app.dialer import CallEnded, ContactChanged, DialerService
from app.results.stats import campaign_stats, counts_from_rows, read_counters
from app.store.engine import Store, open_store
from app.store.models import Call, Contact
from app.ui.results.page import ResultsPage
from tests.dialer.helpers import make_campaign, phones
from tests.ui.results.media import MEDIA_NOISE

pytestmark = pytest.mark.qt_log_ignore(*MEDIA_NOISE)

SPEED = 200.0  # a 20 s call lasts 0.1 s
SCREENSHOT = "/tmp/results_screenshot.png"
NUMBERS = phones(10, "0123456789")  # the last digit picks the emulator's outcome
HUMAN, VOICEMAIL, ASKS_FOR_NO_CALLS = NUMBERS[1], NUMBERS[5], NUMBERS[9]


@dataclass
class Campaign:
    store: Store
    home: Path
    page: ResultsPage
    campaign_id: int
    events: collections.Counter
    calls: dict[str, Call]  # by phone, read once the campaign was done


@pytest.fixture(scope="module")
def campaign(qapp, tmp_path_factory) -> Iterator[Campaign]:
    """Ten calls dialled by the real dialer through the SDK, forwarded live to a Results page."""
    import qasync

    from app.telephony.emulator import EmulatorThread
    from app.telephony.twilio_provider import TwilioProvider
    from app.ui.main_thread_gc import MainThreadCollector

    tmp = tmp_path_factory.mktemp("e2e")
    home = tmp / "home"
    home.mkdir()
    collector = MainThreadCollector(qapp)  # the emulator's thread must never collect Qt objects
    collector.install()
    emulator = EmulatorThread(speed=SPEED, call_log=tmp / "calls.jsonl", cps=0)
    emulator.start()
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CALLDECK_HOME", str(home))
        env.delenv("CALLDECK_DB", raising=False)
        store = open_store(home)
        provider = TwilioProvider(
            emulator.account_sid,
            emulator.auth_token,
            base_url=emulator.base_url,
            timeout_s=5.0,
            poll_interval_s=0.05,
        )
        page = ResultsPage(store, home=home, provider_factory=lambda: provider)
        try:
            yield _run_campaign(store, home, page, provider, loop)
        finally:
            page.close()
            page.deleteLater()
            loop.run_until_complete(provider.close())
            loop.close()
            asyncio.set_event_loop(None)
            store.dispose()
            emulator.stop()
            collector.uninstall()
            collector.deleteLater()


def _run_campaign(store, home, page, provider, loop) -> Campaign:
    campaign_id, _ = make_campaign(
        store, "Emulated", NUMBERS, concurrency=3, per_minute=600, max_attempts=1
    )
    page.resize(1400, 900)
    page.show()
    page.set_campaign(campaign_id)
    assert page.model.rowCount() == 0
    service = DialerService(
        store, provider, recordings_dir=home / "recordings", poll_interval_s=0.03, cps=50
    )
    events = collections.Counter()

    def forward(event):  # what the GUI's dialer bridge does, on the same (qasync) loop
        if isinstance(event, ContactChanged):
            events["contact"] += 1
            page.on_contact_changed(event.campaign_id, event.contact_id, event.status)
        elif isinstance(event, CallEnded):
            events["ended"] += 1
            page.on_call_ended(event.campaign_id, event.call_id)

    service.subscribe(forward)

    async def run():
        await service.start()
        try:
            await asyncio.wait_for(service.run_until_done([campaign_id]), 60)
        finally:
            await service.stop()

    loop.run_until_complete(run())
    with store.session() as session:
        calls = {c.contact.phone: c for c in session.scalars(select(Call))}
    return Campaign(store, home, page, campaign_id, events, calls)


def test_every_call_arrives_live_without_a_reload(qtbot, campaign):
    page = campaign.page
    assert campaign.events["ended"] == 10 and campaign.events["contact"] >= 10
    assert page.model.rowCount() == len(campaign.calls) == 10
    assert set(page.model.loaded_ids()) == {c.id for c in campaign.calls.values()}
    qtbot.waitUntil(lambda: page.stats.calls.value.text() == "10", timeout=3000)


def test_the_stats_equal_a_hand_count_of_the_rows(campaign):
    store, campaign_id = campaign.store, campaign.campaign_id
    with store.session() as session:
        stats = campaign_stats(session, campaign_id)
        assert read_counters(session, campaign_id) == counts_from_rows(session, campaign_id)
        by_status = collections.Counter(c.status for c in session.scalars(select(Contact)))
    assert stats["total_calls"] == 10
    assert stats["contacts_by_status"]["completed"] == by_status["completed"] == 7
    assert stats["calls_by_status"]["busy"] == 1 and stats["calls_by_status"]["failed"] == 1
    # Polled (no callbacks), so no AMD was asked for: Twilio tells nobody it was a machine.
    assert stats["voicemail"] == 0
    assert stats["talk_time_total_s"] == sum(
        c.duration_s or 0 for c in campaign.calls.values() if c.status == "completed"
    )


def test_outcomes_prefill_the_disposition(campaign):
    # The callee who asked not to be called again (voicemail: see tests/results/test_edits).
    with campaign.store.session() as session:
        assert session.get(Call, campaign.calls[ASKS_FOR_NO_CALLS].id).disposition == (
            "Do not call"
        )


def test_an_answered_calls_recording_plays_to_the_end_and_seeks_from_the_transcript(
    qtbot, campaign
):
    page = campaign.page
    assert page.select_call(campaign.calls[HUMAN].id)
    assert page.player.has_media, page.player.message.text()
    assert page.transcript.turn_count() >= 2
    player = page.player.player
    qtbot.waitUntil(
        lambda: player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=5000
    )
    assert player.duration() > 2000
    # Clicking the second turn seeks there.
    offset = _click_second_turn(qtbot, page)
    qtbot.waitUntil(lambda: player.position() >= offset, timeout=5000)
    positions = []
    page.player.positionChanged.connect(positions.append)
    page.player.set_speed(2.0)
    with qtbot.waitSignal(page.player.endOfMedia, timeout=20_000):
        page.player.seek(player.duration() - 1500)
        page.player.play()
    assert positions and positions[-1] >= player.duration() - 100
    page.player.positionChanged.disconnect(positions.append)
    page.player.set_speed(1.0)


def test_edits_stick_across_a_restart_and_the_screenshot_shows_them(qtbot, campaign):
    page, human = campaign.page, campaign.calls[HUMAN]
    assert page.select_call(human.id)
    page.disposition.choose("Call back")
    qtbot.keyClicks(page.notes.edit, "Call after 5pm")
    page.notes.flush()

    # The screenshot for the issue: this real call selected, its second turn playing.
    offset = page.transcript.list.item(1).data(Qt.ItemDataRole.UserRole + 1)
    page.player.pause()
    page.player.seek(offset + 200)
    qtbot.waitUntil(lambda: page.transcript.playing_row() == 1, timeout=5000)
    qtbot.waitUntil(lambda: "Call back: 1" in page.stats.disposition_bar.toolTip(), timeout=3000)
    assert page.grab().save(SCREENSHOT)
    fresh = open_store(campaign.home)
    try:
        with fresh.session() as session:
            kept = session.get(Call, human.id)
            assert (kept.disposition, kept.notes) == ("Call back", "Call after 5pm")
    finally:
        fresh.dispose()


def _click_second_turn(qtbot, page) -> float:
    item = page.transcript.list.item(1)
    rect = page.transcript.list.visualItemRect(item)
    qtbot.mouseClick(page.transcript.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return item.data(Qt.ItemDataRole.UserRole + 1)
