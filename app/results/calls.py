"""Reading a campaign's calls: ids in order for the table, rows by id, one call in detail,
and the plain records behind `calldeck calls --json` and the exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.domain.media_state import RecordingState, TranscriptState
from app.results.agent_results import (
    AgentResult,
    AgentVersionRef,
    agent_result,
    call_agent_result,
    version_refs,
)
from app.results.search import campaign_condition, text_match
from app.settings import team_dispositions
from app.store.models import AgentVersion, Call, Campaign, Contact, TranscriptTurn

NO_DISPOSITION = ""  # filter value meaning "calls without a disposition"


@dataclass(frozen=True)
class CallFilter:
    status: str | None = None
    disposition: str | None = None  # NO_DISPOSITION selects calls without one
    text: str = ""  # matches name, phone, notes or transcript (app.results.search)

    @property
    def is_empty(self) -> bool:
        return self.status is None and self.disposition is None and not self.text.strip()


# Sort keys the table offers; each sorts by id second so that the order is total.
SORT_COLUMNS = {
    "contact": Contact.name,
    "phone": Contact.phone,
    "status": Call.status,
    "attempt": Call.attempt,
    "started": Call.created_at,
    "duration": Call.duration_s,
    "answered_by": Call.answered_by,
    "disposition": Call.disposition,
    "notes": Call.notes,
}
DEFAULT_SORT = ("started", True)  # newest first


@dataclass(frozen=True)
class CallRow:
    """What one line of the calls table shows."""

    id: int
    contact_id: int
    name: str
    phone: str
    status: str
    attempt: int
    created_at: datetime
    duration_s: int | None
    answered_by: str | None
    disposition: str | None
    has_notes: bool
    outcome: str | None = None  # what the agent made of the call (None: no agent result)
    reason: str | None = None  # why it failed, was busy or went unanswered (end_reason)


# What the user is told about a call that ended without a conversation and without a
# provider error to quote.
_PLAIN_REASONS = {
    "failed": "The call failed; the provider gave no reason",
    "busy": "The line was busy",
    "no_answer": "Nobody answered",
    "voicemail": "An answering machine took the call",
}


def end_reason(status: str, error_code: int | None, error_message: str | None) -> str | None:
    """Why the call did not become a conversation, in the user's words: the provider's own
    error when there is one ("Number unreachable (error 13224)"), else what the status says."""
    if error_code or error_message:
        text = error_message or "The provider reported an error"
        return f"{text} (error {error_code})" if error_code else text
    return _PLAIN_REASONS.get(status)


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    offset_s: float


@dataclass(frozen=True)
class CallDetail:
    row: CallRow
    campaign_id: int
    dispositions: list[str]
    provider_sid: str | None
    answered_at: datetime | None
    ended_at: datetime | None
    error_code: int | None
    error_message: str | None
    recording_sid: str | None
    recording_path: str | None
    recording_state: RecordingState
    transcript_state: TranscriptState
    notes: str
    notes_by: str | None
    notes_at: datetime | None
    disposition_by: str | None = None
    disposition_at: datetime | None = None
    turns: list[Turn] = field(default_factory=list)
    simulated: bool = False  # placed through the emulator (demo mode)
    agent: AgentResult | None = None  # None for calls no agent finished
    agent_version: int | None = None  # the number of the agent version that handled it


def _filtered(
    session: Session, query: Select, campaign_id: int, flt: CallFilter, call_id: int | None = None
) -> Select:
    matches_text = text_match(session, flt.text, call_id)
    query = query.where(campaign_condition(campaign_id, matches_text))
    if flt.status:
        query = query.where(Call.status == flt.status)
    if flt.disposition is not None:
        if flt.disposition == NO_DISPOSITION:
            query = query.where(or_(Call.disposition.is_(None), Call.disposition == ""))
        else:
            query = query.where(Call.disposition == flt.disposition)
    if matches_text is not None:
        query = query.where(matches_text.condition)
    return query


def _needs_contact(session: Session, flt: CallFilter, sort: str) -> bool:
    matches_text = text_match(session, flt.text)
    return (matches_text is not None and not matches_text.indexed) or sort in ("contact", "phone")


def call_ids(
    session: Session,
    campaign_id: int,
    flt: CallFilter = CallFilter(),
    *,
    sort: str = DEFAULT_SORT[0],
    descending: bool = DEFAULT_SORT[1],
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Call ids of a campaign, filtered and ordered (a page of them when limit is given)."""
    column = SORT_COLUMNS[sort]
    query = select(Call.id)
    if _needs_contact(session, flt, sort):
        query = query.join(Contact, Contact.id == Call.contact_id)
    query = _filtered(session, query, campaign_id, flt)
    if descending:
        query = query.order_by(column.desc(), Call.id.desc())
    else:
        query = query.order_by(column.asc(), Call.id.asc())
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_calls(session: Session, campaign_id: int, flt: CallFilter = CallFilter()) -> int:
    query = select(func.count(Call.id))
    if _needs_contact(session, flt, ""):
        query = query.join(Contact, Contact.id == Call.contact_id)
    return session.scalar(_filtered(session, query, campaign_id, flt)) or 0


def call_matches(session: Session, call_id: int, campaign_id: int, flt: CallFilter) -> bool:
    query = select(Call.id).join(Contact, Contact.id == Call.contact_id)
    query = _filtered(session, query, campaign_id, flt, call_id).where(Call.id == call_id)
    return session.scalar(query) is not None


def _row_query() -> Select:
    return select(
        Call.id,
        Call.contact_id,
        Contact.name,
        Contact.phone,
        Call.status,
        Call.attempt,
        Call.created_at,
        Call.duration_s,
        Call.answered_by,
        Call.disposition,
        Call.notes != "",
        Call.outcome,
        Call.error_code,
        Call.error_message,
    ).join(Contact, Contact.id == Call.contact_id)


def call_rows(session: Session, ids: Iterable[int]) -> dict[int, CallRow]:
    """Rows for the given call ids (missing ids are simply absent)."""
    wanted = list(ids)
    rows: dict[int, CallRow] = {}
    for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
        chunk = wanted[start : start + 500]
        for values in session.execute(_row_query().where(Call.id.in_(chunk))):
            *plain, has_notes, outcome, error_code, error_message = values
            row = CallRow(
                *plain,
                has_notes=bool(has_notes),
                outcome=outcome,
                reason=end_reason(plain[4], error_code, error_message),
            )
            rows[row.id] = row
    return rows


def call_detail(session: Session, call_id: int) -> CallDetail | None:
    call = session.get(Call, call_id)
    if call is None:
        return None
    row = call_rows(session, [call_id])[call_id]
    turns = session.execute(
        select(TranscriptTurn.speaker, TranscriptTurn.text, TranscriptTurn.offset_s)
        .where(TranscriptTurn.call_id == call_id)
        .order_by(TranscriptTurn.offset_s, TranscriptTurn.id)
    ).all()
    return CallDetail(
        row=row,
        campaign_id=call.campaign_id,
        dispositions=campaign_dispositions(session, call.campaign_id),
        provider_sid=call.provider_sid,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        error_code=call.error_code,
        error_message=call.error_message,
        recording_sid=call.recording_sid,
        recording_path=call.recording_path,
        recording_state=RecordingState.parse(call.recording_state),
        transcript_state=TranscriptState.parse(call.transcript_state),
        notes=call.notes or "",
        notes_by=call.notes_by,
        notes_at=call.notes_at,
        disposition_by=call.disposition_by,
        disposition_at=call.disposition_at,
        turns=[Turn(speaker, text, offset) for speaker, text, offset in turns],
        simulated=bool(call.simulated),
        agent=call_agent_result(session, call),
        agent_version=session.scalar(
            select(AgentVersion.version).where(AgentVersion.id == call.agent_version_id)
        )
        if call.agent_version_id is not None
        else None,
    )


def campaign_choices(session: Session) -> list[tuple[int, str]]:
    """Every campaign as (id, name), oldest first: the Results page's picker."""
    rows = session.execute(
        select(Campaign.id, Campaign.name).order_by(Campaign.created_at, Campaign.id)
    ).all()
    return [(campaign_id, name) for campaign_id, name in rows]


def campaign_dispositions(session: Session, campaign_id: int) -> list[str]:
    """The team's dispositions (Settings › Defaults), then any other one this campaign's calls
    carry, so none vanishes from Results; [] when the campaign no longer exists."""
    if session.get(Campaign, campaign_id) is None:
        return []
    names = team_dispositions(session)
    used = session.scalars(
        select(Call.disposition)
        .where(Call.campaign_id == campaign_id, Call.disposition.is_not(None))
        .distinct()
    )
    return names + sorted(set(used) - set(names) - {""})


def latest_call_id(session: Session, contact_id: int) -> int | None:
    return session.scalar(
        select(Call.id).where(Call.contact_id == contact_id).order_by(Call.attempt.desc()).limit(1)
    )


def transcript_text(turns: Iterable[tuple[str, str, float]]) -> str | None:
    lines = [f"[{_clock(offset)}] {speaker}: {text}" for speaker, text, offset in turns]
    return "\n".join(lines) if lines else None


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def iter_call_records(
    session: Session, campaign_id: int, flt: CallFilter = CallFilter(), batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """One record per call attempt that *flt* selects, oldest first, read in batches (exports
    stream this)."""
    last_id = 0
    columns = select(
        Call.__table__,
        Contact.phone.label("contact_phone"),
        Contact.name.label("contact_name"),
        Contact.fields.label("contact_fields"),
        Contact.attempts.label("contact_attempts"),
        Contact.status.label("contact_status"),
    ).join(Contact, Contact.id == Call.contact_id)
    query = _filtered(session, columns, campaign_id, flt)
    while True:
        rows = session.execute(query.where(Call.id > last_id).order_by(Call.id).limit(batch)).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        versions = version_refs(session, {r.agent_version_id for r in rows if r.agent_version_id})
        turns: dict[int, list[tuple[str, str, float]]] = {}
        for start in range(0, len(ids), 500):
            for call_id, speaker, text, offset in session.execute(
                select(
                    TranscriptTurn.call_id,
                    TranscriptTurn.speaker,
                    TranscriptTurn.text,
                    TranscriptTurn.offset_s,
                )
                .where(TranscriptTurn.call_id.in_(ids[start : start + 500]))
                .order_by(TranscriptTurn.call_id, TranscriptTurn.offset_s, TranscriptTurn.id)
            ):
                turns.setdefault(call_id, []).append((speaker, text, offset))
        for row in rows:
            yield _record(row, turns.get(row.id, []), versions.get(row.agent_version_id or 0))
        last_id = ids[-1]


def _record(
    row: Any, turns: list[tuple[str, str, float]], version: AgentVersionRef | None
) -> dict[str, Any]:
    error = None
    if row.error_code or row.error_message:
        error = " ".join(p for p in (str(row.error_code or ""), row.error_message or "") if p)
    has_file = RecordingState.parse(row.recording_state).is_downloaded and row.recording_path
    return {
        "call_id": row.id,
        "contact_id": row.contact_id,
        "phone": row.contact_phone,
        "name": row.contact_name,
        "fields": dict(row.contact_fields or {}),
        "attempt": row.attempt,
        "attempts": row.contact_attempts,
        "status": row.status,
        "contact_status": row.contact_status,
        "provider_sid": row.provider_sid,
        "provider_status": row.provider_status,
        "created_at": _iso(row.created_at),
        "answered_at": _iso(row.answered_at),
        "ended_at": _iso(row.ended_at),
        "duration_s": row.duration_s,
        "answered_by": row.answered_by,
        "error": error,
        "disposition": row.disposition,
        "notes": row.notes or "",
        "notes_by": row.notes_by,
        "notes_at": _iso(row.notes_at),
        "recording": row.recording_path if has_file else None,
        "recording_state": row.recording_state,
        "transcript": transcript_text(turns),
        "simulated": bool(row.simulated),
        **_agent_record(agent_result(row, version)),
    }


AGENT_RECORD_KEYS = (
    "outcome",
    "agent_version",
    "agent_fields",
    "summary",
    "suggested_disposition",
    "step_path",
    "callback_at",
    "dnc_evidence",
    "dnc_offset_s",
)


def _agent_record(result: AgentResult | None) -> dict[str, Any]:
    """The agent's result under its own keys (all None for a call without one); its captured
    fields are `agent_fields`, since `fields` holds the contact's variables."""
    if result is None:
        return dict.fromkeys(AGENT_RECORD_KEYS)
    return {
        "outcome": result.outcome,
        "agent_version": result.version.to_json() if result.version else None,
        "agent_fields": result.fields,
        "summary": result.summary,
        "suggested_disposition": result.suggested_disposition,
        "step_path": result.step_path,
        "callback_at": _iso(result.callback_at),
        "dnc_evidence": result.dnc_evidence,
        "dnc_offset_s": result.dnc_offset_s,
    }


def call_records(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    """Every call attempt of the campaign as a JSON-able dict (`calldeck calls --json`)."""
    return list(iter_call_records(session, campaign_id))


__all__ = [
    "AGENT_RECORD_KEYS",
    "NO_DISPOSITION",
    "SORT_COLUMNS",
    "CallDetail",
    "CallFilter",
    "CallRow",
    "Turn",
    "call_detail",
    "call_ids",
    "call_matches",
    "call_records",
    "call_rows",
    "campaign_choices",
    "campaign_dispositions",
    "count_calls",
    "end_reason",
    "iter_call_records",
    "latest_call_id",
    "transcript_text",
]
