from PySide6.QtWidgets import QMessageBox

from app.agents import scenario_library
from app.agents.scenarios import Expectation, Scenario
from app.ui.agents.scenarios_pane import ScenariosPane
from app.ui.context import AppContext
from tests.agents.panes_support import CONTACT, seed_agent_campaign, template


def make_pane(qtbot, store, home):
    ids = seed_agent_campaign(store)
    pane = ScenariosPane(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(pane)
    pane.show_agent(ids["agent"], template())
    return pane


def test_add_run_all_and_read_the_failure(qtbot, qtmodeltester, store, home):
    pane = make_pane(qtbot, store, home)
    assert not pane.run_button.isEnabled()
    dialog = pane.open_editor(None)
    dialog.name.setText("confirms")
    dialog.lines.setPlainText("Hello?\nYes")
    dialog.variables.setText("first_name=Ada, pet_name=Rex")
    dialog.outcome.setCurrentText("completed")
    dialog.fields.setText("confirmed=true")
    dialog.save()
    assert not dialog.isVisible() and pane.model.rowCount() == 1
    assert pane.model.row(0).scenario.expect.fields == {"confirmed": True}

    dialog = pane.open_editor(None)
    dialog.name.setText("confirms")  # taken: the dialog stays open and says so
    dialog.callee.setCurrentIndex(dialog.callee.findData("not_interested"))
    dialog.save()
    assert dialog.isVisible() and "already has a scenario" in dialog.error.text()
    dialog.name.setText("is transferred")
    dialog.outcome.setCurrentText("transferred")
    dialog.save()
    assert pane.model.rowCount() == 2

    pane.run_all()
    qtbot.waitUntil(lambda: pane.run_button.isEnabled())
    assert pane.summary.text().startswith("1 of 2 scenarios passed")
    results = [pane.model.data(pane.model.index(r, 0)) for r in range(2)]
    assert results == ["✔ Pass", "✘ Fail"]
    report = pane.detail.toPlainText()  # the failure is selected
    assert report.startswith("Failed:\n• outcome was 'completed', expected 'transferred'")
    assert "Callee: No thanks, I'm not interested." in report
    qtmodeltester.check(pane.model, force_py=True)


def test_edit_and_delete(qtbot, store, home):
    pane = make_pane(qtbot, store, home)
    with store.session.begin() as session:
        scenario_library.save_scenario(
            session,
            pane.agent_id,
            Scenario(name="opt out", persona="opt_out", vars=CONTACT, expect=Expectation(dnc=True)),
        )
    pane.reload()
    pane.table.selectRow(0)
    dialog = pane.open_editor(pane.model.row(0))
    assert dialog.callee.currentData() == "opt_out" and dialog.dnc.currentData() is True
    dialog.name.setText("says stop")
    dialog.save()
    assert pane.model.row(0).scenario.name == "says stop"
    pane.table.selectRow(0)
    pane.delete_selected()
    box = pane.findChildren(QMessageBox)[-1]
    assert "'says stop'" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0)
