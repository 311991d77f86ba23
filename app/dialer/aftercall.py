"""After a call ends: fetch its recording and transcript, and honour a do-not-call request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text

from app.dialer import records
from app.domain.clock import Clock
from app.domain.donotcall import asks_not_to_be_called
from app.store.engine import Store
from app.store.models import Call, Contact
from app.telephony.base import Provider, RecordingInfo
from app.telephony.errors import ProviderError

log = logging.getLogger(__name__)

_SAVE_RESULTS = text(
    """
    UPDATE calls SET recording_state = :recording_state, transcript_state = :transcript_state,
        recording_sid = COALESCE(:recording_sid, recording_sid),
        recording_path = COALESCE(:recording_path, recording_path)
    WHERE id = :id
    """
)
_DELETE_TURNS = text("DELETE FROM transcript_turns WHERE call_id = :id")
_ADD_TURN = text(
    "INSERT INTO transcript_turns (call_id, speaker, text, offset_s) "
    "VALUES (:call_id, :speaker, :text, :offset_s)"
)

# A recording is "processing" for a little while after the call; ask again this many times.
RECORDING_CHECKS = 6


@dataclass(frozen=True)
class Results:
    recording_state: str
    transcript_state: str
    dnc_added: bool


async def _finished_recording(
    provider: Provider, sid: str, clock: Clock, poll_interval_s: float
) -> tuple[RecordingInfo | None, str]:
    """The call's completed recording, or None with the state to store."""
    for check in range(RECORDING_CHECKS):
        recordings = await provider.list_recordings(sid)
        done = [r for r in recordings if r.status == "completed"]
        if done:
            return done[0], "downloaded"
        if not recordings or all(r.status in ("absent", "failed", "deleted") for r in recordings):
            return None, "none" if not recordings else "unavailable: the provider kept no audio"
        if check < RECORDING_CHECKS - 1:
            await clock.sleep_until(clock.monotonic() + poll_interval_s)
    return None, "unavailable: the recording was still processing; fetch it again later"


async def fetch_results(
    store: Store,
    provider: Provider,
    call_id: int,
    sid: str,
    *,
    recordings_dir: Path,
    clock: Clock,
    poll_interval_s: float,
) -> Results:
    """Store the recording, the transcript turns and any DNC request of one finished call."""
    recording: RecordingInfo | None = None
    path: Path | None = None
    try:
        recording, rec_state = await _finished_recording(provider, sid, clock, poll_interval_s)
        if recording is not None:
            path = await provider.download_recording(recording, recordings_dir)
    except ProviderError as exc:
        rec_state = f"unavailable: {exc.user_message}"
        recording = None
    sentences = []
    if recording is None:
        transcript_state = "none" if rec_state == "none" else "unavailable: no recording"
    else:
        try:
            sentences = await provider.transcribe(recording)
            transcript_state = "done" if sentences else "none"
        except ProviderError as exc:
            transcript_state = f"unavailable: {exc.user_message}"

    dnc_request = next(
        (s.text for s in sentences if s.speaker == "callee" and asks_not_to_be_called(s.text)),
        None,
    )
    dnc_added = False
    with store.engine.begin() as conn:
        conn.execute(
            _SAVE_RESULTS,
            {
                "recording_state": rec_state[:200],
                "transcript_state": transcript_state[:200],
                "recording_sid": recording.sid if recording is not None else None,
                "recording_path": str(path) if path is not None else None,
                "id": call_id,
            },
        )
        if sentences:
            conn.execute(_DELETE_TURNS, {"id": call_id})
            conn.execute(
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
            phone, created = conn.execute(
                select(Contact.phone, Call.created_at)
                .join(Call, Call.contact_id == Contact.id)
                .where(Call.id == call_id)
            ).one()
            dnc_added = records.add_to_dnc(
                conn, phone, f'asked on the call of {created:%Y-%m-%d}: "{dnc_request}"'
            )
    if dnc_added:
        log.info("call %s: the callee asked not to be called again; number added to DNC", call_id)
    return Results(rec_state, transcript_state, dnc_added)
