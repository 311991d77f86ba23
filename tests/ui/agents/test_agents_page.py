"""The Agents page: templates, the editor writing into the draft, the dirty-draft prompt,
import/export, publishing, delete, the side panes' mount point, and the fit at 1366x768."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, QRect, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QScrollArea, QWidget
from sqlalchemy import select

from app.agents.definition import AgentDefinition
from app.demo import seed_demo
from app.domain.status import CampaignState
from app.store.models import Agent, Campaign
from app.ui.agents.controller import TEMPLATES
from app.ui.agents.page import AgentsPage
from app.ui.context import AppContext


def make_page(qtbot, store, home) -> AgentsPage:
    page = AgentsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    return page


def stored_draft(store, name: str) -> dict:
    with store.session() as session:
        return session.scalars(select(Agent.definition).where(Agent.name == name)).one()


def type_into(edit, text: str) -> None:
    """What typing does: the text, then textEdited (the editors listen to it)."""
    edit.setText(text)
    edit.textEdited.emit(text)


def answer(page: AgentsPage, button: QMessageBox.StandardButton) -> None:
    box = page.leave_question
    assert box is not None and box.isVisible()
    box.button(button).click()


def test_every_template_makes_a_valid_publishable_agent(qtbot, qtmodeltester, store, home):
    page = make_page(qtbot, store, home)
    assert page.model.rowCount() == 0 and not page.save_button.isEnabled()
    assert [a.text() for a in page.templates.actions()] == [t for t, _ in TEMPLATES]
    for action in page.templates.actions():
        action.trigger()
        assert page.controller.problems == [], action.text()
        page.publish_button.click()
        assert page.message.text() == "Published version 1."
    assert page.model.rowCount() == 5
    qtmodeltester.check(page.model, force_py=True)
    published = [page.model.index(row, 1).data() for row in range(5)]
    assert published == ["v1"] * 5


def test_editing_a_line_and_a_transition_changes_the_draft_and_its_problems(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.new_from_template("appointment-reminder.json")
    flow = page.flow
    flow.select_step("confirm")
    type_into(flow.say, "Can you still make it on {{appointment_time}}?")
    assert page.controller.dirty and "Unsaved changes" in page.state.text()

    # The "no" transition now goes to "confirmed": "reschedule" can no longer be reached.
    flow.transitions.setCurrentRow(1)
    assert flow.transitions.item(1).text() == "If the callee says no (confirmed) → reschedule"
    flow.target.setCurrentText("confirmed")
    assert flow.transitions.item(1).text() == "If the callee says no (confirmed) → confirmed"
    unreachable = [p.step for p in page.controller.problems]
    assert unreachable == ["reschedule", "rescheduled"]
    assert flow.steps.item(1).text().startswith("⚠ reschedule")
    flow.select_step("reschedule")
    assert "no step leads here" in flow.step_problems.text()
    page.publish_button.click()
    assert page.message.text().startswith("Not published: the draft has 2 problem(s)")

    flow.select_step("confirm")
    flow.transitions.setCurrentRow(1)
    flow.target.setCurrentText("reschedule")
    assert page.controller.problems == []
    page.save_button.click()
    saved = stored_draft(store, "Appointment reminder")
    confirm = saved["flow"]["steps"][0]
    assert confirm["say"] == "Can you still make it on {{appointment_time}}?"
    assert confirm["next"][1] == {"when": {"field": "confirmed", "is": False}, "to": "reschedule"}
    assert not page.controller.dirty


def test_a_dirty_draft_asks_before_another_agent_opens(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.new_from_template("satisfaction-survey.json")
    page.new_from_template("event-invitation.json")
    assert page.controller.data["name"] == "Event invitation"
    type_into(page.business.company, "Maple Street Books")
    survey_row = page.model.row_of(page.model.agent_id(1))

    page.table.selectRow(survey_row)
    answer(page, QMessageBox.StandardButton.Cancel)
    assert page.controller.data["business"]["company"] == "Maple Street Books"
    # the selection goes back to the draft's row
    qtbot.waitUntil(lambda: page.table.selectionModel().selectedRows()[0].row() == 0)

    page.table.selectRow(survey_row)
    answer(page, QMessageBox.StandardButton.Discard)
    assert page.controller.data["name"] == "Satisfaction survey"
    assert stored_draft(store, "Event invitation")["business"]["company"] == "Maple Street Library"

    type_into(page.business.purpose, "ask how the plumbing visit went")
    page.table.selectRow(0)
    answer(page, QMessageBox.StandardButton.Save)
    assert page.controller.data["name"] == "Event invitation"
    saved = stored_draft(store, "Satisfaction survey")
    assert saved["business"]["purpose"] == "ask how the plumbing visit went"


def test_the_main_window_asks_before_leaving_the_page_or_closing(qtbot, store, home):
    from app.ui.app import build_context
    from app.ui.main_window import MainWindow

    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.show()
    window.show_page("Agents")
    page = window.agents
    page.new_from_template("payment-reminder.json")
    type_into(page.business.company, "Northwind Power")
    window.show_page("Results")
    assert window.stack.currentWidget() is page and window.nav.currentRow() == 1
    answer(page, QMessageBox.StandardButton.Save)
    assert window.title.text() == "Results"
    assert stored_draft(store, "Payment reminder")["business"]["company"] == "Northwind Power"

    window.show_page("Agents")
    type_into(page.business.company, "Northwind Energy")
    window.close()
    assert window.isVisible()
    answer(page, QMessageBox.StandardButton.Discard)
    assert not window.isVisible()


def test_import_export_round_trip_and_publish_makes_the_next_version(qtbot, store, home, tmp_path):
    seed_demo(store)
    page = make_page(qtbot, store, home)
    page.select_agent(page.model.agent_id(0))
    assert page.controller.data["name"] == "Appointment reminder"
    exported = tmp_path / "reminder.json"
    page.export_file(exported)
    data = json.loads(exported.read_text())
    assert data == stored_draft(store, "Appointment reminder")

    page.import_file(exported)
    assert page.controller.data["name"] == "Appointment reminder 2"  # a name of its own
    assert stored_draft(store, "Appointment reminder 2") == {
        **data,
        "name": "Appointment reminder 2",
    }

    page.import_file(tmp_path / "missing.json")
    assert page.message.text().startswith("Could not read missing.json")

    page.select_agent(page.model.agent_id(0))
    type_into(page.business.purpose, "confirm next week's appointment")
    page.publish_button.click()
    assert page.message.text() == "Published version 2."
    assert page.model.index(0, 1).data() == "v2" and page.model.index(0, 2).data() == ""
    page.publish_button.click()
    assert page.message.text() == "Version 2 is this draft already: nothing to publish."


def test_delete_names_the_campaigns_and_refuses_while_one_runs(qtbot, store, home):
    seed_demo(store)
    page = make_page(qtbot, store, home)
    page.select_agent(page.model.agent_id(0))
    with store.session.begin() as session:
        campaign = session.scalars(
            select(Campaign).where(Campaign.name == "Spring reminders")
        ).one()
        campaign.state = CampaignState.RUNNING.value
    page.delete_button.click()
    assert "running campaign (Spring reminders)" in page.message.text()
    assert not page.findChildren(QMessageBox)

    with store.session.begin() as session:
        campaign = session.scalars(
            select(Campaign).where(Campaign.name == "Spring reminders")
        ).one()
        campaign.state = CampaignState.PAUSED.value
    page.delete_button.click()
    [box] = page.findChildren(QMessageBox)
    assert "“Spring reminders”" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert page.model.rowCount() == 1


class EditingPane(QWidget):
    definition_edited = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[int | None, AgentDefinition | None]] = []

    def show_agent(self, agent_id, definition) -> None:
        self.shown.append((agent_id, definition))


def test_side_panes_see_each_edit_and_their_edits_reach_the_draft(qtbot, store, home):
    page = make_page(qtbot, store, home)
    pane = EditingPane()
    page.add_side_pane("Test pane", pane)
    tabs = [page.side.tabText(i) for i in range(page.side.count())]
    assert tabs == ["Preview", "Try it", "Knowledge", "Scenarios", "Test pane"]
    page.new_from_template("event-invitation.json")
    agent_id, definition = pane.shown[-1]
    assert agent_id == page.controller.agent_id and definition.name == "Event invitation"
    preview = page.side.widget(0).widget()
    assert "Hi Alex, this is Jamie" in preview.first_words.text()
    assert "our open evening" in preview.first_words.text()  # the variable's fallback

    type_into(page.business.persona, "Jo")
    assert pane.shown[-1][1].business.agent_name == "Jo"
    edited = pane.shown[-1][1].model_copy(
        update={"flow": pane.shown[-1][1].flow.model_copy(update={"start": "guests"})}
    )
    pane.definition_edited.emit(edited)
    assert page.controller.dirty and page.controller.data["flow"]["start"] == "guests"
    assert [p.step for p in page.controller.problems] == ["invite", "declined"]
    assert page.flow.start.currentText() == "guests"


def test_greeting_completion_offers_contact_columns_and_variables(qtbot, store, home):
    seed_demo(store)
    page = make_page(qtbot, store, home)
    page.select_agent(page.model.agent_id(0))
    offered = page.business.greeting.variables()
    assert {"pet_name", "appointment_time", "email", "first_name", "company"} <= set(offered)
    greeting = page.business.greeting
    greeting.setText("Hi {{fir")
    greeting.setCursorPosition(len(greeting.text()))
    greeting.insert_variable("first_name")
    assert greeting.text() == "Hi {{first_name}}"
    assert page.controller.data["opening"]["greeting"] == "Hi {{first_name}}"
    assert any(p.path == "opening.greeting" for p in page.controller.problems)
    assert "must name the business" in page.business.greeting_problems.text()


def test_the_callback_number_follows_the_phone_rules(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.new_from_template("event-invitation.json")
    number = page.business.callback_number
    number.setText("12")
    page.business._callback_edited("12")
    assert "Not a phone number" in page.business.callback_problem.text()
    number.setText("(415) 555-0100")
    page.business._callback_edited(number.text())
    page.business._callback_finished()
    assert page.controller.data["business"]["callback_number"] == "+14155550100"
    assert page.business.callback_problem.text() == ""


def test_voice_choices_start_at_twilios_defaults(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.new_from_template("satisfaction-survey.json")
    business = page.business
    assert business.tts_provider.currentText() == "ElevenLabs"
    assert business.voice.currentText() == "UgBBYS2sOqTuMpoF3BR0"
    assert business.transcription.currentText() == "Deepgram"
    business.tts_provider.setCurrentIndex(business.tts_provider.findData("Google"))
    assert page.controller.data["speech"]["voice"] == "en-US-Journey-O"
    assert business.voice.currentText() == "en-US-Journey-O"


def _scroll_area(widget: QWidget, page: QWidget) -> QScrollArea | None:
    while widget is not None and widget is not page:
        if isinstance(widget, QScrollArea):
            return widget
        widget = widget.parentWidget()
    return None


def test_every_button_is_inside_the_page_at_1366x768(qtbot, store, home):
    """In the window at 1366x768 the page gets what the rail, header and status bar leave;
    a button is in view, or in a scroll area that scrolls only up and down to it."""
    seed_demo(store)
    page = make_page(qtbot, store, home)
    page.resize(1366 - 190, 768 - 110)
    page.show()
    qtbot.waitExposed(page)
    checked = 0
    for tab in range(page.editor.count()):
        page.editor.setCurrentIndex(tab)
        if page.editor.tabText(tab) == "Tools":
            page.tools.add_tool("webhook")  # the longest tool form
        page.grab()  # lay out
        for button in page.findChildren(QPushButton):
            if not button.isVisible():
                continue
            area = _scroll_area(button, page)
            frame = page if area is None else area.viewport()
            left = button.mapTo(frame, QPoint(0, 0))
            if area is not None:
                left.setY(0)  # scrolling reaches it
            assert frame.rect().contains(QRect(left, button.size())), button.text()
            checked += 1
    assert checked > 20


def test_ctrl_n_offers_the_templates_and_ctrl_s_saves_the_draft(qtbot, store, home):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()  # with the main window's Ctrl+N: New campaign
    qtbot.addWidget(window)
    campaign = window.addAction("New campaign")
    campaign.setShortcut(QKeySequence.StandardKey.New)
    fired = []
    campaign.triggered.connect(lambda: fired.append("campaign"))
    page = AgentsPage(AppContext(store=store, home=home, demo_mode=True))
    window.setCentralWidget(page)
    window.show()
    with qtbot.waitActive(window):  # shortcuts fire in the active window
        window.activateWindow()
    page.new_from_template("event-invitation.json")
    offered = []
    page.show_templates = lambda: offered.append("templates")  # (the menu would grab keys)
    page.business.company.setFocus()
    qtbot.keyClick(page.business.company, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert offered == ["templates"] and fired == []
    type_into(page.business.company, "Maple Street Hall")
    qtbot.keyClick(page.business.company, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.message.text() == "Draft saved.", page.message.text()
    assert not page.controller.dirty
    assert stored_draft(store, "Event invitation")["business"]["company"] == "Maple Street Hall"


def test_steps_and_transitions_are_added_moved_renamed_and_deleted(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.new_from_template("event-invitation.json")
    flow = page.flow
    flow.add_step.click()
    steps = page.controller.data["flow"]["steps"]
    assert [s["id"] for s in steps][-1] == "step_1" and flow.step_id.text() == "step_1"
    assert [p.step for p in page.controller.problems] == ["step_1"]  # nothing leads there
    flow.select_step("declined")
    flow.add_transition.click()
    flow.condition.kind.setCurrentIndex(flow.condition.kind.findData("dtmf"))
    flow.condition.value.setText("9")
    flow.condition.value.textEdited.emit("9")
    flow.target.setCurrentText("step_1")
    assert flow.transitions.item(0).text() == "If they press 9 → step_1"
    assert page.controller.problems == []

    flow.select_step("step_1")
    flow.step_id.setText("goodbye")
    flow.step_id.editingFinished.emit()
    declined = page.controller.definition.step("declined")
    assert declined.next[0].to == "goodbye"  # the reference followed the rename
    flow.step_up.click()
    assert [s.id for s in page.controller.definition.flow.steps][-2:] == ["goodbye", "declined"]
    flow.delete_step.click()
    assert "goodbye" not in [s.id for s in page.controller.definition.flow.steps]
    assert any("no step named 'goodbye'" in p.message for p in page.controller.problems)
    flow.select_step("declined")
    flow.transitions.setCurrentRow(0)
    flow.delete_transition.click()
    assert page.controller.problems == []
    flow.add_global.click()
    assert page.controller.definition.flow.global_[0].when.keywords == ["operator"]


def test_publishing_runs_the_agents_scenarios(qtbot, store, home):
    from app.agents import scenario_library
    from app.agents.scenarios import Expectation, Scenario
    from app.ui.agents.scenarios_pane import ScenariosPane

    seed_demo(store)
    page = make_page(qtbot, store, home)
    agent_id = page.model.agent_id(0)
    with store.session.begin() as session:
        scenario_library.save_scenario(
            session,
            agent_id,
            Scenario(name="stops", lines=["Stop calling me"], expect=Expectation(dnc=True)),
        )
    page.select_agent(agent_id)
    [scenarios] = [pane for pane in page._side_panes if isinstance(pane, ScenariosPane)]
    type_into(page.business.purpose, "confirm next week's appointment")
    page.publish_button.click()
    assert page.message.text() == "Published version 2."
    qtbot.waitUntil(lambda: scenarios.summary.text().startswith("1 of 1 scenarios passed"))


def test_a_fallback_is_set_for_each_contact_column_the_lines_use(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.new_from_template("appointment-reminder.json")
    fallbacks = page.business.fallbacks
    assert {"first_name", "pet_name", "appointment_time"} <= set(fallbacks)
    assert fallbacks["pet_name"].text() == "your pet"  # the template's own
    type_into(fallbacks["first_name"], "there")
    assert page.controller.data["variables"]["first_name"] == {"fallback": "there"}
    assert "first_name" in page.business.fallbacks  # its row stays while it has one
