"""Export a campaign's calls to CSV or XLSX, one row per call attempt.

Cells a spreadsheet would run as a formula are neutralised with a leading apostrophe (OWASP
CSV-injection advice), in both formats.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.results.calls import iter_call_records
from app.store.models import Call, Contact

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

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
]

# progress(rows_written, total_rows) -> False to cancel
Progress = Callable[[int, int], bool]


class ExportCancelled(Exception):
    def __init__(self, rows: int) -> None:
        super().__init__(f"export cancelled after {rows} rows")
        self.rows = rows


def neutralise(value: Any) -> Any:
    """A string a spreadsheet would treat as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
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


def headings(variables: list[str]) -> list[str]:
    reserved = {"phone", "name"} | {h for h, _ in TAIL_COLUMNS}
    # A variable named like one of our columns gets a prefix, so no column is ambiguous.
    shown = [f"var_{v}" if v in reserved else v for v in variables]
    return ["phone", "name", *shown, *(h for h, _ in TAIL_COLUMNS)]


def row_values(record: dict[str, Any], variables: list[str]) -> list[Any]:
    fields = record["fields"]
    values = [record["phone"], record["name"]]
    values += [fields.get(v) for v in variables]
    values += [record[key] for _, key in TAIL_COLUMNS]
    return [neutralise(_plain(v)) for v in values]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def export_calls(
    session: Session,
    campaign_id: int,
    fmt: Literal["csv", "xlsx"],
    out: Path,
    *,
    progress: Progress | None = None,
) -> int:
    """Write the campaign's calls to *out*; returns the number of rows written.

    The file is written beside *out* and moved into place at the end, so a cancelled or failed
    export never leaves half a file under the chosen name.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r} (csv or xlsx)")
    out = Path(out)
    variables = variable_names(session, campaign_id)
    total = session.scalar(select(func.count()).where(Call.campaign_id == campaign_id)) or 0
    partial = out.with_name(out.name + ".part")
    try:
        if fmt == "csv":
            written = _write_csv(session, campaign_id, variables, partial, total, progress)
        else:
            written = _write_xlsx(session, campaign_id, variables, partial, total, progress)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return written


def _rows(session, campaign_id, variables, total, progress):
    written = 0
    for record in iter_call_records(session, campaign_id):
        yield row_values(record, variables)
        written += 1
        if progress is not None and written % 500 == 0 and progress(written, total) is False:
            raise ExportCancelled(written)
    if progress is not None:
        progress(written, total)


def _write_csv(session, campaign_id, variables, path, total, progress) -> int:
    written = 0
    # utf-8-sig: Excel opens the file with the right encoding when it sees the BOM.
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings(variables))
        for values in _rows(session, campaign_id, variables, total, progress):
            writer.writerow(["" if v is None else v for v in values])
            written += 1
    return written


def _write_xlsx(session, campaign_id, variables, path, total, progress) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Calls")
    sheet.append(headings(variables))
    written = 0
    for values in _rows(session, campaign_id, variables, total, progress):
        sheet.append([_xlsx_safe(v) for v in values])
        written += 1
    with path.open("wb") as handle:
        workbook.save(handle)
    return written


def _xlsx_safe(value: Any) -> Any:
    """openpyxl refuses control characters other than tab/newline/CR in cells."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
