"""Seed a campaign with realistic calls for the Results tests (used by tests/ui/results too)."""

from __future__ import annotations

import math
import struct
import wave
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.domain.media_state import RecordingState
from app.paths import recordings_dir
from app.store.campaigns import create_campaign
from app.store.engine import Store
from app.store.models import Agent, AgentVersion, Call, Contact, TranscriptTurn

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A real mono 16-bit PCM WAV: a quiet tone, so decoders have something to play."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(struct.pack("<h", int(3000 * math.sin(i * 0.05))) for i in range(frames))
        )
    return path


@dataclass
class Seeded:
    campaign_id: int
    call_ids: list[int] = field(default_factory=list)
    recorded_call_id: int = 0
    recording: Path | None = None
    voicemail_call_id: int = 0
    pending_call_id: int = 0
    no_recording_call_id: int = 0


# (status, answered_by, duration_s) cycled over the contacts
OUTCOMES = [
    ("completed", "human", 42),
    ("completed", "machine_end_beep", 18),
    ("no_answer", None, 0),
    ("busy", None, 0),
    ("failed", None, None),
    ("completed", "human", 95),
    ("connected", "human", None),
]


def seed_campaign(
    store: Store, home: Path, *, name: str = "Spring promo", contacts: int = 14, wav_s: float = 3.0
) -> Seeded:
    with store.session.begin() as session:
        campaign = create_campaign(session, name, caller_id="+15005550006")
        session.flush()
        seeded = Seeded(campaign_id=campaign.id)
        for i in range(contacts):
            status, answered_by, duration = OUTCOMES[i % len(OUTCOMES)]
            contact = Contact(
                campaign_id=campaign.id,
                phone=f"+1202555{i:04d}",
                name=f"Contact {i:02d}",
                fields={
                    "city": ["Austin", "Boston"][i % 2],
                    "plan": "=HYPERLINK(1)" if i == 3 else "gold",
                },
                status=status,
                attempts=1,
            )
            session.add(contact)
            session.flush()
            created = START + timedelta(minutes=7 * i)
            call = Call(
                campaign_id=campaign.id,
                contact_id=contact.id,
                attempt=1,
                provider_sid=f"CA{i:032d}",
                status=status,
                provider_status=status.replace("_", "-"),
                created_at=created,
                answered_at=created + timedelta(seconds=5) if answered_by else None,
                ended_at=created + timedelta(seconds=5 + (duration or 0))
                if status != "connected"
                else None,
                duration_s=duration,
                answered_by=answered_by,
            )
            session.add(call)
            session.flush()
            seeded.call_ids.append(call.id)
            if i == 0:
                seeded.recorded_call_id = call.id
                path = write_wav(recordings_dir(home) / f"RE{i:032d}.wav", wav_s)
                seeded.recording = path
                call.recording_sid = f"RE{i:032d}"
                call.recording_path = str(path)
                call.recording_state = RecordingState.DOWNLOADED.to_db()
                for offset, speaker, text in [
                    (0.2, "agent", "Hi, this is Ava from Acme. Is now a good time?"),
                    (1.1, "callee", "Sure, what is it about?"),
                    (1.9, "agent", "We have a spring offer on the gold plan."),
                    (2.5, "callee", "Sounds interesting, send me the details."),
                ]:
                    session.add(
                        TranscriptTurn(call_id=call.id, speaker=speaker, text=text, offset_s=offset)
                    )
            elif i == 1:
                seeded.voicemail_call_id = call.id
                call.recording_state = RecordingState.PENDING.to_db()
            elif i == 5:
                seeded.pending_call_id = call.id
                call.recording_sid = "RE" + "5" * 32
                call.recording_state = RecordingState.PENDING.to_db()
            elif status == "completed":
                call.recording_state = RecordingState.NONE.to_db()
                seeded.no_recording_call_id = call.id
    return seeded


@dataclass
class AgentSeeded:
    callback_call_id: int
    dnc_call_id: int
    voicemail_call_id: int
    old_call_id: int  # a call from before agents: no result


CALLBACK_AT = datetime(2026, 12, 8, 20, 0, tzinfo=UTC)  # 15:00 in New York


def seed_agent_results(
    store: Store, seeded: Seeded, *, agent: str = "Clinic reminder"
) -> AgentSeeded:
    """What a "Clinic reminder" v3 agent made of three of the seeded calls, written straight
    into the columns the relay server fills when a call ends."""
    with store.session.begin() as session:
        owner = Agent(name=agent)
        session.add(owner)
        session.flush()
        for number in (1, 2, 3):
            session.add(AgentVersion(agent_id=owner.id, version=number, definition={"name": agent}))
        session.flush()
        version = session.scalar(
            select(AgentVersion.id).where(
                AgentVersion.agent_id == owner.id, AgentVersion.version == 3
            )
        )
        callback = session.get(Call, seeded.recorded_call_id)
        callback.contact.fields = {**callback.contact.fields, "timezone": "America/New_York"}
        _set_result(
            callback,
            version,
            outcome="callback",
            agent_fields={
                "confirmed": True,
                "insured": False,
                "visits": 2,
                "preferred_day": "2026-12-08",
                "callback_time": "2026-12-08T15:00:00-05:00",
            },
            step_path=["greet", "confirm", "offer_callback", "goodbye"],
            summary="The callee asked to be called back. Captured confirmed: yes.",
            suggested_disposition="Call back",
            callback_at=CALLBACK_AT,
        )
        dnc = session.get(Call, seeded.call_ids[5])
        _set_result(
            dnc,
            version,
            outcome="dnc",
            agent_fields={},
            step_path=["greet", "dnc"],
            summary="The callee asked not to be called again.",
            suggested_disposition="Do not call",
            dnc_evidence="take me off your list",
            dnc_offset_s=12.4,
        )
        voicemail = session.get(Call, seeded.voicemail_call_id)
        _set_result(
            voicemail,
            version,
            outcome="voicemail_left",
            agent_fields={},
            step_path=["voicemail"],
            summary="The call reached voicemail and a message was left.",
            suggested_disposition="Voicemail",
        )
    return AgentSeeded(
        callback_call_id=callback.id,
        dnc_call_id=dnc.id,
        voicemail_call_id=voicemail.id,
        old_call_id=seeded.call_ids[6 * 2],  # completed, human, no agent result
    )


def _set_result(call: Call, version_id: int, **columns) -> None:
    call.agent_version_id = version_id
    for name, value in columns.items():
        setattr(call, name, value)
