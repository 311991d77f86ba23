"""A supervisor's lists: drops anywhere sensible, one import dialog, removing with Undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from sqlalchemy import select

from app.contacts.importer import import_pasted
from app.store.campaigns import create_campaign
from app.store.models import Campaign, Contact
from app.ui import screen_fit
from app.ui.campaigns.dialog import CampaignDialog
from app.ui.campaigns.drop_choice import NEW_CAMPAIGN, CampaignChoiceDialog
from app.ui.campaigns.page import CampaignsPage
from app.ui.context import AppContext
from app.ui.imports.file_dialog import ImportDialog
from app.ui.imports.paste_dialog import PasteNumbersDialog
from tests.ui.imports.helpers import TIMEOUT_MS, phones


def drop_on(widget: QWidget, mime: QMimeData, at: QPoint | None = None) -> bool:
    point = at or widget.rect().center()
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(widget, drop)
    return enter.isAccepted() and drop.isAccepted()


def files(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


@pytest.fixture
def campaigns(store, home):
    """Two campaigns; the first has two contacts already."""
    with store.session.begin() as session:
        ids = [create_campaign(session, name, caller_id="+15005550006").id for name in "AB"]
    import_pasted(store, ids[0], "+14155550100\n+14155550101", region="US", home=home)
    return ids


@pytest.fixture
def page(qtbot, store, home, campaigns):
    page = CampaignsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitUntil(lambda: page.contacts_model.rowCount() == 2, timeout=TIMEOUT_MS)
    return page


@pytest.fixture
def contact_list(tmp_path):
    path = tmp_path / "more.csv"
    path.write_text("name,phone\nCy,4155550102\nDi,4155550103\n")
    return path


def _dialogs(page, kind):
    return [d for d in page.findChildren(kind) if d.isVisible()]


def test_a_file_dropped_on_a_campaign_row_with_contacts_adds_to_it(
    qtbot, page, campaigns, contact_list
):
    second_row = page.table.visualRect(page.model.index(1, 0)).center()

    assert drop_on(page.table.viewport(), files(contact_list), second_row)

    [dialog] = _dialogs(page, ImportDialog)
    assert dialog.campaign_id == campaigns[1]
    assert page.selected_campaign_id() == campaigns[1]


def test_a_file_dropped_on_the_contacts_table_goes_to_the_shown_campaign(
    qtbot, page, store, campaigns, contact_list
):
    assert page.contacts_stack.currentWidget() is page.contacts_table

    assert drop_on(page.contacts_table.viewport(), files(contact_list))

    [dialog] = _dialogs(page, ImportDialog)
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS):
        dialog.import_button.click()
    assert len(phones(store, campaigns[0])) == 4


def test_a_file_dropped_elsewhere_asks_which_campaign_or_a_new_one(
    qtbot, page, campaigns, contact_list
):
    below_rows = QPoint(10, page.table.viewport().height() - 5)

    assert drop_on(page.table.viewport(), files(contact_list), below_rows)

    [choice] = _dialogs(page, CampaignChoiceDialog)
    names = [choice.combo.itemText(i) for i in range(choice.combo.count())]
    assert names == ["A (2 contacts)", "B (0 contacts)", "A new campaign…"]
    choice.combo.setCurrentIndex(choice.combo.findData(NEW_CAMPAIGN))
    choice.go_button.click()
    [new] = _dialogs(page, CampaignDialog)
    assert new.files == [str(contact_list)]


def test_start_now_with_a_file_and_pasted_numbers_opens_one_dialog(
    qtbot, page, store, campaigns, contact_list
):
    page._on_created(campaigns[1], [str(contact_list)], "+44 20 7946 0958", False)

    assert _dialogs(page, PasteNumbersDialog) == []
    [dialog] = _dialogs(page, ImportDialog)
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=TIMEOUT_MS)
    assert [dialog.file_combo.itemText(i) for i in range(2)] == ["more.csv", "pasted numbers"]
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS) as imported:
        dialog.import_button.click()
    assert imported.args == [3]
    assert phones(store, campaigns[1]) == ["+14155550102", "+14155550103", "+442079460958"]


def test_the_country_is_guessed_from_the_list_and_can_be_changed(
    qtbot, store, home, campaigns, tmp_path
):
    path = tmp_path / "paris.csv"
    path.write_text("nom,téléphone\nAmélie,+33 6 12 34 56 78\nBruno,06 12 34 56 79\n")
    dialog = ImportDialog(store, campaigns[1], [path], region="US", home=home)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=TIMEOUT_MS):
        dialog.show()

    assert (dialog.country.region(), dialog.region) == ("FR", "FR")
    assert dialog.country.currentText() == "France (+33)"
    assert dialog.country_note.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS) as imported:
        dialog.import_button.click()
    assert imported.args == [2]

    dialog = PasteNumbersDialog(store, campaigns[0], region="FR", home=home, text="07911 123456")
    qtbot.addWidget(dialog)
    dialog.country.set_region("GB")
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS):
        dialog.start_import()
    assert "+447911123456" in phones(store, campaigns[0])


def _confirmation(page) -> QMessageBox:
    [box] = [b for b in page.findChildren(QMessageBox, "confirmLoss") if b.isVisible()]
    return box


def _click(box: QMessageBox, label: str) -> None:
    [button] = [b for b in box.buttons() if b.text() == label]
    button.click()


def test_removing_selected_contacts_names_the_loss_and_can_be_undone(qtbot, page, store, campaigns):
    page.contacts_table.selectRow(0)

    page.remove_selected_contacts()

    box = _confirmation(page)
    assert "Remove 1 contact from “A”: (415) 555-0100?" in box.text()
    _click(box, "Remove 1 contact")
    assert phones(store, campaigns[0]) == ["+14155550101"]
    assert page.undo_bar.isVisible() and "Removed 1 contact from “A”" in page.undo_bar.label.text()

    page.undo_bar.undo_button.click()
    assert phones(store, campaigns[0]) == ["+14155550100", "+14155550101"]
    qtbot.waitUntil(lambda: page.contacts_model.rowCount() == 2, timeout=TIMEOUT_MS)


def test_a_whole_import_or_a_status_can_be_removed(qtbot, page, store, campaigns):
    page._fill_remove_menu()
    menus = {a.text(): a for a in page.remove_menu.actions()}
    assert menus["Selected contacts (0)"].isEnabled() is False
    [from_import] = menus["Everyone from one import"].menu().actions()
    assert from_import.text().startswith("pasted numbers, ") and from_import.text().endswith("(2)")
    queued = next(
        a
        for a in menus["All contacts with the status"].menu().actions()
        if a.text() == "Queued (2)"
    )

    from_import.trigger()
    box = _confirmation(page)
    assert "the contacts imported from pasted numbers" in box.text()
    _click(box, "Cancel")
    assert len(phones(store, campaigns[0])) == 2

    queued.trigger()
    _click(_confirmation(page), "Remove 2 contacts")
    assert phones(store, campaigns[0]) == []


def test_archive_hides_and_undo_brings_back_delete_asks_first(qtbot, page, store, campaigns):
    page.removals.archive(campaigns[0], "A")
    assert [page.model.summary(r).name for r in range(page.model.rowCount())] == ["B"]
    page.show_archived(True)
    assert page.model.rowCount() == 2
    page.show_archived(False)
    page.undo_bar.undo_button.click()
    assert page.model.rowCount() == 2

    page.removals.delete(campaigns[0])
    box = _confirmation(page)
    assert "Delete the campaign “A” for good?" in box.text()
    assert "2 contacts" in box.text() and "cannot be undone" in box.text()
    _click(box, "Delete campaign")
    with store.session() as session:
        assert session.scalars(select(Campaign.name)).all() == ["B"]
        assert session.scalars(select(Contact.id)).all() == []


def test_a_file_dropped_on_the_window_asks_which_campaign(
    qtbot, store, home, campaigns, contact_list
):
    window = QWidget()
    qtbot.addWidget(window)
    page = CampaignsPage(AppContext(store=store, home=home, demo_mode=True), window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitUntil(lambda: page._window_drops is not None, timeout=TIMEOUT_MS)

    assert drop_on(window, files(contact_list))

    [choice] = _dialogs(page, CampaignChoiceDialog)
    choice.combo.setCurrentIndex(choice.combo.findData(campaigns[1]))
    choice.go_button.click()
    [dialog] = _dialogs(page, ImportDialog)
    assert dialog.campaign_id == campaigns[1]


def test_the_new_dialogs_fit_a_1366x768_laptop_with_their_buttons_in_view(
    qtbot, monkeypatch, page, store, home, campaigns, tmp_path
):
    monkeypatch.setattr(screen_fit, "available_area", lambda widget=None: QRect(0, 0, 1366, 768))
    wide = tmp_path / "wide.csv"
    wide.write_text(
        ",".join(f"column {n}" for n in range(40)) + ",phone\n" + "x," * 40 + "4155550100\n"
    )
    dialog = ImportDialog(store, campaigns[0], [wide], region="US", home=home, pasted="4155550199")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=TIMEOUT_MS):
        dialog.show()
    page.removals.delete(campaigns[0])
    page.drop_anywhere([wide], "")
    for shown in (dialog, _confirmation(page), *_dialogs(page, CampaignChoiceDialog)):
        assert shown.width() <= 1366 and shown.height() <= 768, shown
        for button in shown.findChildren(QPushButton):
            if button.isVisibleTo(shown):
                corner = button.mapTo(shown, button.rect().bottomRight())
                assert shown.rect().contains(corner), (shown, button.text())
