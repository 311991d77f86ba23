"""The do-not-call list as a CSV file, for another system or the regulator."""

from __future__ import annotations

import csv
from pathlib import Path

from app.results.export import neutralise
from app.store.dnc import DncRecord

HEADINGS = ["phone", "source", "reason", "added"]


def export_dnc(records: list[DncRecord], path: str | Path) -> int:
    """Write *records*; times are local, ISO 8601 with their offset. Returns the rows written.

    The reason can hold a callee's own words, so it is neutralised like every exported text."""
    with Path(path).open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADINGS)
        for record in records:
            writer.writerow(
                [
                    record.phone,  # validated E.164: digits after a "+", never a formula
                    record.source,
                    neutralise(record.reason),
                    record.created_at.astimezone().isoformat(timespec="seconds"),
                ]
            )
    return len(records)
