"""Getting a transcript for a call that has a recording but no agent turns.

Plain asyncio: the GUI awaits it on the qasync loop, the CLI on a plain loop. The database work
is in short sessions on either side of the (slow) provider request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from app.domain.media_state import TranscriptState
from app.store.engine import Store
from app.store.models import Call, TranscriptTurn
from app.telephony.base import RecordingInfo


def needs_transcript(store: Store, call_id: int) -> RecordingInfo | None:
    """The recording to transcribe when the call has one but no turns yet, else None."""
    with store.session() as session:
        call = session.get(Call, call_id)
        if call is None or not call.recording_sid:
            return None
        if TranscriptState.parse(call.transcript_state).is_settled:  # asked already
            return None
        turns = session.scalar(
            select(func.count())
            .select_from(TranscriptTurn)
            .where(TranscriptTurn.call_id == call_id)
        )
        if turns:
            return None
        return RecordingInfo(
            sid=call.recording_sid,
            call_sid=call.provider_sid or "",
            duration_s=call.duration_s,
            status="completed",
        )


async def request_transcript(
    store: Store, provider_factory: Callable[[], Any], call_id: int
) -> int:
    """Ask the provider for a Voice Intelligence transcript and store it as turns.

    *provider_factory* returns the app's provider (or None when there is none yet). Returns
    the number of turns stored (0 when there was nothing to do). Provider errors are
    recorded in Call.transcript_state (unavailable, with the reason) and re-raised for the
    caller to log.
    """
    recording = needs_transcript(store, call_id)
    if recording is None:
        return 0
    provider = provider_factory()
    if provider is None:  # no account connected yet: try again when the call is shown next
        return 0
    _set_state(store, call_id, TranscriptState.PENDING)
    try:
        # The provider is shared (the app owns and closes it): never close it here.
        sentences = await provider.transcribe(recording)
    except Exception as exc:
        reason = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
        _set_state(store, call_id, TranscriptState.unavailable(reason))
        raise
    with store.session.begin() as session:
        call = session.get(Call, call_id)
        if call is None:
            return 0
        existing = session.scalar(
            select(func.count())
            .select_from(TranscriptTurn)
            .where(TranscriptTurn.call_id == call_id)
        )
        if not existing:  # the agent runtime may have written turns meanwhile
            for sentence in sentences:
                session.add(
                    TranscriptTurn(
                        call_id=call_id,
                        speaker="agent" if sentence.speaker == "agent" else "callee",
                        text=sentence.text,
                        offset_s=float(sentence.start_s),
                    )
                )
        call.transcript_state = TranscriptState.DONE.to_db()
    return 0 if existing else len(sentences)


def _set_state(store: Store, call_id: int, state: TranscriptState) -> None:
    with store.session.begin() as session:
        call = session.get(Call, call_id)
        if call is not None:
            call.transcript_state = state.to_db()
