from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.store.models import Agent
from app.ui.agents_page import AgentsPage
from app.ui.context import AppContext


def make_page(qtbot, store, home) -> AgentsPage:
    page = AgentsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    return page


def test_create_edit_and_validate_an_agent(qtbot, qtmodeltester, store, home):
    page = make_page(qtbot, store, home)
    assert page.model.rowCount() == 0
    page.name.setText("Sunny")
    page.greeting.setText("Hi {{first_name}}")
    page.tools.setText("reschedule, cancel")
    page.flow.setPlainText('{"steps": ["greet"')
    page.save()
    assert "not valid JSON" in page.message.text()
    page.flow.setPlainText('{"steps": ["greet", "goodbye"]}')
    page.save()
    assert page.message.text() == "Saved."
    with store.session() as session:
        agent = session.scalar(select(Agent))
        assert (agent.name, agent.tools, agent.flow) == (
            "Sunny",
            ["reschedule", "cancel"],
            {"steps": ["greet", "goodbye"]},
        )
    qtmodeltester.check(page.model, force_py=True)
    page.new_agent()
    page.name.setText("Sunny")
    page.save()
    assert "already called 'Sunny'" in page.message.text()
    assert page.model.rowCount() == 1


def test_delete_asks_first_and_names_what_is_lost(qtbot, store, home):
    with store.session.begin() as session:
        session.add(Agent(name="Old"))
    page = make_page(qtbot, store, home)
    page.delete()
    boxes = page.findChildren(QMessageBox)
    assert len(boxes) == 1 and "'Old'" in boxes[0].text()
    assert page.model.rowCount() == 1  # nothing happens before the answer
    boxes.pop().button(QMessageBox.StandardButton.Yes).click()
    # (hold no wrapper of the box: it deletes itself on close)
    assert page.model.rowCount() == 0


def test_a_flow_that_is_not_an_object_is_refused(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.name.setText("Listy")
    page.flow.setPlainText("[1, 2]")
    page.save()
    assert "must be a JSON object" in page.message.text()
    assert page.model.rowCount() == 0


def test_the_forms_greeting_reaches_the_agents_calls_or_is_refused_with_the_rule(
    qtbot, store, home
):
    from app.agents.library import published
    from app.demo import seed_demo

    seed_demo(store)
    page = make_page(qtbot, store, home)
    page.refresh()
    page.table.selectRow(0)  # Appointment reminder
    page.greeting.setText("Hi {{first_name}}!")
    page.save()
    assert "must name the business" in page.message.text()
    page.greeting.setText(
        "Hi {{first_name}}, Sunny here, an automated assistant from Evergreen Vets. "
        "This call may be recorded."
    )
    page.save()
    assert page.message.text() == "Saved."
    with store.session() as session:
        agent = session.scalars(select(Agent).where(Agent.name == "Appointment reminder")).one()
        version = published(session, agent.id)
    assert version.version == 2 and version.definition.opening.greeting.startswith("Hi {{first")
    assert "Sunny here" in version.definition.opening.greeting
