"""Which contact columns an agent's lines use, and the contacts that lack them.

"This is Sunny from ." is what a missing {{variable}} sounds like. Before a campaign starts
and after an import, `campaign_variable_warnings` names each {{column}} the agent uses that
some contacts lack or have empty, unless the agent's definition gives it a fallback
(`"variables": {"clinic": {"fallback": "our clinic"}}`, docs/agents.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agents.definition import AgentDefinition
from app.agents.library import published
from app.domain.template import contact_variables, names_used
from app.store.models import Agent, Campaign, Contact

# Filled by the runtime whatever the contact (Conversation.variables), so never missing.
RUNTIME_NAMES = frozenset({"company", "agent_name", "purpose", "callback_number", "callback_when"})


def _lines(definition: AgentDefinition) -> Iterator[str]:
    yield definition.opening.greeting
    yield definition.opening.probe
    yield definition.voicemail.message
    for step in definition.all_steps():
        yield step.say
        yield step.reprompt or ""
        for spec in step.collect:
            yield spec.ask or ""
    for tool in definition.tools:
        for key in ("summary", "filler"):
            yield str(getattr(tool, key, "") or "")


def contact_columns_used(definition: AgentDefinition) -> set[str]:
    """The {{names}} the agent's lines take from the contact and that have no fallback."""
    used = set().union(*(names_used(line) for line in _lines(definition)))
    captured = {spec.name for step in definition.all_steps() for spec in step.collect}
    captured |= {t.field for t in definition.tools if t.type == "schedule_callback"}
    return used - RUNTIME_NAMES - captured - set(definition.fallbacks())


def sample_variables(definition: AgentDefinition) -> dict[str, object]:
    """Values to show an agent's lines with before any call: a sample callee, the business's
    names, the fallbacks (the preview and a webhook's test use them)."""
    business = definition.business
    return {
        "first_name": "Alex",
        "name": "Alex Sample",
        "company": business.company,
        "agent_name": business.agent_name,
        "purpose": business.purpose,
        "callback_number": business.callback_number,
        **definition.fallbacks(),
    }


def missing_counts(used: set[str], contacts: Iterable[Mapping[str, object]]) -> dict[str, int]:
    """For each name in *used*, how many of the contacts' variables lack it or have it empty."""
    missing = dict.fromkeys(sorted(used), 0)
    for variables in contacts:
        for name in missing:
            if not str(variables.get(name) or "").strip():
                missing[name] += 1
    return {name: n for name, n in missing.items() if n}


def warning_lines(agent: str, missing: dict[str, int], total: int) -> list[str]:
    lines = []
    for name, n in missing.items():
        if n == total:
            whom = "no contact has it"
        else:
            whom = f"{n:,} of {total:,} contacts {'lack' if n > 1 else 'lacks'} it"
        lines.append(
            f"{agent} says {{{{{name}}}}}, but {whom}: "
            "the agent would say nothing there. Add the column to the list, or give the "
            "agent a fallback for it."
        )
    return lines


def _definition(session: Session, agent: Agent) -> AgentDefinition | None:
    latest = published(session, agent.id)
    return latest.definition if latest is not None else None


def campaign_variable_warnings(session: Session, campaign_id: int) -> list[str]:
    """One line per {{column}} the campaign's agent uses that some contacts lack (none when
    the campaign has no agent or no contacts)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.agent_id is None:
        return []
    agent = session.get(Agent, campaign.agent_id)
    definition = _definition(session, agent)
    if definition is not None:
        used = contact_columns_used(definition)
    else:  # an agent from before definitions: its greeting is its one line
        used = names_used(agent.greeting or "") - RUNTIME_NAMES
    if not used:
        return []
    rows = session.execute(
        select(Contact.name, Contact.fields).where(Contact.campaign_id == campaign_id)
    )
    contacts = [contact_variables(name, fields) for name, fields in rows]
    return warning_lines(f"“{agent.name}”", missing_counts(used, contacts), len(contacts))


__all__ = [
    "RUNTIME_NAMES",
    "campaign_variable_warnings",
    "contact_columns_used",
    "missing_counts",
    "sample_variables",
    "warning_lines",
]
