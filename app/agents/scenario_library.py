"""An agent's saved scenarios (table agent_scenarios, migration 0009), and a call from
Results turned into one. Functions of a Session; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agents.definition import AgentDefinition, parse_definition
from app.agents.scenarios import Expectation, Scenario, ScenarioError
from app.domain.template import contact_variables
from app.store.models import AgentScenario, AgentVersion, Call, Campaign, Contact, TranscriptTurn


@dataclass(frozen=True)
class StoredScenario:
    id: int
    agent_id: int
    scenario: Scenario


def list_scenarios(session: Session, agent_id: int) -> list[StoredScenario]:
    rows = session.scalars(
        select(AgentScenario).where(AgentScenario.agent_id == agent_id).order_by(AgentScenario.id)
    )
    return [StoredScenario(r.id, r.agent_id, Scenario.model_validate(r.scenario)) for r in rows]


def scenarios_of(session: Session, agent_id: int) -> list[Scenario]:
    """The agent's scenarios, for run_suite (Publish runs them on the new version)."""
    return [stored.scenario for stored in list_scenarios(session, agent_id)]


def save_scenario(
    session: Session, agent_id: int, scenario: Scenario, scenario_id: int | None = None
) -> int:
    """Add a scenario (or replace the one with *scenario_id*); its id. Names are unique per agent."""
    clash = session.scalar(
        select(AgentScenario.id).where(
            AgentScenario.agent_id == agent_id, AgentScenario.name == scenario.name
        )
    )
    if clash is not None and clash != scenario_id:
        raise ScenarioError(f"this agent already has a scenario named {scenario.name!r}")
    row = session.get(AgentScenario, scenario_id) if scenario_id is not None else None
    if row is None:
        row = AgentScenario(agent_id=agent_id, name=scenario.name, scenario={})
        session.add(row)
    row.name = scenario.name
    row.scenario = scenario.to_json()
    session.flush()
    return row.id


def suite_of_version(session: Session, version_id: int) -> tuple[AgentDefinition, list[Scenario]]:
    """A published version and its agent's scenarios: what run_suite needs to check it."""
    version = session.get_one(AgentVersion, version_id)
    scenarios = scenarios_of(session, version.agent_id) if version.agent_id is not None else []
    return parse_definition(version.definition), scenarios


def delete_scenario(session: Session, scenario_id: int) -> None:
    row = session.get(AgentScenario, scenario_id)
    if row is not None:
        session.delete(row)


def unused_name(session: Session, agent_id: int, wanted: str) -> str:
    taken = set(
        session.scalars(select(AgentScenario.name).where(AgentScenario.agent_id == agent_id))
    )
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted} ({n})", n + 1
    return name


def scenario_from_call(session: Session, call_id: int) -> tuple[int, Scenario]:
    """A call's transcript as a scenario of the agent that handled it: the callee's lines, the
    contact's variables, and the outcome it came to as the expectation (the supervisor edits
    it before saving). Returns (agent id, scenario); ScenarioError when there is none to make."""
    call = session.get(Call, call_id)
    if call is None:
        raise ScenarioError("that call no longer exists")
    agent_id = None
    if call.agent_version_id is not None:
        agent_id = session.scalar(
            select(AgentVersion.agent_id).where(AgentVersion.id == call.agent_version_id)
        )
    if agent_id is None:
        agent_id = session.scalar(select(Campaign.agent_id).where(Campaign.id == call.campaign_id))
    if agent_id is None:
        raise ScenarioError("no agent handled this call, so it cannot become an agent's test")
    turns = session.scalars(
        select(TranscriptTurn)
        .where(TranscriptTurn.call_id == call_id, TranscriptTurn.speaker == "callee")
        .order_by(TranscriptTurn.offset_s, TranscriptTurn.id)
    )
    lines = [t.text for t in turns if t.text.strip()]
    if not lines and call.answered_by and call.answered_by.startswith("machine"):
        lines = ["#voicemail"]
    if not lines:
        raise ScenarioError("the call has no transcript of the callee to replay")
    contact = session.get(Contact, call.contact_id)
    variables = contact_variables(contact.name, contact.fields) if contact else {}
    expect = Expectation(outcome=call.outcome, dnc=True if call.outcome == "dnc" else None)
    name = unused_name(
        session, agent_id, f"Call of {contact.name or contact.phone}" if contact else "Call"
    )
    return agent_id, Scenario(name=name, lines=lines, vars=variables, expect=expect)
