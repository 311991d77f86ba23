"""After a call ends: fetch its recording and transcript, and honour a do-not-call request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.dialer import records
from app.domain.clock import Clock
from app.domain.donotcall import asks_not_to_be_called
from app.store.engine import Store
from app.store.models import Call, Contact, TranscriptTurn
from app.telephony.base import Provider, RecordingInfo
from app.telephony.errors import ProviderError

log = logging.getLogger(__name__)

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
    with store.session.begin() as session:
        call = session.get_one(Call, call_id)
        call.recording_state = rec_state[:200]
        call.transcript_state = transcript_state[:200]
        if recording is not None:
            call.recording_sid = recording.sid
        if path is not None:
            call.recording_path = str(path)
        if sentences:
            call.turns.clear()
            for s in sentences:
                call.turns.append(
                    TranscriptTurn(speaker=s.speaker, text=s.text, offset_s=s.start_s)
                )
        if dnc_request is not None:
            phone = session.get_one(Contact, call.contact_id).phone
            dnc_added = records.add_to_dnc(
                session, phone, f'asked on the call of {call.created_at:%Y-%m-%d}: "{dnc_request}"'
            )
    if dnc_added:
        log.info("call %s: the callee asked not to be called again; number added to DNC", call_id)
    return Results(rec_state, transcript_state, dnc_added)
