"""A fake Provider on a (Fake)Clock: outcomes by the last digit of To, like the emulator."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.domain.clock import Clock
from app.telephony.base import CallInfo, CallRequest, RecordingInfo, TranscriptSentence

# last digit -> (provider status when over, answered_by, ring seconds)
OUTCOMES = {
    **{d: ("completed", "human", 4.0) for d in "01234"},
    "5": ("completed", "machine_end_beep", 8.0),
    "6": ("no-answer", None, 30.0),
    "7": ("busy", None, 2.0),
    "8": ("failed", None, 1.0),
    "9": ("completed", "human", 4.0),
}
EXPECTED_STATUS = {
    **dict.fromkeys("012345", "completed"),
    "6": "no_answer",
    "7": "busy",
    "8": "failed",
    "9": "completed",
}


@dataclass
class FakeCall:
    sid: str
    to: str
    from_: str
    created_mono: float
    created_at: datetime
    ring_s: float
    talk_s: float
    final_status: str
    answered_by: str | None
    amd: bool = False  # the create asked for answering-machine detection

    @property
    def answers(self) -> bool:
        return self.answered_by is not None

    @property
    def end_mono(self) -> float:
        return self.created_mono + self.ring_s + (self.talk_s if self.answers else 0.0)


@dataclass
class FakeProvider:
    clock: Clock
    talk_s: float = 20.0
    time_scale: float = 1.0  # shrink ring and talk times (for runs on a real clock)
    durations: dict[str, float] = field(default_factory=dict)  # To -> talk seconds
    place_errors: dict[str, list[Exception]] = field(default_factory=dict)  # To -> to raise
    lose_after_create: set[str] = field(default_factory=set)  # To: placed, then AmbiguousCreate
    future_status: dict[str, str] = field(default_factory=dict)  # To -> a status unknown today
    unknown_at_first: dict[str, int] = field(default_factory=dict)  # To -> 404s before found
    recording_delay_s: float = 0.0  # each recording is "processing" this long after its call
    recording_lists: int = 0  # how often the recordings were asked for
    unreachable: bool = False  # no request gets through (the network is down)
    pings: int = 0
    sized_for: int = 0
    calls: list[FakeCall] = field(default_factory=list)
    requests: list[tuple[float, CallRequest]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=itertools.count)
    _by_sid: dict[str, FakeCall] = field(default_factory=dict)

    def _info(self, call: FakeCall) -> CallInfo:
        from app.telephony.base import TWILIO_TO_CONTACT_STATUS

        now = self.clock.monotonic()
        answered_at = call.created_mono + call.ring_s
        if now >= call.end_mono:
            status = call.final_status
        elif now >= answered_at and call.answers:
            status = "in-progress"
        else:
            status = "ringing"
        status = self.future_status.get(call.to, status)
        final = now >= call.end_mono
        return CallInfo(
            sid=call.sid,
            to=call.to,
            from_=call.from_,
            provider_status=status,
            status=TWILIO_TO_CONTACT_STATUS.get(status, "calling"),
            created_at=call.created_at,
            start_time=call.created_at,  # like Twilio's: the dial time, not the answer
            duration_s=int(call.talk_s) if final and call.answers else (0 if final else None),
            # Without AMD in the create, Twilio reports no answered_by at all.
            answered_by=call.answered_by
            if call.amd and (final or status == "in-progress")
            else None,
            error_code=31000 if final and status == "failed" else None,
            error_message="the call could not be completed"
            if final and status == "failed"
            else None,
        )

    def _reach(self) -> None:
        if self.unreachable:
            from app.telephony.errors import ConnectionFailed

            raise ConnectionFailed("no network")

    async def place_call(self, request: CallRequest) -> CallInfo:
        if self.unreachable:
            from app.telephony.errors import NeverReached

            raise NeverReached("could not reach the provider")
        self.requests.append((self.clock.monotonic(), request))
        errors = self.place_errors.get(request.to)
        if errors:
            raise errors.pop(0)
        status, answered_by, ring = OUTCOMES[request.to[-1]]
        call = FakeCall(
            sid=f"CA{next(self._ids):032d}",
            to=request.to,
            from_=request.from_,
            created_mono=self.clock.monotonic(),
            created_at=self.clock.now(),
            ring_s=ring * self.time_scale,
            talk_s=self.durations.get(request.to, self.talk_s) * self.time_scale,
            final_status=status,
            answered_by=answered_by,
            amd=request.machine_detection is not None,
        )
        self.calls.append(call)
        self._by_sid[call.sid] = call
        if request.to in self.lose_after_create:
            self.lose_after_create.discard(request.to)
            from app.telephony.errors import AmbiguousCreate

            raise AmbiguousCreate("lost the answer to the create request")
        return self._info(call)

    def _find(self, sid: str) -> FakeCall:
        call = self._by_sid.get(sid)
        if call is not None:
            return call
        from app.telephony.errors import NotFound

        raise NotFound("no such call", code=20404)

    async def fetch_call(self, sid: str) -> CallInfo:
        self._reach()
        call = self._find(sid)
        if self.unknown_at_first.get(call.to, 0) > 0:
            self.unknown_at_first[call.to] -= 1
            from app.telephony.errors import NotFound

            raise NotFound("no such call yet", code=20404)
        return self._info(call)

    async def find_calls(self, to: str, from_: str, created_after: datetime) -> list[CallInfo]:
        self._reach()
        return [
            self._info(c)
            for c in self.calls
            if c.to == to and c.from_ == from_ and c.created_at >= created_after
        ]

    async def hang_up(self, sid: str) -> CallInfo:
        return self._info(self._find(sid))

    async def list_recordings(self, call_sid: str) -> list[RecordingInfo]:
        self._reach()
        call = self._find(call_sid)
        self.recording_lists += 1
        if not call.answers:
            return []
        ready = self.clock.monotonic() >= call.end_mono + self.recording_delay_s
        status = "completed" if ready else "processing"
        return [RecordingInfo("RE" + call.sid[2:], call.sid, int(call.talk_s), status)]

    async def download_recording(self, recording: RecordingInfo, dest_dir: Path) -> Path:
        dest_dir.mkdir(parents=True, exist_ok=True)
        path = dest_dir / f"{recording.sid}.wav"
        path.write_bytes(b"RIFF0000WAVE")
        return path

    async def transcribe(
        self, recording: RecordingInfo, language_code: str = "en-US"
    ) -> list[TranscriptSentence]:
        call = self._find(recording.call_sid)
        said = "Please do not call me again." if call.to.endswith("9") else "Yes, go ahead."
        return [
            TranscriptSentence("agent", "Hello, this is CallDeck.", 0.0, 2.0),
            TranscriptSentence("callee", said, 2.5, 4.0),
        ]

    async def list_numbers(self):
        return []

    async def search_numbers(self, country="US", area_code=None, limit=20):
        return []

    async def buy_number(self, phone_number):
        raise NotImplementedError

    async def ping(self) -> None:
        self.pings += 1
        self._reach()

    def watch_reachability(self, listener) -> None:
        pass  # the dialer's own observations are all there is

    def size_for(self, live_calls: int) -> None:
        self.sized_for = max(self.sized_for, live_calls)

    async def close(self) -> None:
        pass

    # -- checks used by the tests --------------------------------------------------------------

    def starts(self) -> list[float]:
        return [c.created_mono for c in self.calls]

    def max_overlap(self) -> int:
        """The most calls live at once (between create and final status, provider-side)."""
        events = sorted(
            [(c.created_mono, 1) for c in self.calls] + [(c.end_mono, -1) for c in self.calls],
            key=lambda e: (e[0], e[1]),
        )
        live = peak = 0
        for _, delta in events:
            live += delta
            peak = max(peak, live)
        return peak
