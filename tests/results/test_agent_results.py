"""What the voice agent made of each call: read back for the detail pane, `calls --json` and
both exports, from a real SQLite file the app's own migrations built."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.agents.actions import OUTCOMES
from app.results.agent_results import (
    OUTCOME_LABELS,
    contact_zone,
    field_label,
    field_text,
    moment_text,
    outcome_label,
)
from app.results.calls import AGENT_RECORD_KEYS, call_detail, call_records, call_rows
from app.results.export import export_calls
from app.store.agents import delete_agent
from app.store.models import Agent, Call
from tests.results.results_seed import CALLBACK_AT, seed_agent_results


@pytest.fixture
def agent_calls(store, seeded):
    return seed_agent_results(store, seeded)


def test_every_outcome_the_agent_can_end_with_has_a_label():
    assert set(OUTCOME_LABELS) == set(OUTCOMES)
    assert outcome_label("dnc") == "Do not call"
    assert outcome_label("some_new_outcome") == "Some new outcome"
    assert outcome_label(None) == ""


def test_the_detail_reads_the_agent_result(store, agent_calls):
    with store.session() as session:
        detail = call_detail(session, agent_calls.callback_call_id)
    agent = detail.agent
    assert agent.outcome == "callback"
    assert agent.version.label == "Clinic reminder v3"
    assert agent.fields["confirmed"] is True and agent.fields["visits"] == 2
    assert agent.step_path == ["greet", "confirm", "offer_callback", "goodbye"]
    assert agent.summary.startswith("The callee asked to be called back.")
    assert agent.suggested_disposition == "Call back"
    assert agent.callback_at == CALLBACK_AT
    assert agent.contact_zone == ZoneInfo("America/New_York")


def test_a_dnc_call_keeps_the_callee_words_and_when(store, agent_calls):
    with store.session() as session:
        agent = call_detail(session, agent_calls.dnc_call_id).agent
    assert (agent.outcome, agent.dnc_evidence, agent.dnc_offset_s) == (
        "dnc",
        "take me off your list",
        12.4,
    )


def test_an_old_call_has_no_agent_result(store, agent_calls):
    with store.session() as session:
        assert call_detail(session, agent_calls.old_call_id).agent is None
        row = call_rows(session, [agent_calls.old_call_id])[agent_calls.old_call_id]
    assert row.outcome is None


def test_the_table_rows_carry_the_outcome(store, seeded, agent_calls):
    with store.session() as session:
        rows = call_rows(session, seeded.call_ids)
    assert rows[agent_calls.dnc_call_id].outcome == "dnc"
    assert rows[agent_calls.voicemail_call_id].outcome == "voicemail_left"


def test_a_deleted_agent_still_names_the_version(store, agent_calls):
    with store.session.begin() as session:
        agent_id = session.query(Agent.id).filter_by(name="Clinic reminder").scalar()
        delete_agent(session, agent_id)
    with store.session() as session:
        agent = call_detail(session, agent_calls.dnc_call_id).agent
        (record,) = [
            r
            for r in call_records(session, session.get(Call, agent_calls.dnc_call_id).campaign_id)
            if r["call_id"] == agent_calls.dnc_call_id
        ]
    assert agent.version.label == "Clinic reminder v3"  # from the frozen definition
    assert record["agent_version"] == {"agent": "Clinic reminder", "version": 3}


def test_call_records_hold_the_agent_result(store, seeded, agent_calls):
    with store.session() as session:
        records = {r["call_id"]: r for r in call_records(session, seeded.campaign_id)}
    json.dumps(list(records.values()))  # as `calldeck calls --json` prints them
    callback = records[agent_calls.callback_call_id]
    assert callback["outcome"] == "callback"
    assert callback["agent_version"] == {"agent": "Clinic reminder", "version": 3}
    assert callback["agent_fields"]["callback_time"] == "2026-12-08T15:00:00-05:00"
    assert callback["step_path"] == ["greet", "confirm", "offer_callback", "goodbye"]
    assert callback["callback_at"] == "2026-12-08T20:00:00+00:00"
    assert callback["suggested_disposition"] == "Call back"
    assert callback["fields"]["city"] == "Austin"  # the contact's variables stay `fields`
    dnc = records[agent_calls.dnc_call_id]
    assert (dnc["dnc_evidence"], dnc["dnc_offset_s"]) == ("take me off your list", 12.4)
    old = records[agent_calls.old_call_id]
    assert all(old[key] is None for key in AGENT_RECORD_KEYS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_have_flat_agent_columns(store, tmp_path, fmt, seeded, agent_calls):
    with store.session.begin() as session:
        session.get(Call, agent_calls.dnc_call_id).dnc_evidence = "=HYPERLINK(1) stop calling"
    out = tmp_path / f"calls.{fmt}"
    with store.session() as session:
        export_calls(session, seeded.campaign_id, fmt, out, tz=UTC)
        ids = [r["call_id"] for r in call_records(session, seeded.campaign_id)]
    header, *body = _read(out, fmt)
    tail = header[header.index("outcome") :]
    assert tail == [
        "outcome",
        "agent_version",
        "summary",
        "suggested_disposition",
        "captured_confirmed",
        "captured_insured",
        "captured_visits",
        "captured_preferred_day",
        "captured_callback_time",
        "step_path",
        "callback_at",
        "dnc_evidence",
        "dnc_offset_s",
    ]
    rows = {
        call_id: dict(zip(header, row, strict=True)) for call_id, row in zip(ids, body, strict=True)
    }
    callback = rows[agent_calls.callback_call_id]
    assert callback["outcome"] == "callback"
    assert callback["agent_version"] == "Clinic reminder v3"
    assert _text(callback["captured_confirmed"]) == "True"
    assert _text(callback["captured_visits"]) == "2"
    assert callback["captured_callback_time"] == "2026-12-08T15:00:00-05:00"
    assert callback["step_path"] == "greet → confirm → offer_callback → goodbye"
    if fmt == "csv":
        assert callback["callback_at"] == "2026-12-08T20:00:00+00:00"
    else:  # a real date cell
        assert callback["callback_at"] == datetime(2026, 12, 8, 20, 0)
    dnc = rows[agent_calls.dnc_call_id]
    assert dnc["dnc_evidence"] == "'=HYPERLINK(1) stop calling"  # the callee's words, defused
    assert _text(dnc["dnc_offset_s"]) == "12.4"
    assert _text(dnc["captured_confirmed"]) == ""
    old = rows[agent_calls.old_call_id]
    assert all(_text(old[column]) == "" for column in tail)


def test_a_variable_named_like_an_agent_column_gets_a_prefix(store, tmp_path, seeded, agent_calls):
    with store.session.begin() as session:
        contact = session.get(Call, seeded.call_ids[0]).contact
        contact.fields = {**contact.fields, "outcome": "theirs"}
    out = tmp_path / "calls.csv"
    with store.session() as session:
        export_calls(session, seeded.campaign_id, "csv", out)
    header = _read(out, "csv")[0]
    assert header.count("outcome") == 1 and "var_outcome" in header


def test_captured_values_read_as_a_person_says_them():
    assert field_label("preferred_day") == "Preferred day"
    assert field_text(True) == "yes" and field_text(False) == "no"
    assert field_text(2.0) == "2" and field_text(2.5) == "2.5"
    assert field_text("2026-12-08") == "Tue 8 Dec 2026"
    # In the time the contact gave it in, not the supervisor's.
    assert field_text("2026-12-08T15:00:00-05:00") == "Tue 8 Dec 2026, 15:00"
    assert field_text("2026-99-99") == "2026-99-99"
    assert field_text("next week") == "next week"


def test_a_moment_reads_in_the_contact_zone():
    moment = datetime(2026, 12, 8, 20, 0, tzinfo=UTC)
    assert moment_text(moment, ZoneInfo("America/New_York")) == "Tue 8 Dec 2026, 15:00"
    assert moment_text(moment) == "Tue 8 Dec 2026, 20:00"


def test_the_contact_zone_comes_from_the_variable_else_the_number():
    assert contact_zone({"timezone": "Europe/Paris"}, "+12025550100") == ZoneInfo("Europe/Paris")
    assert contact_zone({"timezone": "Not/AZone"}, "+33142685300") == ZoneInfo("Europe/Paris")
    assert contact_zone({}, "+12025550100") == ZoneInfo("America/New_York")
    assert contact_zone({}, "not a number") is None


def _read(path, fmt):
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    sheet = load_workbook(path).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)
