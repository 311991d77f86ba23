"""The dialer's side of the voice agent: each call's ticket and TwiML, and what the agent
made of the call once its ConversationRelay session ends.

A campaign's calls use the agent version it is pinned to (app.store.agent_pins: the one it
first started with, until the supervisor moves it; read per call, so a move takes effect at
the next call); an agent without one (made before definitions existed) speaks its
greeting and says goodbye, through the same relay.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from app.agents.actions import CallResult
from app.agents.compliance import with_recording_notice
from app.agents.definition import AgentDefinition, parse_definition
from app.agents.relay.server import PreparedCall, RelayServer
from app.agents.relay.tickets import CallTicket
from app.agents.twiml import DEFAULT_GREETING
from app.dialer.live_call import LiveCall
from app.domain.media_state import TranscriptState
from app.domain.status import ContactStatus
from app.settings import get_setting
from app.store.agent_pins import version_id_for_calls
from app.store.engine import Store
from app.store.models import Agent, AgentVersion, Call, Contact, DncEntry, TranscriptTurn

log = logging.getLogger(__name__)

GOODBYE = "Thank you for your time. Goodbye."


def greeting_only(name: str, greeting: str) -> AgentDefinition:
    """What an agent without a published definition does: its greeting, then goodbye."""
    return parse_definition(
        {
            "name": name or "Greeting",
            "business": {"company": name or "CallDeck"},
            "opening": {"mode": "speak_first", "greeting": greeting or DEFAULT_GREETING},
            "flow": {"start": "bye", "steps": [{"id": "bye", "say": GOODBYE, "end": True}]},
            # The supervisor's own words, as they wrote them before definitions existed.
            "compliance": {"disclose_automation": False, "recording_notice": False},
        }
    )


def _with_notice(definition: AgentDefinition, notice: str) -> AgentDefinition:
    """The agent's greeting followed by the team's recording notice, unless it says so."""
    opening = definition.opening
    greeting = with_recording_notice(opening.greeting, notice)
    if greeting == opening.greeting:
        return definition
    return definition.model_copy(
        update={"opening": opening.model_copy(update={"greeting": greeting})}
    )


class AgentCalls:
    def __init__(self, store: Store, relay: RelayServer) -> None:
        self._store = store
        self.relay = relay
        self._parsed: dict[int, AgentDefinition] = {}  # published versions never change

    def prepare(
        self, live: LiveCall, agent_id: int | None, *, amd: bool = False
    ) -> tuple[PreparedCall, int | None]:
        """The call's TwiML (with a fresh one-time token) and the agent version it uses.
        *amd*: the call runs async AMD, so the agent holds until a person is there."""
        with self._store.session() as session:  # read per call: a change applies at once
            record = bool(get_setting(session, "record_calls"))
            notice = get_setting(session, "recording_notice") or ""
        identity = live.identity
        definition, version_id = self._definition(agent_id, identity.campaign_id)
        ticket = CallTicket(
            call_id=identity.call_id,
            contact_id=identity.contact_id,
            to=identity.to,
            definition=_with_notice(definition, notice) if record else definition,
            version_id=version_id,
            variables=dict(identity.variables),
            campaign_id=identity.campaign_id,
            extension=identity.extension,
            amd=amd,
        )
        return self.relay.prepare_call(ticket, record=record), version_id

    def _definition(
        self, agent_id: int | None, campaign_id: int | None = None
    ) -> tuple[AgentDefinition, int | None]:
        with self._store.session() as session:
            version_id = version_id_for_calls(session, campaign_id, agent_id)
            version = session.get(AgentVersion, version_id) if version_id is not None else None
            if version is None:
                agent = session.get(Agent, agent_id) if agent_id is not None else None
                name, greeting = (agent.name, agent.greeting) if agent else ("", "")
                return greeting_only(name, greeting), None
            if version.id not in self._parsed:
                self._parsed[version.id] = parse_definition(version.definition)
            return self._parsed[version.id], version.id


def store_result(store: Store, ticket: CallTicket, result: CallResult) -> bool:
    """Save what the agent made of the call; True when the call had already ended (its
    CallEnded went out before this result was there)."""
    with store.session.begin() as session:
        ended = save_agent_result(session, ticket.call_id, result, datetime.now(UTC))
    log.info("call %s: the agent's outcome is %s", ticket.call_id, result.outcome)
    return ended


def save_agent_result(session, call_id: int, result: CallResult, now: datetime) -> bool:
    """Save it all in the caller's transaction; True when the call had already ended."""
    call = session.get(Call, call_id)
    if call is None:
        return False
    ended = call.ended_at is not None
    callback_at = _utc(result.callback_at)
    session.execute(
        update(Call)
        .where(Call.id == call_id)
        .values(
            outcome=result.outcome,
            agent_fields=result.fields or None,
            step_path=result.step_path or None,
            summary=result.summary,
            suggested_disposition=result.suggested_disposition,
            dnc_evidence=result.dnc_evidence,
            dnc_offset_s=result.dnc_offset_s,
            callback_at=callback_at,
            transcript_state=TranscriptState.DONE.to_db(),
        )
    )
    # The relay session's own turns are the transcript: no Voice Intelligence needed.
    session.execute(delete(TranscriptTurn).where(TranscriptTurn.call_id == call_id))
    session.add_all(
        TranscriptTurn(call_id=call_id, speaker=t.speaker, text=t.text, offset_s=t.offset_s)
        for t in result.turns
        if t.text
    )
    contact = session.get_one(Contact, call.contact_id)
    if result.dnc and result.dnc_evidence:
        when = _clock_time(result.dnc_offset_s)
        day = (call.created_at or now).date().isoformat()
        reason = f'asked on the call of {day} at {when}: "{result.dnc_evidence}"'
        if session.scalar(select(DncEntry.id).where(DncEntry.phone == contact.phone)) is None:
            session.add(DncEntry(phone=contact.phone, reason=reason, source="call"))
    if callback_at is not None and contact.status == ContactStatus.COMPLETED.value:
        # The call already ended (the callee hung up first): book the callback here; otherwise
        # the dialer's end-of-call write reads calls.callback_at and books it.
        contact.next_attempt_at = callback_at
        contact.updated_at = now
    return ended


def _utc(moment: str | None) -> datetime | None:
    if not moment:
        return None
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _clock_time(seconds: float | None) -> str:
    total = int(seconds or 0)
    return f"{total // 60}:{total % 60:02d}"
