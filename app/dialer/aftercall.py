"""After a call ends: fetch its recording and transcript, and honour a do-not-call request."""

from __future__ import annotations

import asyncio
import errno
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.dialer import writes
from app.domain.clock import Clock
from app.domain.donotcall import asks_not_to_be_called
from app.domain.media_state import RecordingState, TranscriptState
from app.store.writer import Statement, Writer
from app.telephony.base import Provider, RecordingInfo, TranscriptSentence
from app.telephony.errors import ProviderError, is_unreachable

log = logging.getLogger(__name__)

_SAVE_RESULTS = Statement(
    """
    UPDATE calls SET recording_state = :recording_state, transcript_state = :transcript_state,
        recording_sid = COALESCE(:recording_sid, recording_sid),
        recording_path = COALESCE(:recording_path, recording_path)
    WHERE id = :id
    """
)
_DELETE_TURNS = Statement("DELETE FROM transcript_turns WHERE call_id = :id")
_ADD_TURN = Statement(
    "INSERT INTO transcript_turns (call_id, speaker, text, offset_s) "
    "VALUES (:call_id, :speaker, :text, :offset_s)"
)
# date() gives the same YYYY-MM-DD text on SQLite and PostgreSQL.
_PHONE_AND_DAY = Statement(
    "SELECT contacts.phone, date(calls.created_at) FROM calls "
    "JOIN contacts ON contacts.id = calls.contact_id WHERE calls.id = :id"
)

_AGENT_OUTCOME = Statement("SELECT outcome FROM calls WHERE id = :id")
_ENDED_AT = Statement("SELECT ended_at FROM calls WHERE id = :id")

# Twilio: recordings "may not always be ready right away when your call ends". The state
# stays pending meanwhile (a restart asks again), checked ever less often, for this long
# after the call ended; only then is the recording given up as unavailable.
RECORDING_PATIENCE = timedelta(minutes=30)
MAX_RECORDING_CHECK_INTERVAL_S = 300.0


class DiskFull(Exception):
    """The recording could not be saved for want of space; nothing was stored (its state
    stays pending, so it is fetched again once there is room, also after a restart)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"The disk holding {folder} is full: recordings wait until there is room")


NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


@dataclass(frozen=True)
class Results:
    recording_state: RecordingState
    transcript_state: TranscriptState
    dnc_added: bool


async def _finished_recording(
    provider: Provider,
    sid: str,
    ended_at: datetime,
    clock: Clock,
    poll_interval_s: float,
    ready: asyncio.Event | None,
) -> tuple[RecordingInfo | None, RecordingState]:
    """The call's completed recording, or None with the state to store. While it is still
    processing, ask again with backoff until RECORDING_PATIENCE after *ended_at*, or at once
    when *ready* (the recording status callback) is set."""
    give_up_at = ended_at + RECORDING_PATIENCE
    interval = poll_interval_s
    while True:
        recordings = await provider.list_recordings(sid)
        done = [r for r in recordings if r.status == "completed"]
        if done:
            return done[0], RecordingState.DOWNLOADED
        if not recordings:
            return None, RecordingState.NONE
        if all(r.status in ("absent", "failed", "deleted") for r in recordings):
            return None, RecordingState.unavailable("the provider kept no audio")
        left_s = (give_up_at - clock.now()).total_seconds()
        if left_s <= 0:
            return None, RecordingState.unavailable(
                f"the recording was still processing {RECORDING_PATIENCE.seconds // 60} "
                "minutes after the call"
            )
        woke = await clock.sleep_until(clock.monotonic() + min(interval, left_s), ready)
        if woke and ready is not None:
            ready.clear()  # the recording callback came: look now, and wait again if need be
        interval = min(MAX_RECORDING_CHECK_INTERVAL_S, interval * 2)


async def _fetch_recording(
    provider: Provider,
    sid: str,
    ended_at: datetime,
    recordings_dir: Path,
    clock: Clock,
    poll_interval_s: float,
    ready: asyncio.Event | None = None,
) -> tuple[RecordingInfo | None, Path | None, RecordingState]:
    """The call's recording downloaded into *recordings_dir*, its local path, and its state."""
    try:
        recording, state = await _finished_recording(
            provider, sid, ended_at, clock, poll_interval_s, ready
        )
        if recording is None:
            return None, None, state
        return recording, await provider.download_recording(recording, recordings_dir), state
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise DiskFull(recordings_dir) from exc
        raise
    except ProviderError as exc:
        if _try_again_later(exc):
            raise
        return None, None, RecordingState.unavailable(exc.user_message)


def _try_again_later(error: ProviderError) -> bool:
    """No answer from Twilio, or a passing one (rate limit, server error) that outlasted the
    provider's own retries: the results stay pending and the caller tries again later,
    rather than a recording being given up for a moment's 429."""
    return is_unreachable(error) or error.retryable


async def _fetch_transcript(
    provider: Provider, recording: RecordingInfo | None, recording_state: RecordingState
) -> tuple[list[TranscriptSentence], TranscriptState]:
    if recording is None:
        if recording_state == RecordingState.NONE:
            return [], TranscriptState.NONE
        return [], TranscriptState.unavailable("no recording")
    try:
        sentences = await provider.transcribe(recording)
    except ProviderError as exc:
        if _try_again_later(exc):
            raise
        return [], TranscriptState.unavailable(exc.user_message)
    return sentences, TranscriptState.DONE if sentences else TranscriptState.NONE


async def fetch_results(
    writer: Writer,
    provider: Provider,
    call_id: int,
    sid: str,
    *,
    recordings_dir: Path,
    clock: Clock,
    poll_interval_s: float,
    recording_ready: asyncio.Event | None = None,
) -> Results:
    """Store the recording, the transcript turns and any DNC request of one finished call.

    Until the recording is ready this keeps waiting (see _finished_recording); its state
    stays pending in the database meanwhile, so a restart picks the call up again."""
    with writer.transaction() as tx:
        ended_at = tx.execute(_ENDED_AT, {"id": call_id}).scalar()
    ended_at = writes.stored_utc(ended_at) if ended_at is not None else clock.now()
    recording, path, rec_state = await _fetch_recording(
        provider, sid, ended_at, recordings_dir, clock, poll_interval_s, recording_ready
    )
    with writer.transaction() as tx:
        handled_by_agent = tx.execute(_AGENT_OUTCOME, {"id": call_id}).scalar() is not None
    if handled_by_agent:
        # The relay session's turns are the transcript, and the agent itself honoured any
        # opt-out (with the callee's words as evidence): nothing to transcribe.
        sentences, transcript_state = [], TranscriptState.DONE
    else:
        sentences, transcript_state = await _fetch_transcript(provider, recording, rec_state)
    dnc_request = next(
        (s.text for s in sentences if s.speaker == "callee" and asks_not_to_be_called(s.text)),
        None,
    )
    dnc_added = False
    with writer.transaction() as tx:
        tx.execute(
            _SAVE_RESULTS,
            {
                "recording_state": rec_state.to_db(),
                "transcript_state": transcript_state.to_db(),
                "recording_sid": recording.sid if recording is not None else None,
                "recording_path": str(path) if path is not None else None,
                "id": call_id,
            },
        )
        if sentences:
            tx.execute(_DELETE_TURNS, {"id": call_id})
            tx.execute(
                _ADD_TURN,
                [
                    {
                        "call_id": call_id,
                        "speaker": s.speaker,
                        "text": s.text,
                        "offset_s": s.start_s,
                    }
                    for s in sentences
                ],
            )
        if dnc_request is not None:
            phone, day = tx.execute(_PHONE_AND_DAY, {"id": call_id}).one()
            dnc_added = writes.add_to_dnc(tx, phone, f'asked on the call of {day}: "{dnc_request}"')
    if dnc_added:
        log.info("call %s: the callee asked not to be called again; number added to DNC", call_id)
    return Results(rec_state, transcript_state, dnc_added)
