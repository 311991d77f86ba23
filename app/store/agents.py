"""Agent queries and commands for the Agents page (and anyone else who lists agents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.names import check_name
from app.store.models import Agent, Campaign


class AgentNameTaken(ValueError):
    """Another agent already has this name; the message is for the user."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Another agent is already called {name!r}.")
        self.name = name


@dataclass(frozen=True)
class AgentDraft:
    """What the user typed for an agent; id None for a new one."""

    id: int | None
    name: str
    greeting: str = ""
    business_info: str = ""
    knowledge_base: str = ""
    tools: list[str] = field(default_factory=list)
    flow: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentRecord(AgentDraft):
    """An agent as listed, with how many campaigns use it."""

    campaigns: int = 0


def agent_names(session: Session) -> list[str]:
    """The agents a campaign may use, by name (the campaign editor's choices)."""
    return list(session.scalars(select(Agent.name).order_by(Agent.name)))


def list_agents(session: Session) -> list[AgentRecord]:
    """Every agent by name, with its campaign count."""
    used = dict(
        session.execute(select(Campaign.agent_id, func.count()).group_by(Campaign.agent_id)).all()
    )
    return [
        AgentRecord(
            id=a.id,
            name=a.name,
            greeting=a.greeting,
            business_info=a.business_info,
            knowledge_base=a.knowledge_base,
            tools=list(a.tools) if isinstance(a.tools, list) else [],
            flow=dict(a.flow) if isinstance(a.flow, dict) else {},
            campaigns=used.get(a.id, 0),
        )
        for a in session.scalars(select(Agent).order_by(Agent.name))
    ]


def save_agent(session: Session, draft: AgentDraft) -> int:
    """Create or update an agent; returns its id. Raises AgentNameTaken (the caller's
    transaction must then be rolled back, which `session.begin()` does on the way out)."""
    name = check_name(draft.name, "agent")  # before anything is added to the session
    agent = session.get(Agent, draft.id) if draft.id is not None else None
    if agent is None:
        agent = Agent()
        session.add(agent)
    agent.name = name
    agent.greeting = draft.greeting
    agent.business_info = draft.business_info
    agent.knowledge_base = draft.knowledge_base
    agent.tools = list(draft.tools)
    agent.flow = dict(draft.flow)
    try:
        session.flush()
    except IntegrityError as exc:  # the unique name: checked by the database, race-free
        raise AgentNameTaken(draft.name) from exc
    return agent.id


def delete_agent(session: Session, agent_id: int) -> None:
    """Delete an agent; its campaigns are left without one (the foreign key sets NULL)."""
    agent = session.get(Agent, agent_id)
    if agent is not None:
        session.delete(agent)
