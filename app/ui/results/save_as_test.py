"""Results' "Save as test…": the selected call's transcript as a scenario of the agent that
handled it (the callee's lines, with the outcome it came to as the expectation), edited in
the scenario dialog before it is saved."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.agents import scenario_library
from app.agents.scenarios import Scenario, ScenarioError
from app.store.engine import Store
from app.ui.agents.scenario_dialog import ScenarioDialog
from app.ui.messages import show_error


def save_call_as_test(parent: QWidget, store: Store, call_id: int) -> ScenarioDialog | None:
    try:
        with store.session() as session:
            agent_id, scenario = scenario_library.scenario_from_call(session, call_id)
    except ScenarioError as exc:
        show_error(parent, "Save as test", f"This call cannot become a test: {exc}.")
        return None

    def save(edited: Scenario) -> str | None:
        try:
            with store.session.begin() as session:
                scenario_library.save_scenario(session, agent_id, edited)
        except ScenarioError as exc:
            return str(exc)
        return None

    dialog = ScenarioDialog(scenario, save, parent, title="Save the call as a test")
    dialog.open()
    return dialog
