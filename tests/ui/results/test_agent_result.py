"""The detail pane shows what the voice agent made of a call, at 1366×768, and nothing for a
call no agent finished; "Use suggestion" sets the disposition the way the buttons do."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.results.edits import set_disposition
from app.store.models import Call
from app.ui.results.calls_model import COLUMNS, CallsTableModel
from app.ui.results.page import ResultsPage
from tests.results.results_seed import seed_agent_results
from tests.ui.results.media import MEDIA_NOISE

pytestmark = pytest.mark.qt_log_ignore(*MEDIA_NOISE)

DISPOSITION_COLUMN = [key for _, key in COLUMNS].index("disposition")


@pytest.fixture
def agent_calls(store, seeded):
    return seed_agent_results(store, seeded)


@pytest.fixture
def page(qtbot, store, home, agent_calls):
    widget = ResultsPage(store, home=home)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _disposition(store, call_id: int) -> str | None:
    with store.session() as session:
        return session.scalar(select(Call.disposition).where(Call.id == call_id))


def test_the_pane_shows_each_piece_of_the_agent_result(page, agent_calls):
    assert page.select_call(agent_calls.callback_call_id)
    view = page.detail_stack.agent_result
    assert view.isVisible()
    assert "Clinic reminder v3" in view.title.text()
    assert view.badge.text() == "Call back"
    assert view.summary.text().startswith("The callee asked to be called back.")
    assert view.field_rows() == [
        ("Confirmed", "yes"),
        ("Insured", "no"),
        ("Visits", "2"),
        ("Preferred day", "Tue 8 Dec 2026"),
        ("Callback time", "Tue 8 Dec 2026, 15:00"),
    ]
    assert view.steps.text() == "Steps: greet → confirm → offer_callback → goodbye"
    assert view.callback.text() == "<b>Call back:</b> Tue 8 Dec 2026, 15:00, their time"
    assert not view.evidence.isVisible()  # not a do-not-call


def test_a_dnc_call_shows_the_callee_words(page, agent_calls):
    assert page.select_call(agent_calls.dnc_call_id)
    view = page.detail_stack.agent_result
    assert view.badge.text() == "Do not call"
    assert view.evidence.isVisible()
    assert view.evidence.text() == 'They said at 0:12: "take me off your list"'
    assert not view.callback.isVisible() and view.field_rows() == []


def test_an_old_call_shows_nothing_of_an_agent(page, agent_calls):
    assert page.select_call(agent_calls.callback_call_id)
    assert page.select_call(agent_calls.old_call_id)  # after one that showed it all
    assert not page.detail_stack.agent_result.isVisible()
    assert not page.disposition.suggestion.isVisible()
    assert not page.disposition.use_suggestion.isVisible()


def test_the_agents_suggestion_is_prefilled_when_the_supervisor_has_not_chosen(
    qtbot, page, store, agent_calls
):
    assert _disposition(store, agent_calls.callback_call_id) is None
    assert page.select_call(agent_calls.callback_call_id)
    editor = page.disposition
    assert _disposition(store, agent_calls.callback_call_id) == "Call back"
    assert editor.current() == "Call back"
    assert "Agent suggests: <b>Call back</b>" in editor.suggestion.text()
    assert editor.suggestion.text().endswith("✓")
    assert not editor.use_suggestion.isVisible()
    row = page.model.row_of(agent_calls.callback_call_id)
    cell = page.model.index(row, DISPOSITION_COLUMN)
    assert cell.data() == "Call back" and cell.data(Qt.ItemDataRole.FontRole) is None


def test_the_supervisor_choice_counts_over_the_suggestion(page, store, agent_calls):
    assert page.select_call(agent_calls.callback_call_id)
    editor = page.disposition
    editor.choose("Interested")
    assert _disposition(store, agent_calls.callback_call_id) == "Interested"
    assert editor.suggestion.isVisible()  # still said, beside their choice
    assert not editor.use_suggestion.isVisible()
    assert page.select_call(agent_calls.dnc_call_id)
    assert page.select_call(agent_calls.callback_call_id)  # and so on coming back
    assert editor.current() == "Interested" and not editor.use_suggestion.isVisible()


def test_a_suggestion_the_campaign_does_not_offer_is_said_but_not_one_click(
    page, store, agent_calls
):
    with store.session.begin() as session:
        session.get(Call, agent_calls.callback_call_id).suggested_disposition = "Booked"
    assert page.select_call(agent_calls.callback_call_id)
    editor = page.disposition
    assert "(not in this campaign's list)" in editor.suggestion.text()
    assert not editor.use_suggestion.isVisible()


def _cut_off(pane) -> list[str]:
    """The visible labels of the agent result and the disposition that do not fit whole."""
    content = pane.scroll.widget()
    viewport = pane.scroll.viewport().width()
    labels = pane.agent_result.findChildren(QLabel) + pane.disposition.findChildren(QLabel)
    cut = []
    for label in labels:
        if not (label.isVisible() and label.text()):
            continue
        right = label.mapTo(content, label.rect().topRight()).x()
        needed = (
            label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
        )
        wide_enough = label.wordWrap() or label.width() >= label.sizeHint().width()
        if right > viewport or label.height() < needed or not wide_enough:
            cut.append(label.text())
    return cut


def test_nothing_is_cut_off_at_1366_by_768(qtbot, page, agent_calls):
    pane = page.detail_stack
    for call_id in (agent_calls.callback_call_id, agent_calls.dnc_call_id):
        assert page.select_call(call_id)
        qtbot.waitUntil(lambda: not _cut_off(pane))  # once the layout has settled
    assert pane.scroll.widget().height() > pane.scroll.viewport().height()  # it scrolls
    assert pane.transcript.height() >= 160  # rather than squash the chat


def test_a_call_without_a_disposition_shows_the_agent_outcome_in_its_place(
    qtmodeltester, store, seeded, agent_calls
):
    model = CallsTableModel(store)
    model.set_campaign(seeded.campaign_id)
    qtmodeltester.check(model)

    def cell(call_id: int, role=Qt.ItemDataRole.DisplayRole):
        return model.index(model.row_of(call_id), DISPOSITION_COLUMN).data(role)

    assert cell(agent_calls.callback_call_id) == "Call back"
    assert cell(agent_calls.callback_call_id, Qt.ItemDataRole.FontRole).italic()
    assert cell(agent_calls.dnc_call_id) == "Do not call"
    assert cell(agent_calls.voicemail_call_id) == "Message left"
    assert "voice agent's outcome: Message left" in cell(
        agent_calls.voicemail_call_id, Qt.ItemDataRole.ToolTipRole
    )
    assert cell(agent_calls.old_call_id) == ""
    with store.session.begin() as session:
        set_disposition(session, agent_calls.callback_call_id, "Interested")
    model.refresh_call(agent_calls.callback_call_id)
    assert cell(agent_calls.callback_call_id) == "Interested"  # theirs, once they chose
    assert cell(agent_calls.callback_call_id, Qt.ItemDataRole.FontRole) is None
    assert cell(agent_calls.callback_call_id, Qt.ItemDataRole.ToolTipRole) is None
