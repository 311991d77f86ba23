"""What the dialer and the UI need from a telephony provider, as plain data.

Nothing here knows about the Twilio SDK: providers return these dataclasses, never SDK objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from app.domain.status import TWILIO_FINAL_STATUSES

# CallDeck's contact-facing outcome for each Twilio call status.
# "canceled" means we hung up before an answer: it counts as no answer.
TWILIO_TO_CONTACT_STATUS: dict[str, str] = {
    "queued": "calling",
    "initiated": "calling",
    "ringing": "calling",
    "in-progress": "connected",
    "completed": "completed",
    "busy": "busy",
    "no-answer": "no_answer",
    "canceled": "no_answer",
    "failed": "failed",
}

# Twilio refuses a `Twiml` parameter on calls.create longer than this (error 20001).
TWIML_MAX_CHARS = 4000


@dataclass(frozen=True)
class CallRequest:
    to: str
    from_: str
    twiml: str | None = None
    url: str | None = None
    record: bool = True
    # Twilio's MachineDetection ("DetectMessageEnd" waits for the beep, "Enable" answers at
    # the greeting's start), run asynchronously; None: no answering-machine detection.
    machine_detection: str | None = None
    status_callback: str | None = None
    recording_status_callback: str | None = None
    amd_status_callback: str | None = None  # AsyncAmdStatusCallback (else warning 21262)
    timeout_s: int = 30
    time_limit_s: int | None = None
    # Asked before each retry of a create that certainly did not go through (429, no
    # connection): False (the campaign was paused meanwhile) abandons the call: NotPlaced.
    may_proceed: Callable[[], bool] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class CallInfo:
    sid: str
    to: str
    from_: str
    provider_status: str  # Twilio's own status string
    status: str  # CallDeck's contact-facing status (see TWILIO_TO_CONTACT_STATUS)
    created_at: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_s: int | None = None
    answered_by: str | None = None
    error_code: int | None = None
    error_message: str | None = None

    @property
    def is_final(self) -> bool:
        return self.provider_status in TWILIO_FINAL_STATUSES


@dataclass(frozen=True)
class RecordingInfo:
    sid: str
    call_sid: str
    duration_s: int | None
    status: str
    media_url: str | None = None


@dataclass(frozen=True)
class TranscriptSentence:
    speaker: str  # "agent" or "callee"
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class OwnedNumber:
    sid: str
    phone_number: str
    friendly_name: str
    kind: str  # "owned" (IncomingPhoneNumber) or "verified" (OutgoingCallerId)
    capabilities: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str
    friendly_name: str
    locality: str | None
    region: str | None
    iso_country: str
    capabilities: dict[str, bool] = field(default_factory=dict)
    number_type: str = "Local"  # Local | Mobile | TollFree


class Provider(Protocol):
    """A telephony account. All methods are coroutines; errors are app.telephony.errors types."""

    async def place_call(self, request: CallRequest) -> CallInfo: ...

    async def fetch_call(self, sid: str) -> CallInfo: ...

    async def find_calls(self, to: str, from_: str, created_after: datetime) -> list[CallInfo]:
        """Calls to *to* from *from_* created at or after *created_after*, a time by our clock
        (the provider allows for its own clock's skew): the ambiguous-create search."""
        ...

    async def hang_up(self, sid: str) -> CallInfo: ...

    async def redirect(self, sid: str, twiml: str) -> CallInfo:
        """Run *twiml* on the live call instead of what it runs now."""
        ...

    async def list_recordings(self, call_sid: str) -> list[RecordingInfo]: ...

    async def download_recording(self, recording: RecordingInfo, dest_dir: Path) -> Path: ...

    async def transcribe(
        self, recording: RecordingInfo, language_code: str = "en-US"
    ) -> list[TranscriptSentence]:
        """The recording's one transcript, in *language_code* (BCP 47)."""
        ...

    async def list_numbers(self) -> list[OwnedNumber]: ...

    async def ping(self) -> None:
        """One cheap request, sent once: returns when the provider answers it, else raises."""
        ...

    def watch_reachability(self, listener: Callable[[bool], None] | None) -> None:
        """Call *listener(reachable)*, from any thread, when the provider stops or starts
        answering requests at all (None: stop telling)."""
        ...

    def size_for(self, live_calls: int) -> None:
        """Make room for this many calls followed at once (e.g. status-poll threads)."""
        ...

    async def search_numbers(
        self,
        country: str = "US",
        area_code: str | None = None,
        limit: int = 20,
        *,
        contains: str | None = None,
        number_type: str = "Local",
    ) -> list[AvailableNumber]: ...

    async def buy_number(self, phone_number: str) -> OwnedNumber: ...

    async def close(self) -> None: ...
