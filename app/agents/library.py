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
from app.store.models import Agent, AgentVersion
from app.store.types import utcnow


class AgentNotFound(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no agent named {name!r}; 'calldeck agent list' shows them")


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


def save_draft(session: Session, definition: AgentDefinition) -> int:
    """Create the agent named in the definition, or replace its draft; returns its id.
    The Agents page's columns (greeting, business info) follow the definition."""
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
    listings = []
    for agent in session.scalars(select(Agent).order_by(Agent.name)):
        latest = _latest(session, agent.id) if counts.get(agent.id) else None
        listings.append(
            AgentListing(
                id=agent.id,
                name=agent.name,
                has_definition=agent.definition is not None,
                published_version=latest.version if latest else None,
                versions=counts.get(agent.id, 0),
                draft_changed=agent.definition is not None
                and (latest is None or latest.definition != agent.definition),
            )
        )
    return listings


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


def follow_form_edit(session: Session, agent_id: int, name: str, greeting: str) -> int | None:
    """The Agents page's form (until it edits definitions itself, issue #11): its name and
    greeting go into the agent's definition, published at once so the next call says them.
    The new version's number, or None for an agent without a definition. Raises
    DefinitionError when the greeting breaks a compliance rule (it must name the business...)."""
    agent = session.get(Agent, agent_id)
    if agent is None or agent.definition is None:
        return None
    current = parse_definition(agent.definition)
    data = current.to_json()
    data["name"] = name
    data["opening"] = {**data.get("opening", {}), "greeting": greeting}
    save_draft(session, parse_definition(data))
    return publish(session, name)
