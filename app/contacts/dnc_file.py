"""A do-not-call list from a file (a regulator's list, another system's export): its numbers,
read like a contact list's, with the reason column if there is one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.contacts.errors import ContactImportError
from app.contacts.importer import check_region, resolve_mapping
from app.contacts.reading import read_contacts_file
from app.contacts.validation import PhoneValidator
from app.domain.phone import split_extension
from app.store.dnc import DncRecord
from app.store.types import utcnow

REASON_HEADERS = ("reason", "evidence", "note", "notes", "comment")


@dataclass
class DncFile:
    records: list[DncRecord] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # "line 4: 12345: not a valid US number"


def read_dnc_file(path: str | Path, region: str) -> DncFile:
    """The distinct valid numbers of *path* as DNC records (source "import")."""
    table = read_contacts_file(path)
    mapping = resolve_mapping(table, None)
    validator = PhoneValidator(check_region(region))
    phone_at = table.headers.index(mapping.phone)
    reason_at = next(
        (i for i, h in enumerate(table.headers) if h.strip().casefold() in REASON_HEADERS), None
    )
    found = DncFile()
    seen: set[str] = set()
    now = utcnow()
    default_reason = f"imported from {Path(path).name}"
    for row in table.rows:
        number, why_not = validator.check(row.cells[phone_at])
        if number is None:
            found.invalid.append(f"line {row.line}: {why_not}")
            continue
        phone, _extension = split_extension(number)
        if phone in seen:
            continue
        seen.add(phone)
        reason = row.cells[reason_at].strip() if reason_at is not None else ""
        found.records.append(DncRecord(phone, "import", reason or default_reason, now))
    if not found.records and not found.invalid:
        raise ContactImportError(f"{Path(path).name}: no phone numbers in it")
    return found
