"""The call header: who, when, how it ended, and whether the call was real."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import Qt

from app.domain.media_state import RecordingState, TranscriptState
from app.results.calls import CallDetail, CallRow, end_reason
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


def test_a_failed_call_says_why_in_the_header_and_the_table(qtbot, store, seeded):
    from app.ui.results.calls_model import COLUMNS, CallsTableModel

    header = CallHeader()
    qtbot.addWidget(header)
    failed = replace(ROW, status="failed", reason=end_reason("failed", 13224, "Unreachable"))
    header.show_call(replace(DETAIL, row=failed))
    assert "Unreachable (error 13224)" in header.facts.text()
    header.show_call(replace(DETAIL, row=replace(ROW, status="failed", reason=None)))
    assert "error" not in header.facts.text()

    model = CallsTableModel(store)
    model.set_campaign(seeded.campaign_id)
    status = [key for _, key in COLUMNS].index("status")
    tips = {
        model.data(model.index(r, status)): model.data(
            model.index(r, status), Qt.ItemDataRole.ToolTipRole
        )
        for r in range(model.rowCount())
    }
    assert tips["Failed"] == "The call failed; the provider gave no reason"
    assert tips["Busy"] == "The line was busy"
    assert tips["Completed"] is None


def test_end_reason_quotes_the_provider_first():
    assert end_reason("failed", 21215, "Geo permission") == "Geo permission (error 21215)"
    assert end_reason("failed", None, "Refused") == "Refused"
    assert end_reason("failed", 31005, None) == "The provider reported an error (error 31005)"
    assert end_reason("no_answer", None, None) == "Nobody answered"
    assert end_reason("completed", None, None) is None
