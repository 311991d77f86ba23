from __future__ import annotations

import asyncio
import csv
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.media_state import TranscriptState
from app.results.calls import CallFilter, call_detail, call_ids, call_records, count_calls
from app.results.edits import (
    DO_NOT_CALL,
    prefill_disposition,
    save_notes,
    set_disposition,
)
from app.results.export import ExportCancelled, export_calls, neutralise
from app.results.transcripts import request_transcript
from app.settings import set_setting
from app.store.engine import open_store
from app.store.models import Call, DncEntry, TranscriptTurn
from app.telephony.base import TranscriptSentence
from tests.results.results_seed import seed_campaign

NEW_YORK = ZoneInfo("America/New_York")


def test_call_records_hold_every_attempt_with_iso_times(store, seeded):
    with store.session() as session:
        records = call_records(session, seeded.campaign_id)
    json.dumps(records)  # JSON-able as `calldeck calls --json` prints it
    assert [r["call_id"] for r in records] == seeded.call_ids
    first = records[0]
    assert first["phone"] == "+12025550000"
    assert first["status"] == "completed"
    assert first["created_at"] == "2026-11-27T09:00:00+00:00"
    assert first["recording"] == str(seeded.recording)
    assert first["transcript"].splitlines()[0] == (
        "[0:00] agent: Hi, this is Ava from Acme. Is now a good time?"
    )
    for key in (
        "contact_id",
        "name",
        "attempt",
        "provider_sid",
        "answered_at",
        "ended_at",
        "duration_s",
        "answered_by",
        "error",
        "disposition",
        "notes",
    ):
        assert key in first
    pending = next(r for r in records if r["call_id"] == seeded.pending_call_id)
    assert pending["recording"] is None and pending["transcript"] is None


def test_ids_sort_and_filter(store, seeded):
    with store.session.begin() as session:
        set_disposition(session, seeded.call_ids[2], "Call back")
        save_notes(session, seeded.call_ids[4], "asked for Maria", by="sam")
    with store.session() as session:
        cid = seeded.campaign_id
        assert call_ids(session, cid) == list(reversed(seeded.call_ids))  # newest first
        assert call_ids(session, cid, sort="started", descending=False) == seeded.call_ids
        assert call_ids(session, cid, CallFilter(status="busy")) == [
            seeded.call_ids[10],
            seeded.call_ids[3],
        ]
        assert call_ids(session, cid, CallFilter(disposition="Call back")) == [seeded.call_ids[2]]
        assert call_ids(session, cid, CallFilter(text="MARIA")) == [seeded.call_ids[4]]
        assert call_ids(session, cid, CallFilter(text="Contact 1")) == list(
            reversed(seeded.call_ids[10:])
        )
        assert call_ids(session, cid, CallFilter(text="100%")) == []
        assert count_calls(session, cid, CallFilter(status="completed")) == 6
        by_name = call_ids(session, cid, sort="contact", descending=False, offset=2, limit=3)
        assert by_name == seeded.call_ids[2:5]


def test_disposition_and_notes_survive_a_restart_and_do_not_call_adds_dnc(store, home, seeded):
    call_id = seeded.call_ids[0]
    with store.session.begin() as session:
        set_setting(session, "operator_name", "Dana")
    with store.session.begin() as session:
        set_disposition(session, call_id, DO_NOT_CALL)
        save_notes(session, call_id, "was polite but firm")
    store.dispose()
    reopened = open_store(home)
    with reopened.session() as session:
        detail = call_detail(session, call_id)
        assert detail.row.disposition == DO_NOT_CALL
        assert detail.notes == "was polite but firm"
        assert detail.notes_by == "Dana" and detail.notes_at is not None
        entry = session.scalar(select(DncEntry).where(DncEntry.phone == detail.row.phone))
        assert entry.source == "disposition"
    with reopened.session.begin() as session:
        set_disposition(session, call_id, "Interested")  # undo: the entry we added goes
    with reopened.session() as session:
        assert session.scalar(select(DncEntry).where(DncEntry.phone == "+12025550000")) is None
    reopened.dispose()


def test_prefill_from_the_outcome(store, seeded):
    with store.session.begin() as session:
        assert prefill_disposition(session, seeded.voicemail_call_id) == "Voicemail"
        assert prefill_disposition(session, seeded.call_ids[2]) is None  # no answer
        session.add(
            TranscriptTurn(
                call_id=seeded.call_ids[5],
                speaker="callee",
                text="Please do not call me again.",
                offset_s=3.0,
            )
        )
        session.flush()
        assert prefill_disposition(session, seeded.call_ids[5]) == DO_NOT_CALL
        assert prefill_disposition(session, seeded.voicemail_call_id) is None  # already set
    with store.session() as session:
        assert session.get(Call, seeded.voicemail_call_id).disposition == "Voicemail"
        assert session.scalar(select(DncEntry.source)) == "disposition"


def test_prefill_takes_the_voice_agents_suggestion_unless_the_supervisor_chose(store, seeded):
    human_call, other_call = seeded.call_ids[0], seeded.call_ids[7]  # completed, human
    with store.session.begin() as session:
        for call_id in (human_call, other_call):
            call = session.get(Call, call_id)
            call.outcome, call.suggested_disposition = "callback", "Call back"
        set_disposition(session, other_call, "Not interested")
        unoffered = session.get(Call, seeded.call_ids[5])  # completed, human
        unoffered.outcome, unoffered.suggested_disposition = "completed", "Booked"
        session.flush()
        assert prefill_disposition(session, human_call) == "Call back"
        assert prefill_disposition(session, other_call) is None
        assert prefill_disposition(session, unoffered.id) is None  # not in the campaign's list
    with store.session() as session:
        assert session.get(Call, human_call).disposition == "Call back"
        assert session.get(Call, other_call).disposition == "Not interested"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trips_and_neutralises_formulas(store, tmp_path, fmt, seeded):
    with store.session.begin() as session:
        save_notes(session, seeded.call_ids[1], "=cmd|' /C calc'!A0", by="x")
        save_notes(session, seeded.call_ids[2], "@SUM(1)", by="x")
        set_disposition(session, seeded.call_ids[1], "Voicemail")
    out = tmp_path / f"calls.{fmt}"
    with store.session() as session:
        written = export_calls(session, seeded.campaign_id, fmt, out, tz=NEW_YORK)
        records = call_records(session, seeded.campaign_id)
    assert written == len(seeded.call_ids)
    rows = _read(out, fmt)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["phone", "name", "city", "plan"]
    for column in (
        "status",
        "attempts",
        "started",
        "ended",
        "duration_s",
        "answered_by",
        "disposition",
        "notes",
        "recording",
        "transcript",
    ):
        assert column in header
    table = [dict(zip(header, row, strict=True)) for row in body]
    assert len(table) == len(records)
    for row, record in zip(table, records, strict=True):
        assert row["phone"] == record["phone"]  # E.164 is a number literal: no apostrophe
        assert row["name"] == record["name"]
        assert _text(row["disposition"]) == (record["disposition"] or "")
        started = datetime.fromisoformat(record["created_at"]).astimezone(NEW_YORK)
        if fmt == "csv":  # ISO 8601 with the offset, to the second
            assert row["started"] == started.replace(microsecond=0).isoformat()
            assert row["started"].endswith("-05:00")
        else:  # a real date cell on the user's clock
            assert row["started"] == started.replace(microsecond=0, tzinfo=None)
        assert _text(row["duration_s"]) == _text(record["duration_s"])
    assert table[1]["notes"] == "'=cmd|' /C calc'!A0"
    assert table[2]["notes"] == "'@SUM(1)"
    assert table[3]["plan"] == "'=HYPERLINK(1)"
    assert table[0]["recording"] == str(seeded.recording)
    assert table[0]["transcript"].startswith("[0:00] agent: Hi")


def _text(value) -> str:
    return "" if value is None else str(value)


def _read(path, fmt):
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    # Not read-only: that mode ends a row at its last value, this one keeps every column.
    sheet = load_workbook(path).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_neutralise():
    for dangerous in ("=1+1", "+1", "-2", "@x", "\tx", "\rx", "+1202555+1", "+1(2)"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("plain") == "plain"
    assert neutralise("+12025550123") == "+12025550123"  # E.164: a number, nothing to run
    assert neutralise(-3) == -3


def test_xlsx_types_dates_and_phone_numbers(store, tmp_path, seeded):
    out = tmp_path / "calls.xlsx"
    with store.session() as session:
        export_calls(session, seeded.campaign_id, "xlsx", out, tz=NEW_YORK)
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    phone = sheet.cell(row=2, column=header.index("phone") + 1)
    started = sheet.cell(row=2, column=header.index("started") + 1)
    assert (phone.data_type, phone.value) == ("s", "+12025550000")
    assert started.is_date and started.number_format == "yyyy-mm-dd hh:mm:ss"
    assert started.value == datetime(2026, 11, 27, 4, 0)  # 09:00 UTC on a New York clock


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_writes_what_the_filter_shows(store, tmp_path, fmt, seeded):
    out = tmp_path / f"calls.{fmt}"
    with store.session() as session:
        shown = CallFilter(status="busy")
        written = export_calls(session, seeded.campaign_id, fmt, out, flt=shown)
        busy = call_ids(session, seeded.campaign_id, shown)
        found = export_calls(session, seeded.campaign_id, fmt, out, flt=CallFilter(text="ct 03"))
    header, *body = _read(out, fmt)
    assert written == len(busy) > 0
    assert found == 1 and [r[header.index("name")] for r in body] == ["Contact 03"]


def test_cancelled_export_leaves_no_file(store, home, tmp_path):
    seeded = seed_campaign(store, home, contacts=1200)
    out = tmp_path / "calls.csv"
    with store.session() as session, pytest.raises(ExportCancelled):
        export_calls(session, seeded.campaign_id, "csv", out, progress=lambda done, total: False)
    assert not out.exists() and not list(tmp_path.glob("*.part"))


class FakeProvider:
    def __init__(self):
        self.requests = []
        self.closed = False

    async def transcribe(self, recording):
        self.requests.append(recording)
        return [
            TranscriptSentence("agent", "Hello there.", 0.5, 1.5),
            TranscriptSentence("callee", "Who is this?", 1.8, 2.4),
        ]

    async def close(self):
        self.closed = True


def test_transcript_is_requested_once_for_a_recording_without_turns(store, seeded):
    provider = FakeProvider()
    stored = asyncio.run(request_transcript(store, lambda: provider, seeded.pending_call_id))
    assert stored == 2 and not provider.closed  # the app owns the provider
    assert provider.requests[0].sid == "RE" + "5" * 32
    with store.session() as session:
        detail = call_detail(session, seeded.pending_call_id)
    assert [(t.speaker, t.text, t.offset_s) for t in detail.turns] == [
        ("agent", "Hello there.", 0.5),
        ("callee", "Who is this?", 1.8),
    ]
    assert detail.transcript_state == TranscriptState.DONE
    again = asyncio.run(request_transcript(store, lambda: provider, seeded.pending_call_id))
    assert again == 0 and len(provider.requests) == 1
    # A call with agent turns already, or with no recording, asks nothing.
    assert asyncio.run(request_transcript(store, lambda: provider, seeded.recorded_call_id)) == 0
    assert asyncio.run(request_transcript(store, lambda: provider, seeded.call_ids[2])) == 0
    assert len(provider.requests) == 1


def test_a_machine_answered_call_suggests_voicemail(store, seeded):
    from app.results.edits import suggested_disposition
    from app.store.models import Call

    with store.session.begin() as session:
        call = session.get(Call, seeded.call_ids[0])
        call.status, call.answered_by = "voicemail", None  # the outcome alone says it
        assert suggested_disposition(session, call) == "Voicemail"
        call.status = "busy"
        assert suggested_disposition(session, call) is None
