"""ResultsController on its own: real SQLite, signals observed with pytest-qt, no widgets."""

from __future__ import annotations

import asyncio

import pytest

from app.domain.media_state import RecordingState, TranscriptState
from app.results.calls import CallDetail
from app.store.campaigns import create_campaign
from app.store.models import Call, DncEntry
from app.telephony.base import TranscriptSentence
from app.telephony.errors import ProviderError
from app.ui.results.controller import STATS_DELAY_MS, ResultsController


@pytest.fixture
def controller(qtbot, store, seeded):
    ctl = ResultsController(store)
    ctl.set_campaign(seeded.campaign_id)
    return ctl


class Recorder:
    """Every emission of the controller's signals, in order: [(name, args), ...]."""

    NAMES = ("campaignsChanged", "statsChanged", "detailChanged", "callChanged", "notesSaved")
    NAMES += ("error",)

    def __init__(self, controller: ResultsController) -> None:
        self.seen: list[tuple[str, tuple]] = []
        for name in self.NAMES:
            getattr(controller, name).connect(
                lambda *args, name=name: self.seen.append((name, args))
            )

    def names(self) -> list[str]:
        return [name for name, _ in self.seen]

    def args(self, wanted: str) -> list[tuple]:
        return [args for name, args in self.seen if name == wanted]


def test_the_picker_lists_campaigns_oldest_first(qtbot, store, seeded):
    with store.session.begin() as session:
        later = create_campaign(session, "Autumn follow-up", caller_id="+15005550006").id
    ctl = ResultsController(store)
    with qtbot.waitSignal(ctl.campaignsChanged) as shown:
        ctl.reload_campaigns()
    assert shown.args == [[(seeded.campaign_id, "Spring promo"), (later, "Autumn follow-up")]]


def test_choosing_a_campaign_clears_the_call_and_shows_its_stats(qtbot, store, seeded):
    ctl = ResultsController(store)
    seen = Recorder(ctl)
    ctl.set_campaign(seeded.campaign_id)
    assert seen.names() == ["detailChanged", "statsChanged"]
    assert seen.args("detailChanged") == [(None,)]
    (stats,) = seen.args("statsChanged")[0]
    assert stats["campaign_id"] == seeded.campaign_id and stats["total_calls"] == 14
    ctl.set_campaign(seeded.campaign_id)  # the same campaign again: nothing to do
    assert len(seen.seen) == 2
    ctl.set_campaign(None)
    assert seen.seen[-1] == ("statsChanged", (None,))
    assert ctl.dispositions() == []


def test_dispositions_are_the_campaigns(controller):
    assert controller.dispositions()[:3] == ["Interested", "Not interested", "Call back"]


def test_selecting_a_call_shows_its_typed_detail(controller, seeded):
    seen = Recorder(controller)
    controller.select_call(seeded.recorded_call_id)
    (detail,) = seen.args("detailChanged")[-1]
    assert isinstance(detail, CallDetail) and detail is controller.detail
    assert detail.row.id == seeded.recorded_call_id
    assert detail.recording_state == RecordingState.DOWNLOADED
    assert detail.transcript_state == TranscriptState.UNSET
    assert len(detail.turns) == 4
    controller.select_call(None)
    assert seen.seen[-1] == ("detailChanged", (None,)) and controller.detail is None


def test_a_voicemail_is_prefilled_on_first_sight_and_the_table_told(qtbot, controller, seeded):
    seen = Recorder(controller)
    with qtbot.waitSignal(controller.statsChanged, timeout=STATS_DELAY_MS * 8):
        controller.select_call(seeded.voicemail_call_id)
        assert seen.names() == ["callChanged", "detailChanged"]
    assert seen.args("callChanged") == [(seeded.voicemail_call_id,)]
    assert controller.detail.row.disposition == "Voicemail"
    controller.select_call(seeded.voicemail_call_id)  # already set: nothing changes now
    assert seen.names().count("callChanged") == 1


def test_a_disposition_is_saved_and_counted_once_per_burst(qtbot, store, controller, seeded):
    call_id = seeded.call_ids[5]
    controller.select_call(call_id)
    seen = Recorder(controller)
    with qtbot.waitSignal(controller.statsChanged, timeout=STATS_DELAY_MS * 8) as refreshed:
        controller.choose_disposition("Interested")
        controller.choose_disposition("Do not call")
    assert seen.args("callChanged") == [(call_id,), (call_id,)]
    assert refreshed.args[0]["dispositions"]["Do not call"] == 1
    qtbot.wait(STATS_DELAY_MS * 2)
    assert seen.names().count("statsChanged") == 1
    with store.session() as session:
        assert session.get(Call, call_id).disposition == "Do not call"
        assert session.query(DncEntry).count() == 1
    controller.choose_disposition("")  # clearing it takes the DNC entry it added off again
    with store.session() as session:
        assert session.get(Call, call_id).disposition is None
        assert session.query(DncEntry).count() == 0


def test_without_a_call_a_disposition_does_nothing(controller):
    seen = Recorder(controller)
    controller.choose_disposition("Interested")
    controller.save_notes("hello")
    assert seen.seen == []


def test_a_call_deleted_meanwhile_is_an_error_for_the_user(store, controller, seeded):
    call_id = seeded.call_ids[2]
    controller.select_call(call_id)
    with store.session.begin() as session:
        session.delete(session.get(Call, call_id))
    seen = Recorder(controller)
    controller.choose_disposition("Interested")
    controller.save_notes("too late")
    assert seen.names() == ["error", "error"]
    assert seen.args("error")[0] == (f"call {call_id} no longer exists",)


def test_notes_are_saved_with_who_and_when(store, controller, seeded):
    shown, other = seeded.call_ids[2], seeded.call_ids[3]
    controller.select_call(shown)
    seen = Recorder(controller)
    controller.save_notes("left a message")
    assert seen.names() == ["callChanged", "notesSaved"]
    by, at = seen.args("notesSaved")[0]
    with store.session() as session:
        call = session.get(Call, shown)
        assert (call.notes, call.notes_by, call.notes_at) == ("left a message", by, at)
    assert by and at.tzinfo is not None
    controller.save_notes("for another call", other)  # flushed after the user moved on
    assert seen.names()[-1] == "callChanged" and seen.args("callChanged")[-1] == (other,)
    assert seen.names().count("notesSaved") == 1


def test_a_call_ending_in_the_shown_campaign_refreshes_row_detail_and_stats(
    qtbot, store, controller, seeded
):
    live = seeded.call_ids[6]  # connected: in progress
    controller.select_call(live)
    with store.session.begin() as session:
        call = session.get(Call, live)
        call.status, call.answered_by, call.duration_s = "completed", "machine_start", 12
        call.ended_at = call.created_at
    seen = Recorder(controller)
    with qtbot.waitSignal(controller.statsChanged, timeout=STATS_DELAY_MS * 8):
        controller.on_call_ended(seeded.campaign_id, live)
    assert seen.names()[:2] == ["callChanged", "detailChanged"]
    assert controller.detail.row.disposition == "Voicemail"  # prefilled as it ended


def test_a_contact_change_points_at_its_latest_call(qtbot, store, controller, seeded):
    with store.session() as session:
        contact_id = session.get(Call, seeded.call_ids[4]).contact_id
    seen = Recorder(controller)
    controller.on_contact_changed(seeded.campaign_id, contact_id, "failed")
    assert seen.args("callChanged") == [(seeded.call_ids[4],)]
    assert "detailChanged" not in seen.names()  # another call is shown (none here)


def test_events_of_other_campaigns_only_refresh_the_picker_when_new(store, controller, seeded):
    seen = Recorder(controller)
    controller.reload_campaigns()
    with store.session.begin() as session:
        newer = create_campaign(session, "Newer", caller_id="+15005550006").id
    controller.on_call_ended(newer, 999_999)
    assert seen.names() == ["campaignsChanged", "campaignsChanged"]
    assert [cid for cid, _ in seen.args("campaignsChanged")[-1][0]] == [
        seeded.campaign_id,
        newer,
    ]
    controller.on_call_ended(newer, 999_999)  # known now: not the shown one, so nothing
    assert len(seen.seen) == 2


class FakeProvider:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.asked: list[str] = []

    async def transcribe(self, recording):
        self.asked.append(recording.sid)
        if self.error is not None:
            raise self.error
        return [TranscriptSentence("agent", "Hello, is this Contact 05?", 0.4, 1.4)]


def test_no_provider_means_no_transcript_request(store, seeded):
    ctl = ResultsController(store)  # no provider_factory: the CLI-less, account-less case
    ctl.set_campaign(seeded.campaign_id)
    ctl.select_call(seeded.pending_call_id)
    assert ctl.transcript_tasks == {} and not ctl.is_transcribing(seeded.pending_call_id)


def test_a_recording_without_turns_is_transcribed_once(qtbot, qloop, store, seeded):
    provider = FakeProvider()
    ctl = ResultsController(store, provider_factory=lambda: provider)
    ctl.set_campaign(seeded.campaign_id)
    ctl.select_call(seeded.pending_call_id)
    assert ctl.is_transcribing(seeded.pending_call_id)
    task = ctl.transcript_tasks[seeded.pending_call_id]
    ctl.select_call(seeded.pending_call_id)  # shown again while in flight: not asked twice
    assert ctl.transcript_tasks[seeded.pending_call_id] is task
    with qtbot.waitSignal(ctl.detailChanged, timeout=5000) as reloaded:
        qloop.run_until_complete(task)
    detail = reloaded.args[0]
    assert [turn.text for turn in detail.turns] == ["Hello, is this Contact 05?"]
    assert detail.transcript_state == TranscriptState.DONE
    assert not ctl.is_transcribing(seeded.pending_call_id)
    ctl.select_call(seeded.pending_call_id)
    assert provider.asked == ["RE" + "5" * 32] and ctl.transcript_tasks == {}


def test_a_failed_transcript_is_told_and_stored_as_unavailable(qtbot, qloop, store, seeded):
    provider = FakeProvider(ProviderError("Voice Intelligence is not enabled"))
    ctl = ResultsController(store, provider_factory=lambda: provider)
    ctl.set_campaign(seeded.campaign_id)
    seen = Recorder(ctl)
    ctl.select_call(seeded.pending_call_id)
    task = ctl.transcript_tasks[seeded.pending_call_id]
    with qtbot.waitSignal(ctl.error, timeout=5000) as told:
        qloop.run_until_complete(asyncio.wait([task]))  # its error goes to spawn, not here
    assert told.args[0].startswith("Could not get the transcript: ")
    assert "Voice Intelligence is not enabled" in told.args[0]
    qtbot.waitUntil(lambda: not ctl.is_transcribing(seeded.pending_call_id))
    state = seen.args("detailChanged")[-1][0].transcript_state
    assert state.is_unavailable and "Voice Intelligence is not enabled" in state.reason
