import pytest

from app.agents import scenario_library
from app.agents.scenarios import Expectation, Scenario, ScenarioError
from app.agents.suite import run_suite
from tests.agents.panes_support import seed_agent_campaign


def test_scenarios_are_saved_edited_and_deleted_per_agent(store):
    ids = seed_agent_campaign(store)
    with store.session.begin() as session:
        first = scenario_library.save_scenario(
            session, ids["agent"], Scenario(name="hello", lines=["Hello?"])
        )
        scenario_library.save_scenario(
            session, ids["agent"], Scenario(name="hello", lines=["Hi"]), first
        )
        with pytest.raises(ScenarioError, match="already has a scenario named 'hello'"):
            scenario_library.save_scenario(
                session, ids["agent"], Scenario(name="hello", persona="opt_out")
            )
    with store.session() as session:
        [saved] = scenario_library.list_scenarios(session, ids["agent"])
    assert (saved.id, saved.scenario.lines) == (first, ["Hi"])
    with store.session.begin() as session:
        scenario_library.delete_scenario(session, first)
    with store.session() as session:
        assert scenario_library.list_scenarios(session, ids["agent"]) == []


def test_a_call_becomes_a_scenario_that_replays_to_its_outcome(store):
    ids = seed_agent_campaign(store)
    with store.session() as session:
        agent_id, scenario = scenario_library.scenario_from_call(session, ids["call"])
    assert agent_id == ids["agent"]
    assert scenario.name == "Call of Ada Lovelace"
    assert scenario.lines == ["Hello?", "Stop calling me"]
    assert scenario.vars["first_name"] == "Ada" and scenario.vars["pet_name"] == "Rex"
    assert scenario.expect == Expectation(outcome="dnc", dnc=True)
    with store.session.begin() as session:
        scenario_library.save_scenario(session, agent_id, scenario)
        definition, scenarios = scenario_library.suite_of_version(session, ids["version"])
        assert scenario_library.scenario_from_call(session, ids["call"])[1].name == (
            "Call of Ada Lovelace (2)"
        )
    assert run_suite(definition, scenarios).ok


def test_a_call_without_a_callee_transcript_cannot_become_one(store):
    from app.store.models import TranscriptTurn

    ids = seed_agent_campaign(store)
    with store.session.begin() as session:
        session.query(TranscriptTurn).delete()
    with store.session() as session, pytest.raises(ScenarioError, match="no transcript"):
        scenario_library.scenario_from_call(session, ids["call"])
