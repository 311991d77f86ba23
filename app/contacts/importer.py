"""The import pipeline: read, map, validate each distinct number once, classify, write atomically.

Runs without Qt so the GUI can call it on a worker thread (progress + cancel) and the CLI
can call it directly.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import column, insert, select
from sqlalchemy import table as sql_table
from sqlalchemy.exc import IntegrityError

from app.contacts.errors import ContactImportError, ImportCancelled
from app.contacts.mapping import ColumnMapping, field_key, guess_mapping
from app.contacts.memory import collector_paused
from app.contacts.parallel import validate_cells
from app.contacts.reading import ContactTable, Row, looks_like_phone, read_contacts_file
from app.contacts.report import ImportReport, Reject, write_rejects
from app.domain.phone import InvalidRegion, split_extension
from app.domain.phone import check_region as domain_check_region
from app.domain.status import ContactStatus
from app.store.engine import Store
from app.store.models import Contact, ContactImport, DncEntry
from app.store.types import utcnow

__all__ = [
    "ColumnMapping",
    "ContactImportError",
    "ContactTable",
    "ImportCancelled",
    "ImportReport",
    "check_region",
    "guess_mapping",
    "import_file",
    "import_pasted",
    "import_table",
    "parse_pasted",
    "read_contacts_file",
]

Progress = Callable[[int, int], None]  # (done, total)
Cancel = Callable[[], bool] | threading.Event

INSERT_CHUNK = 5_000
CHECK_EVERY = 2_000
NAME_MAX = 200


@collector_paused
def import_file(
    store: Store,
    campaign_id: int | None,
    path: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    region: str = "US",
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    home: Path | None = None,
) -> ImportReport:
    """Import a contact file into a campaign: all valid rows in one transaction, or none.

    campaign_id may be None only for a dry run (a campaign that does not exist yet).
    """
    table = read_contacts_file(path)
    return import_table(
        store,
        campaign_id,
        table,
        mapping=mapping,
        region=region,
        dry_run=dry_run,
        progress=progress,
        cancel=cancel,
        home=home,
    )


def import_pasted(
    store: Store,
    campaign_id: int,
    text: str,
    *,
    region: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    home: Path | None = None,
) -> ImportReport:
    """Import typed or pasted numbers (one per line, or separated by commas/semicolons/spaces)."""
    table = parse_pasted(text)
    return import_table(
        store,
        campaign_id,
        table,
        mapping=ColumnMapping(phone="phone"),
        region=region,
        dry_run=dry_run,
        progress=progress,
        cancel=cancel,
        home=home,
    )


_PASTE_SEPARATORS = re.compile(r"[,;\t|]")


def parse_pasted(text: str) -> ContactTable:
    rows: list[Row] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        for piece in _PASTE_SEPARATORS.split(line):
            piece = piece.strip()
            if not piece:
                continue
            words = piece.split()
            # "+1 415 555 0100" is one number; "4155550100 4155550101" are two.
            if len(words) > 1 and all(looks_like_phone(w) for w in words):
                rows.extend(Row(line_number, [w]) for w in words)
            else:
                rows.append(Row(line_number, [piece]))
    if not rows:
        raise ContactImportError("no phone numbers to import (the text is empty)")
    return ContactTable(
        headers=["phone"],
        rows=rows,
        encoding=None,
        delimiter=None,
        kind="pasted",
        source="pasted numbers",
        has_header=False,
    )


def resolve_mapping(table: ContactTable, mapping: ColumnMapping | None) -> ColumnMapping:
    """The mapping to use, checked against the table; errors name the columns found."""
    columns = ", ".join(table.headers)
    if mapping is None or mapping.phone is None:
        guessed = guess_mapping(table.headers, [r.cells for r in table.rows[:50]])
        if mapping is not None and mapping.name is not None:
            guessed.name = mapping.name
        mapping = guessed
    if mapping.phone is None:
        raise ContactImportError(
            f"{table.source}: no column looks like phone numbers. Columns found: {columns}. "
            "Choose the phone column (--phone-column on the command line)."
        )
    for role, header in (("phone", mapping.phone), ("name", mapping.name)):
        if header is not None and header not in table.headers:
            raise ContactImportError(
                f"{table.source}: there is no column {header!r} for the {role}. "
                f"Columns found: {columns}."
            )
    return mapping


@collector_paused
def import_table(
    store: Store,
    campaign_id: int | None,
    table: ContactTable,
    *,
    mapping: ColumnMapping | None = None,
    region: str = "US",
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    home: Path | None = None,
) -> ImportReport:
    if campaign_id is None and not dry_run:
        raise ValueError("campaign_id is required unless dry_run")
    region = check_region(region)
    mapping = resolve_mapping(table, mapping)
    cancelled = _cancel_check(cancel)
    report_progress = progress or (lambda done, total: None)
    rows = table.rows
    total = 2 * len(rows)  # validation is the first half, writing the second

    phone_at = table.headers.index(mapping.phone)
    numbers = _validate(rows, phone_at, region, cancelled, report_progress, total)

    report = ImportReport(
        rows=len(rows),
        source=table.source,
        encoding=table.encoding,
        delimiter=table.delimiter,
        mapping=mapping,
        headers=table.headers,
        dry_run=dry_run,
    )
    with store.engine.connect() as conn:
        existing = _existing_phones(conn, campaign_id)
        dnc = set(conn.scalars(select(DncEntry.phone)))
        accepted = _classify(rows, numbers, existing, dnc, report)
        if cancelled():
            raise ImportCancelled()
        if not dry_run and accepted:
            import_id = _record_import(conn, campaign_id, table.source)
            payload = _contact_rows(conn.dialect, table, mapping, campaign_id, import_id, accepted)
            try:
                _insert_all(conn, payload, cancelled, report_progress, len(rows), total)
            except IntegrityError:
                conn.rollback()
                raise ContactImportError(
                    "the campaign's contacts changed while importing; nothing was imported, "
                    "try again"
                ) from None
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            report.imported = len(payload)
    report_progress(total, total)
    if report.rejects and not dry_run:
        report.rejects_file = write_rejects(
            home or store.home, table.source, table.headers, report.rejects
        )
    return report


def check_region(region: str | None) -> str:
    """The region as phonenumbers spells it; an unknown one is the user's to fix."""
    try:
        return domain_check_region(region)
    except InvalidRegion as exc:
        raise ContactImportError(str(exc)) from None


def _cancel_check(cancel: Cancel | None) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def _validate(
    rows: list[Row],
    phone_at: int,
    region: str,
    cancelled: Callable[[], bool],
    progress: Progress,
    total: int,
) -> list[tuple[str | None, str | None]]:
    cells = [row.cells[phone_at] for row in rows]
    share = len(rows) / max(len(set(cells)), 1)  # rows per distinct cell, for the progress bar
    by_cell = validate_cells(
        cells,
        region,
        cancelled=cancelled,
        progress=lambda done: progress(min(int(done * share), len(rows)), total),
    )
    return [by_cell[cell] for cell in cells]


def _existing_phones(conn, campaign_id: int | None) -> set[str]:
    if campaign_id is None:
        return set()
    return set(conn.scalars(select(Contact.phone).where(Contact.campaign_id == campaign_id)))


def _record_import(conn, campaign_id: int | None, source: str) -> int:
    statement = insert(ContactImport).values(
        campaign_id=campaign_id, source=source[:300], created_at=utcnow()
    )
    return conn.execute(statement).inserted_primary_key[0]


Accepted = tuple[Row, str, str | None]  # the row, its E.164 number, its extension


def _classify(
    rows: list[Row],
    numbers: list[tuple[str | None, str | None]],
    existing: set[str],
    dnc: set[str],
    report: ImportReport,
) -> list[Accepted]:
    """Sort rows into valid/duplicate/suppressed/invalid; rejects go to report.rejects.

    A number on the DNC list is "suppressed" even when it is also a duplicate. Extensions do
    not make numbers distinct: a campaign calls each line once.
    """
    accepted: list[Accepted] = []
    first_line: dict[str, int] = {}
    rejects = report.rejects
    blocked = dnc | existing if dnc or existing else set()
    for row, (number, reason) in zip(rows, numbers, strict=True):
        e164, extension = split_extension(number) if number else (None, None)
        if e164 is not None and e164 not in first_line and e164 not in blocked:
            first_line[e164] = row.line
            accepted.append((row, e164, extension))
        elif e164 is None:
            rejects.append(Reject(row.line, row.cells, reason or "invalid", "invalid"))
        elif e164 in dnc:
            rejects.append(
                Reject(row.line, row.cells, f"{e164} is on the do-not-call list", "suppressed")
            )
        elif e164 in existing:
            rejects.append(
                Reject(row.line, row.cells, f"{e164} is already in this campaign", "duplicate")
            )
        else:
            rejects.append(
                Reject(
                    row.line,
                    row.cells,
                    f"{e164} already appears on line {first_line[e164]}",
                    "duplicate",
                )
            )
    kinds = [r.kind for r in rejects]
    report.invalid = kinds.count("invalid")
    report.suppressed = kinds.count("suppressed")
    report.duplicates = kinds.count("duplicate")
    report.valid = len(accepted)
    return accepted


# Column values are converted for the database here, once per value (JSON) or once per
# import (timestamps), instead of by a typed insert once per row and column: the
# insert statement below names plain columns, so SQLAlchemy passes the values through.
_BULK_COLUMNS = (
    "campaign_id",
    "import_id",
    "phone",
    "extension",
    "name",
    "fields",
    "status",
    "attempts",
    "created_at",
    "updated_at",
)
_BULK_CONTACTS = sql_table("contacts", *(column(name) for name in _BULK_COLUMNS))


def _contact_rows(
    dialect,
    table: ContactTable,
    mapping: ColumnMapping,
    campaign_id: int | None,
    import_id: int,
    accepted: list[Accepted],
) -> list[dict[str, Any]]:
    columns = Contact.__table__.c
    to_json = _bind(columns.fields.type, dialect)
    stamp = _bind(columns.created_at.type, dialect)(utcnow())
    queued = ContactStatus.QUEUED.value
    phone_at = table.headers.index(mapping.phone)
    name_at = table.headers.index(mapping.name) if mapping.name else None
    keys = _field_keys(table.headers)
    # Every column but the phone is kept as a template variable ({{company}}, {{first_name}}).
    field_columns = [(keys[i], i) for i in range(len(table.headers)) if i != phone_at]
    payload = []
    for row, e164, extension in accepted:
        cells = row.cells
        fields = {key: value for key, i in field_columns if (value := cells[i].strip())}
        payload.append(
            {
                "campaign_id": campaign_id,
                "import_id": import_id,
                "phone": e164,
                "extension": extension,
                "name": cells[name_at].strip()[:NAME_MAX] if name_at is not None else "",
                "fields": to_json(fields),
                "status": queued,
                "attempts": 0,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    return payload


def _bind(type_, dialect) -> Callable[[Any], Any]:
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    return process or (lambda value: value)


def _field_keys(headers: list[str]) -> list[str]:
    keys: list[str] = []
    for header in headers:
        key, n = field_key(header), 2
        while key in keys:
            key, n = f"{field_key(header)}_{n}", n + 1
        keys.append(key)
    return keys


def _insert_all(conn, payload, cancelled, progress: Progress, rows: int, total: int) -> None:
    statement = insert(_BULK_CONTACTS)
    for start in range(0, len(payload), INSERT_CHUNK):
        if cancelled():
            raise ImportCancelled()
        conn.execute(statement, payload[start : start + INSERT_CHUNK])
        done = min(start + INSERT_CHUNK, len(payload))
        progress(rows + rows * done // len(payload), total)
    if cancelled():
        raise ImportCancelled()
