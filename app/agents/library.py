"""Agent definitions in the database: the draft, its published versions, export.

The draft lives in `agents.definition` (JSON, validated on the way in and out); publishing
copies it into `agent_versions` as the next number, and campaigns use the newest published
version (each Call records its id). Functions of a Session; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.agents.definition import AgentDefinition, DefinitionError, KnowledgeItem, parse_definition
from app.domain.status import CampaignState
from app.store.agents import AgentNameTaken
from app.store.models import Agent, AgentVersion, Campaign, Contact
from app.store.types import utcnow


class AgentNotFound(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no agent named {name!r}; 'calldeck agent list' shows them")


class AgentInUse(ValueError):
    def __init__(self, campaigns: Sequence[str]) -> None:
        names = ", ".join(f"“{name}”" for name in campaigns)
        super().__init__(f"A running campaign uses this agent ({names}); pause it first.")


@dataclass(frozen=True)
class AgentListing:
    id: int
    name: str
    has_definition: bool
    published_version: int | None  # the newest published version's number
    versions: int
    draft_changed: bool  # the draft differs from the newest published version

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "has_definition": self.has_definition,
            "published_version": self.published_version,
            "versions": self.versions,
            "draft_changed": self.draft_changed,
        }


@dataclass(frozen=True)
class PublishedAgent:
    version_id: int
    version: int
    definition: AgentDefinition


def _agent(session: Session, name: str) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.name == name))
    if agent is None:
        raise AgentNotFound(name)
    return agent


def _latest(session: Session, agent_id: int) -> AgentVersion | None:
    return session.scalar(
        select(AgentVersion)
        .where(AgentVersion.agent_id == agent_id)
        .order_by(AgentVersion.version.desc())
        .limit(1)
    )


def save_draft(session: Session, definition: AgentDefinition, agent_id: int | None = None) -> int:
    """Create the agent named in the definition, or replace its draft; returns its id.
    With *agent_id*, that agent's draft (renamed when the definition's name changed; raises
    AgentNameTaken when another agent has the name). The legacy columns (greeting, business
    info) follow the definition."""
    if agent_id is not None:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise AgentNotFound(f"#{agent_id}")
        taken = session.scalar(
            select(Agent.id).where(Agent.name == definition.name, Agent.id != agent_id)
        )
        if taken is not None:
            raise AgentNameTaken(definition.name)
        agent.name = definition.name
    else:
        agent = session.scalar(select(Agent).where(Agent.name == definition.name))
    if agent is None:
        agent = Agent(name=definition.name)
        session.add(agent)
    agent.definition = definition.to_json()
    agent.greeting = definition.opening.greeting
    business = definition.business
    agent.business_info = "\n".join(
        line for line in (business.company, business.purpose, business.info) if line
    )
    session.flush()
    return agent.id


def draft(session: Session, name: str) -> AgentDefinition:
    agent = _agent(session, name)
    if agent.definition is None:
        raise DefinitionError(
            [f"agent {name!r} has no definition yet; import one with 'calldeck agent import FILE'"]
        )
    return parse_definition(agent.definition)


def publish(session: Session, name: str) -> int:
    """Freeze the draft as the next version (none when it equals the newest); its number."""
    agent = _agent(session, name)
    definition = draft(session, name).to_json()
    latest = _latest(session, agent.id)
    if latest is not None and latest.definition == definition:
        return latest.version
    number = (latest.version if latest else 0) + 1
    now = utcnow()
    session.add(
        AgentVersion(
            agent_id=agent.id,
            version=number,
            definition=definition,
            published_at=now,
            created_at=now,
        )
    )
    session.flush()
    return number


def import_definition(session: Session, definition: AgentDefinition) -> int:
    """`calldeck agent import`: save the draft and publish it; the version number."""
    save_draft(session, definition)
    return publish(session, definition.name)


def published(session: Session, agent_id: int) -> PublishedAgent | None:
    """What a campaign's calls use: the agent's newest published version."""
    latest = _latest(session, agent_id)
    if latest is None:
        return None
    return PublishedAgent(latest.id, latest.version, parse_definition(latest.definition))


def list_agents(session: Session) -> list[AgentListing]:
    counts = dict(
        session.execute(
            select(AgentVersion.agent_id, func.count()).group_by(AgentVersion.agent_id)
        ).all()
    )
    return [
        _listing(session, agent, counts.get(agent.id, 0))
        for agent in session.scalars(select(Agent).order_by(Agent.name))
    ]


def _listing(session: Session, agent: Agent, versions: int) -> AgentListing:
    latest = _latest(session, agent.id) if versions else None
    return AgentListing(
        id=agent.id,
        name=agent.name,
        has_definition=agent.definition is not None,
        published_version=latest.version if latest else None,
        versions=versions,
        draft_changed=agent.definition is not None
        and (latest is None or latest.definition != agent.definition),
    )


def agent_ids(session: Session) -> list[int]:
    """Every agent's id, by name (the Agents page's list reads rows by id)."""
    return list(session.scalars(select(Agent.id).order_by(Agent.name, Agent.id)))


def agent_listings(session: Session, ids: Sequence[int]) -> dict[int, AgentListing]:
    """The listings of these agents (those that still exist), by id."""
    counts = dict(
        session.execute(
            select(AgentVersion.agent_id, func.count())
            .where(AgentVersion.agent_id.in_(ids))
            .group_by(AgentVersion.agent_id)
        ).all()
    )
    agents = session.scalars(select(Agent).where(Agent.id.in_(ids)))
    return {a.id: _listing(session, a, counts.get(a.id, 0)) for a in agents}


def draft_data(session: Session, agent_id: int) -> dict[str, Any] | None:
    """An agent's draft as stored, unchecked: a draft being edited may have problems that
    `draft()` refuses (publishing checks them)."""
    agent = session.get(Agent, agent_id)
    return None if agent is None else agent.definition


def unique_name(session: Session, wanted: str) -> str:
    """*wanted*, or "wanted 2", "wanted 3"... when another agent has it."""
    names = set(session.scalars(select(Agent.name).where(Agent.name.startswith(wanted))))
    if wanted not in names:
        return wanted
    return next(f"{wanted} {n}" for n in range(2, len(names) + 3) if f"{wanted} {n}" not in names)


@dataclass(frozen=True)
class CampaignUse:
    name: str
    state: str


def campaigns_using(session: Session, agent_id: int) -> list[CampaignUse]:
    rows = session.execute(
        select(Campaign.name, Campaign.state)
        .where(Campaign.agent_id == agent_id)
        .order_by(Campaign.name)
    )
    return [CampaignUse(name, state) for name, state in rows]


def contact_columns(session: Session, agent_id: int, sample: int = 200) -> set[str] | None:
    """The contact columns of the campaigns using the agent (read from the first *sample*
    contacts of each; a list's columns are the same on every row). None: no campaign."""
    campaign_ids = list(session.scalars(select(Campaign.id).where(Campaign.agent_id == agent_id)))
    if not campaign_ids:
        return None
    columns: set[str] = set()
    for campaign_id in campaign_ids:
        rows = session.scalars(
            select(Contact.fields).where(Contact.campaign_id == campaign_id).limit(sample)
        )
        for fields in rows:
            columns |= set(fields or {})
    return columns


def delete_agent(session: Session, agent_id: int) -> None:
    """Delete an agent (its versions stay, for the calls they handled); refused while a
    running campaign uses it (its calls read the published version)."""
    running = [
        c.name for c in campaigns_using(session, agent_id) if c.state == CampaignState.RUNNING
    ]
    if running:
        raise AgentInUse(running)
    agent = session.get(Agent, agent_id)
    if agent is not None:
        session.delete(agent)
        session.flush()


def export_definition(session: Session, name: str) -> dict[str, Any]:
    """The draft as a file would hold it (defaults left out, so it stays short)."""
    return draft(session, name).to_json()


def add_knowledge(session: Session, name: str, items: Sequence[KnowledgeItem]) -> AgentDefinition:
    """Append knowledge items (passages of added documents) to the draft and publish it."""
    current = draft(session, name)
    updated = current.model_copy(update={"knowledge": [*current.knowledge, *items]})
    save_draft(session, parse_definition(updated.to_json()))
    publish(session, name)
    return updated
