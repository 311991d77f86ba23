"""Pages follow what operations change: no page needs a manual refresh after another's edit."""

from __future__ import annotations

from sqlalchemy import select

from app.agents.library import list_agents
from app.demo import seed_demo
from app.store.models import Campaign
from app.ui.app import build_context
from app.ui.campaigns.campaigns_model import COLUMNS
from app.ui.main_window import MainWindow
from app.ui.operations import Change

AGENT_COLUMN = COLUMNS.index("Agent")
TIMEOUT_MS = 15_000


def make_window(qtbot, store, home) -> MainWindow:
    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.show()
    return window


def agent_cells(window: MainWindow) -> list[str]:
    model = window.campaigns.model
    return [model.index(row, AGENT_COLUMN).data() for row in range(model.rowCount())]


def test_renaming_an_agent_shows_on_the_campaigns_page(qtbot, store, home):
    seed_demo(store)  # a real SQLite file under home: two campaigns, each with its agent
    window = make_window(qtbot, store, home)
    assert agent_cells(window) == ["Appointment reminder", "Solar lead qualification"]
    changes = []
    window.context.changes.changed.connect(changes.append)

    window.show_page("Agents")
    agents = window.agents
    agents.business.agent_name.setText("Reminder bot")
    agents.business.agent_name.textEdited.emit("Reminder bot")
    agents.save_button.click()

    assert agents.message.text() == "Draft saved."
    assert changes == [Change(agents=True)]
    # without showing the page again
    assert agent_cells(window) == ["Reminder bot", "Solar lead qualification"]
    window.show_page("Campaigns")
    assert agent_cells(window) == ["Reminder bot", "Solar lead qualification"]
    with store.session() as session:  # a draft: the calls keep the published version
        renamed = next(a for a in list_agents(session) if a.name == "Reminder bot")
        assert renamed.published_version == 1 and renamed.draft_changed


def test_deleting_an_agent_empties_its_campaigns_agent_column(qtbot, store, home):
    from PySide6.QtWidgets import QMessageBox

    seed_demo(store)
    window = make_window(qtbot, store, home)
    window.show_page("Agents")
    window.agents.delete()
    [box] = window.agents.findChildren(QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    assert window.agents.model.rowCount() == 1
    assert agent_cells(window) == ["—", "Solar lead qualification"]
    with store.session() as session:
        assert session.scalars(select(Campaign.agent_id)).all()[0] is None


def test_pasted_numbers_show_in_the_contacts_and_the_campaign_row(qtbot, store, home):
    from app.ui.imports.paste_dialog import PasteNumbersDialog

    seed_demo(store)
    window = make_window(qtbot, store, home)
    page = window.campaigns
    page.table.selectRow(0)
    before = page.contacts_model.rowCount()
    total_before = page.model.summary(0).total
    changes = []
    window.context.changes.changed.connect(changes.append)

    dialog = page.paste_numbers(text="+1 415 555 0188\n+1 415 555 0189")
    assert isinstance(dialog, PasteNumbersDialog)
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS):
        dialog.start_import()

    campaign_id = page.selected_campaign_id()
    assert changes == [Change(campaigns=True, contacts_of=campaign_id)]
    assert page.contacts_model.rowCount() == before + 2
    assert page.model.summary(0).total == total_before + 2
    dialog.reject()


def test_adding_a_number_updates_the_numbers_page_through_the_hub(qtbot, store, home):
    window = make_window(qtbot, store, home)
    window.show_page("Phone numbers")
    numbers = window.numbers
    numbers.manual.setText("(415) 555-0100")
    numbers.add_manual()
    assert numbers.model.rowCount() == 1 and numbers.manual.text() == ""
    assert "Added +14155550100" in numbers.status.text()
