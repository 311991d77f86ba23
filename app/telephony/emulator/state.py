"""The emulator's in-memory account: calls, recordings, numbers, Voice Intelligence objects."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.domain.status import TWILIO_FINAL_STATUSES
from app.telephony.emulator.conversation import Conversation
from app.telephony.emulator.outcomes import Outcome


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


# How far the emulated Twilio's clock runs from this host's (`--clock-skew`), so the app
# cannot lean on its own clock matching Twilio's. One per process, like the one Twilio.
_clock_skew = timedelta(0)


def set_clock_skew(seconds: float) -> None:
    global _clock_skew
    _clock_skew = timedelta(seconds=seconds)


def utcnow() -> datetime:
    """Twilio's time: every date the emulator stores, serves and sends (and its Date header)."""
    return datetime.now(UTC) + _clock_skew


@dataclass
class CallRecord:
    sid: str
    account_sid: str
    to: str
    from_: str
    outcome: Outcome
    twiml: str | None = None
    url: str | None = None
    record: bool = False
    recording_channels: int = 1  # RecordingChannels: mono (Twilio's default for Record) or dual
    machine_detection: str | None = None  # "Enable" | "DetectMessageEnd" | None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: tuple[str, ...] = ("completed",)
    recording_status_callback: str | None = None
    async_amd: bool = False  # AMD runs beside the TwiML, its verdict to the callback
    async_amd_status_callback: str | None = None
    timeout_s: float = 60.0
    time_limit_s: float = 4 * 3600.0
    status: str = "queued"
    date_created: datetime = field(default_factory=utcnow)
    date_updated: datetime = field(default_factory=utcnow)
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_s: int | None = None
    answered_by: str | None = None  # AMD's verdict; the Call resource shows it once ended
    conversation: Conversation | None = None
    recording_sid: str | None = None  # the call's one recording (Record=true or <Start>)
    errors: list[tuple[int, str]] = field(default_factory=list)  # Twilio debugger codes
    sequence: int = 0  # next status-callback SequenceNumber
    queue_time_ms: int = 0  # time spent waiting for a CPS slot
    hangup: asyncio.Event = field(default_factory=asyncio.Event)
    hangup_status: str = "completed"
    task: asyncio.Task | None = None
    redirect: list | None = None  # TwiML steps an update(Twiml/Url) asked for, not yet run
    redirected: asyncio.Event = field(default_factory=asyncio.Event)

    def take_redirect(self) -> list | None:
        steps, self.redirect = self.redirect, None
        self.redirected.clear()
        return steps

    @property
    def is_live(self) -> bool:
        return self.status not in TWILIO_FINAL_STATUSES


@dataclass
class RecordingRecord:
    sid: str
    account_sid: str
    call_sid: str
    status: str = "in-progress"
    date_created: datetime = field(default_factory=utcnow)
    date_updated: datetime = field(default_factory=utcnow)
    start_time: datetime = field(default_factory=utcnow)
    duration_s: int | None = None
    channels: int = 1
    source: str = "OutboundAPI"
    offset_s: float = 0.0  # call seconds at which the recording started
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: tuple[str, ...] = ("completed",)


@dataclass
class NumberRecord:
    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    kind: str  # "incoming" | "verified"
    date_created: datetime = field(default_factory=utcnow)


@dataclass
class ServiceRecord:
    sid: str
    account_sid: str
    unique_name: str
    friendly_name: str
    auto_transcribe: bool = False
    language_code: str = "en-US"
    date_created: datetime = field(default_factory=utcnow)


@dataclass
class TranscriptRecord:
    sid: str
    account_sid: str
    service_sid: str
    recording_sid: str
    channel: dict
    status: str = "queued"
    date_created: datetime = field(default_factory=utcnow)
    date_updated: datetime = field(default_factory=utcnow)
    duration_s: int = 0
    sentences: list[dict] = field(default_factory=list)
    language_code: str = "en-US"  # its service's


@dataclass
class ApiKeyRecord:
    """An API key (SK…): Basic auth as SID:secret works like the Account SID and Auth Token."""

    sid: str
    friendly_name: str | None
    secret: str
    date_created: datetime = field(default_factory=utcnow)


@dataclass
class Account:
    sid: str
    auth_token: str
    api_keys: dict[str, ApiKeyRecord] = field(default_factory=dict)
    calls: dict[str, CallRecord] = field(default_factory=dict)
    recordings: dict[str, RecordingRecord] = field(default_factory=dict)
    numbers: dict[str, NumberRecord] = field(default_factory=dict)
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    transcripts: dict[str, TranscriptRecord] = field(default_factory=dict)
    date_created: datetime = field(default_factory=utcnow)

    def add_number(self, phone: str, friendly: str, kind: str) -> NumberRecord:
        rec = NumberRecord(new_sid("PN"), self.sid, phone, friendly, kind)
        self.numbers[rec.sid] = rec
        return rec

    def caller_ids(self) -> set[str]:
        return {n.phone_number for n in self.numbers.values()}

    def verified_ids(self) -> set[str]:
        return {n.phone_number for n in self.numbers.values() if n.kind == "verified"}
