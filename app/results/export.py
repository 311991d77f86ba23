"""Export a campaign's calls to CSV or XLSX, one row per call attempt (those a filter
selects: Results exports what it shows).

Cells a spreadsheet would run as a formula are neutralised with a leading apostrophe (OWASP
CSV-injection advice), in both formats, as the very last step before a cell is written (after
XLSX drops the control characters it cannot store, which could otherwise uncover a trigger);
XLSX text cells are also typed as text, so none can become a formula. A phone number in E.164
("+12025550123") is a number literal, not a formula, and is written as it is.

Times are in the user's time zone (the computer's, unless one is given), to the second: XLSX
cells are real dates a spreadsheet can sort and compute with, CSV cells ISO 8601 with the
offset ("2026-11-20T09:00:05-05:00").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Generator, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.results.agent_results import AgentVersionRef, step_path_text
from app.results.calls import CallFilter, count_calls, iter_call_records
from app.store.models import Call, Contact

# OWASP's triggers, with the full-width forms some spreadsheets also read as formulas.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What a spreadsheet or a cleaning step may skip or drop before it reads the first character.
_SKIPPABLE = re.compile(r"^[\x00-\x20\x7f\u00a0\u200b-\u200f\u2028\u2029\ufeff]+")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")  # a number literal: nothing for a spreadsheet to run
# Record keys holding ISO times (calls.py writes them so for `calls --json`).
TIME_KEYS = {"created_at", "answered_at", "ended_at", "notes_at", "callback_at"}
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"

# (column heading, record key) after phone and name and the contact variables.
TAIL_COLUMNS = [
    ("status", "status"),
    ("attempt", "attempt"),
    ("attempts", "attempts"),
    ("started", "created_at"),
    ("answered", "answered_at"),
    ("ended", "ended_at"),
    ("duration_s", "duration_s"),
    ("answered_by", "answered_by"),
    ("error", "error"),
    ("disposition", "disposition"),
    ("notes", "notes"),
    ("notes_by", "notes_by"),
    ("notes_at", "notes_at"),
    ("recording", "recording"),
    ("transcript", "transcript"),
    ("provider_sid", "provider_sid"),
    ("simulated", "simulated"),  # placed through the emulator in demo mode
]
# What the voice agent made of the call; its captured fields come between these two lists,
# one `captured_<name>` column per field name.
AGENT_COLUMNS = ["outcome", "agent_version", "summary", "suggested_disposition"]
AGENT_TAIL_COLUMNS = ["step_path", "callback_at", "dnc_evidence", "dnc_offset_s"]
CAPTURED_PREFIX = "captured_"

# progress(rows_written, total_rows) -> False to cancel
Progress = Callable[[int, int], bool]


class ExportCancelled(Exception):
    def __init__(self, rows: int) -> None:
        super().__init__(f"export cancelled after {rows} rows")
        self.rows = rows


def neutralise(value: Any) -> Any:
    """A string a spreadsheet would treat as a formula gets a leading apostrophe, also when
    the trigger hides behind spaces or control characters (which a reader may skip)."""
    if not isinstance(value, str) or _E164.match(value):
        return value
    skipped = _SKIPPABLE.match(value)
    prefix = skipped.group() if skipped else ""
    if value[len(prefix) :].startswith(FORMULA_TRIGGERS) or "\t" in prefix or "\r" in prefix:
        return "'" + value
    return value


def variable_names(session: Session, campaign_id: int) -> list[str]:
    """Every contact variable of the campaign, in first-seen order."""
    names: dict[str, None] = {}
    for fields in session.scalars(
        select(Contact.fields)
        .where(Contact.campaign_id == campaign_id, Contact.id.in_(_called_contacts(campaign_id)))
        .order_by(Contact.id)
    ):
        for key in fields or {}:
            # The importer keeps the mapped phone/name columns among the variables too;
            # they are the first two columns already.
            if str(key).strip().casefold() not in ("phone", "name"):
                names.setdefault(str(key), None)
    return list(names)


def _called_contacts(campaign_id: int):
    return select(Call.contact_id).where(Call.campaign_id == campaign_id)


def captured_names(session: Session, campaign_id: int) -> list[str]:
    """Every field name the agent captured on the campaign's calls, in first-seen order."""
    names: dict[str, None] = {}
    for fields in session.scalars(
        select(Call.agent_fields)
        .where(Call.campaign_id == campaign_id, Call.agent_fields.is_not(None))
        .order_by(Call.id)
    ):
        if isinstance(fields, dict):
            names.update(dict.fromkeys(str(key) for key in fields))
    return list(names)


def headings(variables: list[str], captured: Sequence[str] = ()) -> list[str]:
    agent = [*AGENT_COLUMNS, *(CAPTURED_PREFIX + c for c in captured), *AGENT_TAIL_COLUMNS]
    reserved = {"phone", "name"} | {h for h, _ in TAIL_COLUMNS} | set(agent)
    # A variable named like one of our columns gets a prefix, so no column is ambiguous.
    shown = [f"var_{v}" if v in reserved else v for v in variables]
    return ["phone", "name", *shown, *(h for h, _ in TAIL_COLUMNS), *agent]


def row_values(
    record: dict[str, Any],
    variables: list[str],
    captured: Sequence[str] = (),
    tz: tzinfo | None = None,
) -> list[Any]:
    """The row's cells: plain values, and times as aware datetimes in *tz* (None: the
    computer's zone) to the second; each writer formats and neutralises what it writes."""
    fields = record["fields"]
    agent_fields = record["agent_fields"] or {}
    values = [record["phone"], record["name"]]
    values += [_plain(fields.get(v)) for v in variables]
    values += [_cell(record, key, tz) for _, key in TAIL_COLUMNS]
    values += [_cell(record, key, tz) for key in AGENT_COLUMNS]
    values += [_plain(agent_fields.get(c)) for c in captured]
    values += [_cell(record, key, tz) for key in AGENT_TAIL_COLUMNS]
    return values


def _cell(record: dict[str, Any], key: str, tz: tzinfo | None) -> Any:
    value = record[key]
    if key in TIME_KEYS and value:
        return datetime.fromisoformat(value).astimezone(tz).replace(microsecond=0)
    return _plain(_agent_cell(record, key))


def _agent_cell(record: dict[str, Any], key: str) -> Any:
    """The flat form of an agent value: "Clinic reminder v3", "greet → confirm"."""
    value = record[key]
    if key == "agent_version" and value:
        return AgentVersionRef(**value).label
    if key == "step_path" and value:
        return step_path_text(value)
    return value


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def export_steps(
    session: Session,
    campaign_id: int,
    fmt: Literal["csv", "xlsx"],
    out: Path,
    *,
    flt: CallFilter | None = None,
    tz: tzinfo | None = None,
    batch: int = 1000,
) -> Generator[tuple[int, int], None, int]:
    """Export the calls *flt* selects in steps: yields (rows written, rows in all) after each
    *batch* rows, returns the rows written; times are in *tz* (None: the computer's zone).
    The GUI runs one step per event-loop turn (no thread); closing the generator early
    cancels.

    The file is written beside *out* and moved into place at the end, so a cancelled or failed
    export never leaves half a file under the chosen name.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r} (csv or xlsx)")
    out = Path(out)
    variables = variable_names(session, campaign_id)
    captured = captured_names(session, campaign_id)
    flt = flt or CallFilter()
    total = count_calls(session, campaign_id, flt)
    partial = out.with_name(out.name + ".part")
    writer = _CsvWriter(partial) if fmt == "csv" else _XlsxWriter(partial)
    written = 0
    finished = False
    try:
        writer.write(headings(variables, captured))
        for record in iter_call_records(session, campaign_id, flt):
            writer.write(row_values(record, variables, captured, tz))
            written += 1
            if written % batch == 0:
                yield written, total
        writer.close()
        partial.replace(out)
        finished = True
    finally:
        if not finished:  # cancelled (generator closed) or failed
            writer.discard()
            partial.unlink(missing_ok=True)
    yield written, total
    return written


def export_calls(
    session: Session,
    campaign_id: int,
    fmt: Literal["csv", "xlsx"],
    out: Path,
    *,
    flt: CallFilter | None = None,
    tz: tzinfo | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the campaign's calls (those *flt* selects) to *out*; returns the number of rows
    written.

    *progress(done, total)* is called every few hundred rows; returning False cancels
    (ExportCancelled is raised and no file is left).
    """
    steps = export_steps(session, campaign_id, fmt, out, flt=flt, tz=tz, batch=500)
    written = 0
    for written, total in steps:
        if progress is not None and progress(written, total) is False:
            steps.close()
            raise ExportCancelled(written)
    return written


class _CsvWriter:
    def __init__(self, path: Path) -> None:
        # utf-8-sig: Excel opens the file with the right encoding when it sees the BOM.
        self._handle = path.open("w", newline="", encoding="utf-8-sig")
        self._writer = csv.writer(self._handle)

    def write(self, values: list[Any]) -> None:
        self._writer.writerow([self._text(v) for v in values])

    @staticmethod
    def _text(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.isoformat()
        return neutralise(value)

    def close(self) -> None:
        self._handle.close()

    def discard(self) -> None:
        self._handle.close()


class _XlsxWriter:
    def __init__(self, path: Path) -> None:
        from openpyxl import Workbook

        self._path = path
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet("Calls")
        self._saved = False

    def write(self, values: list[Any]) -> None:
        self._sheet.append([self._cell(neutralise(_xlsx_safe(v))) for v in values])

    def _cell(self, value: Any) -> Any:
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, datetime):  # a real date; Excel has no zones: the local clock
            cell = WriteOnlyCell(self._sheet, value=value.replace(tzinfo=None))
            cell.number_format = XLSX_DATE_FORMAT
            return cell
        if not isinstance(value, str):
            return value
        cell = WriteOnlyCell(self._sheet, value=value)
        cell.data_type = "s"  # text, whatever it looks like: openpyxl makes "=…" a formula
        return cell

    def close(self) -> None:
        if not self._saved:  # write-only workbooks are saved once
            self._saved = True
            with self._path.open("wb") as handle:
                self._workbook.save(handle)

    def discard(self) -> None:
        self._saved = True  # nothing to save (openpyxl removes its temp file at exit)


def _xlsx_safe(value: Any) -> Any:
    """openpyxl refuses control characters other than tab/newline/CR in cells."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
