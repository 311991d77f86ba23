"""What the voice agent made of a call, as Results, `calls --json` and the exports show it.

The relay server writes the columns when a call ends (app.agents.actions.CallResult); this
module reads them back and owns how they read to a person: outcome labels, field labels and
values ("yes"/"no", dates in the contact's own time), the agent and version ("Clinic
reminder v3").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.windows import zones_for_number
from app.store.models import Agent, AgentVersion, Call

# One short label per outcome in app.agents.actions.OUTCOMES (a test keeps the two in step):
# the calls table shows them where a disposition is missing, the summary says the rest.
OUTCOME_LABELS = {
    "completed": "Completed",
    "voicemail": "Voicemail",
    "voicemail_left": "Message left",
    "dnc": "Do not call",
    "callback": "Call back",
    "transferred": "Transferred",
    "unresponsive": "No response",
    "error": "Agent error",
}
STEP_SEPARATOR = " → "

# An ISO 8601 date, optionally with a time: only these field values read as dates.
_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)


def outcome_label(outcome: str | None) -> str:
    if not outcome:
        return ""
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " ").capitalize())


@dataclass(frozen=True)
class AgentVersionRef:
    agent: str | None  # None when the agent was deleted and its definition has no name
    version: int

    @property
    def label(self) -> str:
        return f"{self.agent or 'Deleted agent'} v{self.version}"

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "version": self.version}


@dataclass(frozen=True)
class AgentResult:
    outcome: str
    version: AgentVersionRef | None
    fields: dict[str, Any]
    step_path: list[str]
    summary: str
    suggested_disposition: str | None
    dnc_evidence: str | None
    dnc_offset_s: float | None
    callback_at: datetime | None  # aware, UTC
    contact_zone: tzinfo | None = None  # to say the callback time in the contact's time


def version_refs(session: Session, version_ids: set[int]) -> dict[int, AgentVersionRef]:
    """The agent name and number of each version id (a deleted agent's name from its
    frozen definition)."""
    if not version_ids:
        return {}
    rows = session.execute(
        select(AgentVersion.id, AgentVersion.version, Agent.name, AgentVersion.definition)
        .outerjoin(Agent, Agent.id == AgentVersion.agent_id)
        .where(AgentVersion.id.in_(version_ids))
    )
    refs = {}
    for version_id, number, name, definition in rows:
        fallback = definition.get("name") if isinstance(definition, dict) else None
        refs[version_id] = AgentVersionRef(name or fallback, number)
    return refs


def agent_result(call: Any, version: AgentVersionRef | None) -> AgentResult | None:
    """The agent's result of a call (a Call or a row with its columns); None for a call no
    agent finished (older calls, calls still live, calls nobody answered)."""
    if not call.outcome:
        return None
    return AgentResult(
        outcome=call.outcome,
        version=version,
        fields=dict(call.agent_fields or {}),
        step_path=[str(step) for step in call.step_path or []],
        summary=call.summary or "",
        suggested_disposition=call.suggested_disposition or None,
        dnc_evidence=call.dnc_evidence or None,
        dnc_offset_s=call.dnc_offset_s,
        callback_at=call.callback_at,
    )


def call_agent_result(session: Session, call: Call) -> AgentResult | None:
    """One call's result, for the detail pane (with the contact's time zone)."""
    ids = {call.agent_version_id} if call.agent_version_id else set()
    result = agent_result(call, version_refs(session, ids).get(call.agent_version_id or 0))
    if result is None:
        return None
    return replace(result, contact_zone=contact_zone(call.contact.fields or {}, call.contact.phone))


def contact_zone(contact_fields: dict[str, Any], phone: str) -> tzinfo | None:
    """The contact's time zone: their `timezone` variable, else the one zone their number
    rings in (None when neither tells)."""
    name = str(contact_fields.get("timezone") or "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    zones = zones_for_number(phone, fallback="")
    if len(zones) == 1 and zones[0]:
        return ZoneInfo(zones[0])
    return None


def field_label(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def field_text(value: Any) -> str:
    """A captured value as a person reads it: yes/no, plain numbers, dates spelled out in
    the time they were given in (the agent writes the contact's own offset)."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return _date_text(value.strip())
    return str(value)


def _date_text(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) == 10:  # a date alone
        return _day(moment.date())
    return moment_text(moment)


def moment_text(moment: datetime, zone: tzinfo | None = None) -> str:
    """The day and time in *zone* (else in the moment's own offset): Tue 8 Dec 2026, 15:00."""
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return f"{_day(moment.date())}, {moment:%H:%M}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def step_path_text(steps: list[str]) -> str:
    return STEP_SEPARATOR.join(steps)
