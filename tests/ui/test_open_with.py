"""The app opened with a CSV (the desktop's "Open with CallDeck") offers to import it."""

from app.demo import seed_demo
from app.ui.app import build_context
from app.ui.campaigns.dialog import CampaignDialog
from app.ui.imports.file_dialog import ImportDialog
from app.ui.main_window import MainWindow


def open_window(qtbot, store, home) -> MainWindow:
    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.show()
    return window


def contacts_csv(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("name,phone\nAna,+14155550100\n", encoding="utf-8")
    return path


def test_the_file_opens_in_the_import_dialog_of_the_first_campaign(qtbot, store, home, tmp_path):
    seed_demo(store)
    window = open_window(qtbot, store, home)
    window.show_page("Agents")
    csv = contacts_csv(tmp_path)
    window.offer_import([csv])
    assert window.title.text() == "Campaigns"
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    assert [state.path for state in dialog.files] == [csv]
    assert dialog.campaign_id == window.campaigns.selected_campaign_id() is not None
    assert window.campaigns.model.campaign_id(0) == dialog.campaign_id
    dialog.reject()


def test_with_no_campaign_yet_it_goes_into_a_new_one(qtbot, store, home, tmp_path):
    window = open_window(qtbot, store, home)
    csv = contacts_csv(tmp_path)
    window.offer_import([csv])
    dialog = window.findChild(CampaignDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.files == [str(csv)]
    assert "contacts.csv" in dialog.files_label.text()
    dialog.reject()
