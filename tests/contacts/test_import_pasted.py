"""Typed or pasted numbers go through the same validation as files."""

from __future__ import annotations

import pytest

from app.contacts.errors import ContactImportError
from app.contacts.importer import import_pasted, parse_pasted


def test_parse_lines_commas_and_spaces():
    table = parse_pasted(
        "4155550100\n+1 415 555 0101, 4155550102; bad\n\n4155550103 4155550104\n(415) 555-0105"
    )
    assert [(r.line, r.cells[0]) for r in table.rows] == [
        (1, "4155550100"),
        (2, "+1 415 555 0101"),
        (2, "4155550102"),
        (2, "bad"),
        (4, "4155550103"),
        (4, "4155550104"),
        (5, "(415) 555-0105"),
    ]


def test_import_pasted_counts_and_rejects(store, home, campaign_id, count_contacts):
    report = import_pasted(
        store, campaign_id, "4155550100, 415-555-0100\nhello\n+44 7911 123456", region="US"
    )
    assert report.as_json() | {"rejects_file": None} == {
        "rows": 4,
        "valid": 2,
        "duplicates": 1,
        "invalid": 1,
        "suppressed": 0,
        "imported": 2,
        "rejects_file": None,
    }
    assert report.rejects_file.parent == home / "imports"
    assert count_contacts(campaign_id) == 2


def test_empty_paste_is_an_error(store, campaign_id):
    with pytest.raises(ContactImportError, match="empty"):
        import_pasted(store, campaign_id, " \n , \n", region="US")
