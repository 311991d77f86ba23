"""The call header: who, when, how it ended, and whether the call was real."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from app.domain.media_state import RecordingState, TranscriptState
from app.results.calls import CallDetail, CallRow
from app.ui.results.header import CallHeader

ROW = CallRow(
    id=1,
    contact_id=1,
    name="Ada Lovelace",
    phone="+14155550101",
    status="completed",
    attempt=1,
    created_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    duration_s=42,
    answered_by="human",
    disposition=None,
    has_notes=False,
)
DETAIL = CallDetail(
    row=ROW,
    campaign_id=1,
    dispositions=[],
    provider_sid="CA" + "0" * 32,
    answered_at=None,
    ended_at=None,
    error_code=None,
    error_message=None,
    recording_sid=None,
    recording_path=None,
    recording_state=RecordingState.NONE,
    transcript_state=TranscriptState.NONE,
    notes="",
    notes_by=None,
    notes_at=None,
)


def test_a_simulated_call_says_nobody_was_called(qtbot):
    header = CallHeader()
    qtbot.addWidget(header)
    header.show_call(replace(DETAIL, simulated=True))
    assert "Simulated call (demo mode): nobody was called" in header.facts.text()
    header.show_call(DETAIL)
    assert "Simulated" not in header.facts.text()
    assert "duration 0:42" in header.facts.text()
