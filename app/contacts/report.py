"""What an import did, and the reject report CSV the user can open."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.contacts.mapping import ColumnMapping
from app.store.types import utcnow


@dataclass
class Reject:
    line: int
    cells: list[str]
    reason: str
    kind: str  # duplicate | invalid | suppressed


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    duplicates: int = 0
    invalid: int = 0
    suppressed: int = 0
    imported: int = 0
    rejects_file: Path | None = None
    # Context for the GUI and the CLI summary (not part of the JSON contract).
    source: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    mapping: ColumnMapping | None = None
    headers: list[str] = field(default_factory=list, repr=False)
    dry_run: bool = False
    rejects: list[Reject] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "duplicates": self.duplicates,
            "invalid": self.invalid,
            "suppressed": self.suppressed,
            "imported": self.imported,
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
        }

    def breakdown(self, valid_word: str) -> list[str]:
        """ "12 valid", "1 duplicate", "3 invalid"…: the non-zero kinds of row, in order."""
        parts = [f"{self.valid:,} {valid_word}"]
        for count, label in (
            (self.duplicates, "duplicate" if self.duplicates == 1 else "duplicates"),
            (self.suppressed, "on the do-not-call list"),
            (self.invalid, "invalid"),
        ):
            if count:
                parts.append(f"{count:,} {label}")
        return parts

    def phone_as_written(self, reject: Reject) -> str:
        """The rejected row's phone cell, as it was in the file."""
        if self.mapping is None or self.mapping.phone not in self.headers:
            return ""
        at = self.headers.index(self.mapping.phone)
        return reject.cells[at] if at < len(reject.cells) else ""

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        count = self.valid if self.dry_run else self.imported
        noun = "contact" if count == 1 else "contacts"
        parts = ", ".join(self.breakdown("valid"))
        return f"{verb} {count:,} {noun} from {self.rows:,} rows ({parts})"


def imports_dir(home: Path) -> Path:
    path = home / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_rejects(home: Path, source: str, headers: list[str], rejects: list[Reject]) -> Path:
    """One row per rejected input row: line, reason, then the original cells."""
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in Path(source).stem)[:60]
    base = f"rejects-{stem or 'import'}-{utcnow():%Y%m%d-%H%M%S}"
    folder = imports_dir(home)
    target, n = folder / f"{base}.csv", 2
    while target.exists():
        target, n = folder / f"{base}-{n}.csv", n + 1
    # utf-8-sig so that Excel opens accented names correctly.
    with target.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "reason", *headers])
        for reject in rejects:
            writer.writerow([reject.line, reject.reason, *reject.cells])
    return target
