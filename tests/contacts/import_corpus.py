"""The ugly-file corpus: the same contacts written the many ways real exports write them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADERS = ["Name", "Phone number", "Company", "Notes"]
# (cells, outcome) with the DNC list holding +14155550199.
CONTACTS = [
    (["Ana García", "+1 415 555 0100", "Acme, Inc", "first"], "valid"),
    (
        ["Bob", "(415) 555-0101", "Bob; Sons", 'line one\nline two, "quoted"; tab\there|pipe'],
        "valid",
    ),
    (["Chloé", "415.555.0100", "", ""], "duplicate"),  # same as Ana
    (["Dieter Müller", "+49 30 12345678", "Straße AG", ""], "valid"),
    (["Émile", "447911123456", "", "UK mobile without +"], "valid"),
    (["Fay", "4.15867E+09", "", "mangled by Excel"], "invalid"),
    (["Gus", "12345", "", ""], "invalid"),
    (["Hana", "", "", "no number"], "invalid"),
    (["Ivan", "+1 415 555 0199", "", "on the DNC list"], "suppressed"),
    (["Jörg", "0049 30 12345679", "", "international with 00"], "valid"),
]
DNC = "+14155550199"
EXPECTED = {"rows": 10, "valid": 5, "duplicates": 1, "invalid": 3, "suppressed": 1, "imported": 5}
# Line numbers in the file: row 2 spans two physical lines.
EXPECTED_REJECT_LINES = [5, 8, 9, 10, 11]


def csv_text(delimiter: str, *, lineterminator: str = "\r\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow(HEADERS)
    for cells, _ in CONTACTS:
        writer.writerow(cells)
    return buffer.getvalue()


def write_csv(path: Path, encoding: str, delimiter: str) -> Path:
    path.write_bytes(csv_text(delimiter).encode(encoding))
    return path
