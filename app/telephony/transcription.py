"""Voice Intelligence v2 transcripts of recordings, for TwilioProvider.transcribe.

One Intelligence service per account (created on first use, found by its unique name
afterwards); each transcript is created, polled to its end, and read as sentences with the
recording's channels mapped to the agent and the callee.

Twilio keeps one transcript per recording and refuses a second create, so an existing one
(a retry, a restart, a create whose answer was lost) is looked up by SourceSid and reused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from twilio.rest import Client

from app.telephony.base import RecordingInfo, TranscriptSentence
from app.telephony.errors import ProviderError
from app.telephony.sdk_mapping import as_seconds

TRANSCRIPT_DONE = {"completed", "failed", "canceled", "error"}
CONFLICT = 409  # "only one Transcript per RecordingSid" (the status code is UNCERTAIN)
INTELLIGENCE_SERVICE = "calldeck-transcripts"  # en-US; other languages get "-<code>"
DEFAULT_LANGUAGE = "en-US"
# Who is on which channel of a call's dual-channel recording (CallDeck records dual both
# ways: <Start><Recording channels="dual"> and RecordingChannels=dual). On a one-leg
# outbound-API call, channel 1 is the inbound track (the audio Twilio receives: the callee)
# and channel 2 the outbound track (the audio Twilio generates: the agent's TTS or <Say>)
# (Twilio: "How to record a single side of a call"; Flex "Enable dual-channel recordings":
# the recorded customer leg is the first channel). Voice Intelligence would take channel 1
# for the agent unless told, so the roles are passed explicitly with every transcript.
CHANNEL_SPEAKERS = {1: "callee", 2: "agent"}
_ROLES = {"callee": ("Customer", "Contact"), "agent": ("Agent", "CallDeck agent")}
PARTICIPANTS = [
    {"channel_participant": ch, "role": _ROLES[who][0], "full_name": _ROLES[who][1]}
    for ch, who in sorted(CHANNEL_SPEAKERS.items())
]

Read = Callable[[Callable[[Client], Any]], Awaitable[Any]]
CREATE_TRIES = 4  # creates whose fate is unknown (5xx, lost answer), each looked up first


class Transcriber:
    """*read* runs an SDK request that is safe to repeat (the provider's retrying read), *once*
    a request that is not (sent once; its failure raised as a ProviderError)."""

    def __init__(
        self,
        read: Read,
        once: Read,
        sleep: Callable[[float], Awaitable[None]],
        *,
        poll_interval_s: float,
        timeout_s: float,
    ) -> None:
        self._read = read
        self._once = once
        self._sleep = sleep
        self.poll_interval_s = poll_interval_s
        self.timeout_s = timeout_s
        self._service_sids: dict[str, str] = {}  # by language code
        self._service_lock = asyncio.Lock()

    async def transcribe(
        self, recording: RecordingInfo, language_code: str = DEFAULT_LANGUAGE
    ) -> list[TranscriptSentence]:
        """Create (or find), poll, read sentences, in the Intelligence service of
        *language_code* (a service's language cannot be changed once set)."""
        transcript = await self._transcript_of(recording.sid, language_code)
        status = await self._wait(transcript.sid, transcript.status)
        if status != "completed":
            raise ProviderError(
                f"Twilio could not transcribe recording {recording.sid} (status {status}).",
            )
        sentences = await self._read(
            lambda c: c.intelligence.v2.transcripts(transcript.sid).sentences.list(
                redacted=False, word_timestamps=True
            )
        )
        return [
            TranscriptSentence(
                speaker=CHANNEL_SPEAKERS.get(int(s.media_channel or 1), "callee"),
                text=s.transcript or "",
                start_s=as_seconds(s.start_time),
                end_s=as_seconds(s.end_time),
            )
            for s in sorted(sentences, key=lambda s: s.sentence_index or 0)
        ]

    async def _transcript_of(self, source_sid: str, language_code: str) -> Any:
        """The recording's one transcript: the existing one, or a new one."""
        service_sid = await self._service(language_code)
        channel = {"media_properties": {"source_sid": source_sid}, "participants": PARTICIPANTS}
        for attempt in range(CREATE_TRIES):
            existing = await self._read(
                lambda c: c.intelligence.v2.transcripts.list(source_sid=source_sid, limit=1)
            )
            if existing:
                return existing[0]
            try:
                return await self._once(
                    lambda c: c.intelligence.v2.transcripts.create(
                        service_sid=service_sid, channel=channel
                    )
                )
            except ProviderError as err:
                # A 5xx or a lost answer may have created it, and a refusal may mean another
                # create won: either way, look again before trying again.
                if attempt == CREATE_TRIES - 1:
                    raise
                if not err.retryable and err.status != CONFLICT:
                    raise
                await self._sleep(self.poll_interval_s * 2**attempt)
        raise AssertionError("unreachable")

    async def _wait(self, transcript_sid: str, status: str) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        while status not in TRANSCRIPT_DONE:
            if loop.time() >= deadline:
                raise ProviderError(
                    "Twilio is taking too long to transcribe this recording. Try again later.",
                    retryable=True,
                )
            await self._sleep(self.poll_interval_s)
            fetched = await self._read(
                lambda c: c.intelligence.v2.transcripts(transcript_sid).fetch()
            )
            status = fetched.status
        return status

    async def _service(self, language_code: str) -> str:
        name = service_name(language_code)
        async with self._service_lock:
            if language_code not in self._service_sids:

                def ensure(c: Client) -> str:
                    for svc in c.intelligence.v2.services.list(page_size=50):
                        if svc.unique_name == name:
                            return svc.sid
                    svc = c.intelligence.v2.services.create(
                        unique_name=name, auto_transcribe=False, language_code=language_code
                    )
                    return svc.sid

                self._service_sids[language_code] = await self._read(ensure)
            return self._service_sids[language_code]


def service_name(language_code: str) -> str:
    """One service per language (the first, en-US, keeps the name older accounts have)."""
    if language_code == DEFAULT_LANGUAGE:
        return INTELLIGENCE_SERVICE
    return f"{INTELLIGENCE_SERVICE}-{language_code}"
