"""A {{variable}} the contacts lack is named after an import and before a start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.agents import library
from app.store.campaigns import create_campaign, get_by_id
from app.store.models import Contact
from app.ui.campaigns.page import CampaignsPage
from app.ui.context import AppContext
from app.ui.imports.paste_dialog import PasteNumbersDialog
from tests.agents.conftest import definition

TIMEOUT_MS = 15_000


def reminders(store, *, contacts: int = 0) -> int:
    """A campaign whose agent says {{first_name}} and {{appointment_time}}."""
    with store.session.begin() as session:
        library.import_definition(session, definition())
        campaign = create_campaign(
            session, "Reminders", caller_id="+15005550006", agent="Clinic reminder"
        )
        session.flush()
        for i in range(contacts):
            session.add(
                Contact(campaign_id=campaign.id, phone=f"+1202555010{i}", name="Ana", fields={})
            )
        return campaign.id


def test_the_import_summary_names_the_missing_column(qtbot, store, home):
    campaign_id = reminders(store)
    dialog = PasteNumbersDialog(store, campaign_id, region="US", home=home)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.editor.setPlainText("4155550100\n4155550101")
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    text = dialog.summary.label.text()
    assert "says {{appointment_time}}, but no contact has it" in text
    assert "says {{first_name}}, but no contact has it" in text


def test_starting_asks_first_and_cancel_leaves_it_a_draft(qtbot, store, home):
    campaign_id = reminders(store, contacts=2)
    page = CampaignsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    page.start_or_pause(campaign_id, pausing=False)
    box = page.start_question
    assert box is not None and box.isVisible()
    assert "{{appointment_time}}, but no contact has it" in box.text()
    assert box.text().endswith("Start anyway?")
    box.button(QMessageBox.StandardButton.Cancel).click()
    with store.session() as session:
        assert get_by_id(session, campaign_id).state == "draft"
