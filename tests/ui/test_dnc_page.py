"""The Do not call page: entries with source and evidence, search, add, remove + Undo,
import, export."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.store import dnc
from app.store.campaigns import create_campaign
from app.store.models import Contact
from app.store.types import utcnow
from app.ui.context import AppContext
from app.ui.dnc_page import DncPage

SAID = 'asked on the call of 2026-12-01 at 0:12: "take me off your list"'


@pytest.fixture
def page(qtbot, store, home):
    with store.session.begin() as session:
        campaign = create_campaign(session, "Spring")
        session.add(Contact(campaign_id=campaign.id, phone="+14155550100"))
        dnc.add_entries(
            session,
            [
                dnc.DncRecord("+14155550100", "call", SAID, utcnow()),
                dnc.DncRecord("+14155550111", "disposition", "disposition on call 4", utcnow()),
            ],
        )
    page = DncPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    page.show()
    return page


def _cells(page, column):
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


def test_every_entry_shows_its_source_and_evidence_and_the_search_narrows(qtbot, page):
    assert page.count_label.text() == "2 numbers will never be called."
    assert sorted(_cells(page, 1)) == ["Asked on a call", "Do not call disposition"]
    assert SAID in _cells(page, 2)
    assert page.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("+1415555")

    page.search.setText("off your list")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.count_label.text() == "1 of 2 numbers match."


def test_removing_names_the_evidence_and_the_campaigns_then_undo(qtbot, page, store):
    page.search.setText("0:12")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.selectRow(0)

    page.remove_selected()

    [box] = [b for b in page.findChildren(QMessageBox, "confirmLoss") if b.isVisible()]
    assert "take me off your list" in box.text() and "Spring (1)" in box.text()
    [remove] = [b for b in box.buttons() if b.text() == "Remove"]
    remove.click()
    with store.session() as session:
        assert dnc.count_entries(session) == 1
    page.undo_bar.undo_button.click()
    with store.session() as session:
        assert dnc.list_entries(session, "0:12")[0].reason == SAID


def test_add_a_number_by_hand_in_any_country(qtbot, page, store):
    page.new_number.setText("+44 20 7946 0958")
    page.new_reason.setText("asked by letter")
    page.add_number()
    with store.session() as session:
        [entry] = dnc.list_entries(session, "letter")
    assert (entry.phone, entry.source) == ("+442079460958", "manual")
    assert page.new_number.text() == ""


def test_import_then_export_what_is_shown(qtbot, page, store, tmp_path):
    source = tmp_path / "regulator.csv"
    source.write_text("phone,reason\n4155550122,national register\n12345,\n4155550122,\n")
    page.import_path(source)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)
    assert page.undo_bar.label.text() == (
        "Added 1 number from regulator.csv; not valid: 1 (line 3: 12345: not a valid US number)."
    )

    page.search.setText("register")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    target = tmp_path / "out.csv"
    page.export_to(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["phone", "source", "reason", "added"]
    assert rows[1][:3] == ["+14155550122", "import", "national register"]
    added = datetime.fromisoformat(rows[1][3])
    assert added.utcoffset() is not None and abs(added - utcnow()).total_seconds() < 3600
