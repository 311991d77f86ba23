from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView
from sqlalchemy import update

from app.results.calls import CallFilter
from app.store.models import Call, Contact
from app.ui.results import calls_model
from app.ui.results.calls_model import CALL_ID_ROLE, CallsTableModel
from tests.results.results_seed import START, seed_campaign


def _model(store, campaign_id):
    model = CallsTableModel(store)
    model.set_campaign(campaign_id)
    return model


def test_model_passes_the_model_tester(qtmodeltester, store, seeded):
    model = _model(store, seeded.campaign_id)
    qtmodeltester.check(model)
    assert model.rowCount() == 14
    assert model.index(0, 0).data() == "Contact 13"  # newest first
    assert model.index(0, 0).data(CALL_ID_ROLE) == seeded.call_ids[-1]
    assert model.index(13, 1).data() == "(202) 555-0000"
    assert model.index(13, 1).data(Qt.ItemDataRole.ToolTipRole) == "+12025550000"
    assert model.index(13, 2).data() == "Completed"
    assert model.index(13, 5).data() == "0:42"
    assert model.index(13, 6).data() == "Person"
    assert model.index(12, 6).data() == "Voicemail"


def test_sort_and_filter(qtmodeltester, store, seeded):
    model = _model(store, seeded.campaign_id)
    model.sort(0, Qt.SortOrder.AscendingOrder)  # by contact name
    assert [model.index(r, 0).data() for r in range(3)] == [
        "Contact 00",
        "Contact 01",
        "Contact 02",
    ]
    model.set_filter(CallFilter(status="busy"))
    assert model.rowCount() == 2
    model.set_filter(CallFilter(text="contact 1"))
    assert model.rowCount() == 4
    qtmodeltester.check(model)


def test_pages_of_ids_are_fetched_as_the_view_scrolls(qtmodeltester, store, home, monkeypatch):
    monkeypatch.setattr(calls_model, "PAGE_SIZE", 5)
    monkeypatch.setattr(calls_model, "BLOCK_SIZE", 3)
    seeded = seed_campaign(store, home, contacts=12)
    model = _model(store, seeded.campaign_id)
    assert model.rowCount() == 5 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 12
    assert model.loaded_ids() == list(reversed(seeded.call_ids))
    qtmodeltester.check(model)


def _add_call(store, campaign_id, i, status="calling", minutes=600):
    with store.session.begin() as session:
        contact = Contact(campaign_id=campaign_id, phone=f"+1404555{i:04d}", name=f"New {i}")
        session.add(contact)
        session.flush()
        call = Call(
            campaign_id=campaign_id,
            contact_id=contact.id,
            attempt=1,
            status=status,
            created_at=START + timedelta(minutes=minutes),
        )
        session.add(call)
        session.flush()
        return call.id


def test_live_calls_are_inserted_keeping_the_selection(qtbot, store, seeded):
    model = _model(store, seeded.campaign_id)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 200)
    selected = seeded.call_ids[5]
    row = model.row_of(selected)
    view.selectionModel().setCurrentIndex(
        model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    with qtbot.waitSignal(model.rowsInserted):
        new_id = _add_call(store, seeded.campaign_id, 1)
        model.refresh_call(new_id)
    assert model.index(0, 0).data() == "New 1"
    assert model.rowCount() == 15
    current = view.selectionModel().currentIndex()
    assert model.call_id(current.row()) == selected  # same call, one row lower
    # A call older than the newest goes where the sort puts it, not at the top.
    older = _add_call(store, seeded.campaign_id, 2, minutes=1)
    model.refresh_call(older)
    assert model.call_id(model.rowCount() - 2) == older
    # A status change repaints in place; one that leaves the filter drops the row.
    model.set_filter(CallFilter(status="calling"))
    assert set(model.loaded_ids()) == {new_id, older}
    with store.session.begin() as session:
        session.execute(update(Call).where(Call.id == new_id).values(status="completed"))
    with qtbot.waitSignal(model.rowsRemoved):
        model.refresh_call(new_id)
    assert model.loaded_ids() == [older]


def _luminance(colour) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def test_status_badges_keep_readable_text_on_their_fill_in_a_dark_palette(qapp, store, seeded):
    from PySide6.QtGui import QColor, QPalette

    from app.ui.campaigns.badges import BADGE_TEXT

    model = _model(store, seeded.campaign_id)
    view = QTableView()
    dark = QPalette(qapp.palette())
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    view.setPalette(dark)
    view.setModel(model)
    statuses = set()
    for row in range(model.rowCount()):
        index = model.index(row, 2)
        fill = index.data(Qt.ItemDataRole.BackgroundRole)
        text = index.data(Qt.ItemDataRole.ForegroundRole)
        assert fill is not None and text == BADGE_TEXT  # the contacts table's colour
        lighter, darker = sorted((_luminance(fill), _luminance(text)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5  # WCAG AA
        statuses.add(index.data())
    assert {"Completed", "Busy"} <= statuses
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None  # palette text
