"""Voice Intelligence v2: services, transcripts of recordings, sentences."""

from __future__ import annotations

import asyncio
import json
import random

from aiohttp import web

from app.telephony.emulator import resources
from app.telephony.emulator.api_base import ApiBase
from app.telephony.emulator.media import TRACK_CHANNEL
from app.telephony.emulator.paging import v2_page
from app.telephony.emulator.state import ServiceRecord, TranscriptRecord, new_sid, utcnow
from app.telephony.emulator.twilio_errors import TwilioError, not_found


class IntelligenceApi(ApiBase):
    async def create_service(self, request: web.Request) -> web.Response:
        form = await request.post()
        unique = form.get("UniqueName", "").strip()
        if not unique:
            raise TwilioError(400, 20001, "Missing required parameter UniqueName in the post body")
        if any(s.unique_name == unique for s in self.account.services.values()):
            raise TwilioError(409, 20001, f"A Service with UniqueName {unique} already exists")
        svc = ServiceRecord(
            new_sid("GA"),
            self.account.sid,
            unique,
            form.get("FriendlyName", unique),
            auto_transcribe=str(form.get("AutoTranscribe", "false")).lower() == "true",
            language_code=form.get("LanguageCode", "en-US"),
        )
        self.account.services[svc.sid] = svc
        return web.json_response(resources.service_json(svc, self.base_url), status=201)

    async def list_services(self, request: web.Request) -> web.Response:
        svcs = list(self.account.services.values())
        url = f"{self.base_url}/v2/Services"
        return web.json_response(
            v2_page(
                request.query,
                svcs,
                "services",
                url,
                lambda s: resources.service_json(s, self.base_url),
            )
        )

    async def fetch_service(self, request: web.Request) -> web.Response:
        svc = self.account.services.get(request.match_info["sid"])
        if svc is None:
            raise not_found(request.path)
        return web.json_response(resources.service_json(svc, self.base_url))

    async def create_transcript(self, request: web.Request) -> web.Response:
        form = await request.post()
        service_sid = form.get("ServiceSid", "")
        if service_sid not in self.account.services:
            raise TwilioError(404, 20404, f"Service {service_sid} was not found")
        try:
            channel = json.loads(form.get("Channel", ""))
            source_sid = channel["media_properties"]["source_sid"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TwilioError(
                400, 20001, "Channel must be JSON with media_properties.source_sid"
            ) from exc
        _check_participants(channel.get("participants"))
        rec = self.account.recordings.get(source_sid)
        if rec is None or rec.status != "completed":
            raise TwilioError(400, 20001, f"Recording {source_sid} is not available")
        if any(t.recording_sid == source_sid for t in self.account.transcripts.values()):
            # Twilio: "You can only create one Transcript per RecordingSid."
            raise TwilioError(
                409,
                20001,
                f"A Transcript already exists for source {source_sid}. To re-transcribe a "
                "recording, delete the original Transcript and create a new one.",
            )
        tr = TranscriptRecord(
            new_sid("GT"),
            self.account.sid,
            service_sid,
            source_sid,
            channel,
            duration_s=rec.duration_s or 0,
            language_code=self.account.services[service_sid].language_code,
        )
        self.account.transcripts[tr.sid] = tr
        self.engine._spawn(self._transcribe(tr))
        return web.json_response(resources.transcript_json(tr, self.base_url), status=202)

    async def _transcribe(self, tr: TranscriptRecord) -> None:
        # A real transcription takes a fraction of the call's length; scale it like calls.
        step = max(0.01, min(5.0, 0.1 * tr.duration_s) / self.speed)
        await asyncio.sleep(step)
        tr.status, tr.date_updated = "in-progress", utcnow()
        await asyncio.sleep(step)
        rec = self.account.recordings[tr.recording_sid]
        call = self.account.calls[rec.call_sid]
        heard = call.conversation.heard_from(rec.offset_s) if call.conversation else []
        segments = [s for s in heard if s.kind == "speech"]
        rng = random.Random(tr.sid)
        tr.sentences = [
            _sentence(i, seg, rng, rec.channels)
            for i, seg in enumerate(sorted(segments, key=lambda s: s.start))
        ]
        tr.status, tr.date_updated = "completed", utcnow()

    async def list_transcripts(self, request: web.Request) -> web.Response:
        q = request.query
        found = list(reversed(list(self.account.transcripts.values())))  # newest first
        if source := q.get("SourceSid"):
            found = [t for t in found if t.recording_sid == source]
        if service := q.get("ServiceSid"):
            found = [t for t in found if t.service_sid == service]
        if status := q.get("Status"):
            found = [t for t in found if t.status == status]
        return web.json_response(
            v2_page(
                q,
                found,
                "transcripts",
                f"{self.base_url}/v2/Transcripts",
                lambda t: resources.transcript_json(t, self.base_url),
            )
        )

    def _transcript(self, request: web.Request) -> TranscriptRecord:
        tr = self.account.transcripts.get(request.match_info["sid"])
        if tr is None:
            raise not_found(request.path)
        return tr

    async def fetch_transcript(self, request: web.Request) -> web.Response:
        return web.json_response(
            resources.transcript_json(self._transcript(request), self.base_url)
        )

    async def list_sentences(self, request: web.Request) -> web.Response:
        tr = self._transcript(request)
        words = request.query.get("WordTimestamps", "false").lower() == "true"
        items = [_SentenceItem(s, words) for s in tr.sentences]
        url = f"{self.base_url}/v2/Transcripts/{tr.sid}/Sentences"
        return web.json_response(
            v2_page(request.query, items, "sentences", url, _SentenceItem.render)
        )


class _SentenceItem:
    def __init__(self, body: dict, words: bool) -> None:
        self.sid = body["sid"]
        self.body = body
        self.words = words

    def render(self) -> dict:
        return self.body if self.words else {**self.body, "words": None}


def _check_participants(participants) -> None:
    """Twilio takes an optional list of {channel_participant, role, ...} (channel 1 or 2);
    without it Voice Intelligence takes channel 1 for the agent."""
    if participants is None:
        return
    ok = isinstance(participants, list) and all(
        isinstance(p, dict) and p.get("channel_participant") in (1, 2) and p.get("role")
        for p in participants
    )
    if not ok:
        raise TwilioError(400, 20001, "Channel.participants must list channel 1 or 2 and a role")


def _sentence(index: int, seg, rng: random.Random, channels: int) -> dict:
    words = seg.text.split()
    span = (seg.end - seg.start) / max(1, len(words))
    return {
        # A mono recording has one channel: it cannot tell the speakers apart.
        "media_channel": TRACK_CHANNEL[seg.speaker] if channels == 2 else 1,
        "sentence_index": index,
        "start_time": f"{seg.start:.2f}",
        "end_time": f"{seg.end:.2f}",
        "transcript": seg.text,
        "sid": new_sid("GX"),
        "confidence": f"{rng.uniform(0.86, 0.99):.2f}",
        "words": [
            {
                "word": w,
                "start_time": f"{seg.start + i * span:.2f}",
                "end_time": f"{seg.start + (i + 1) * span:.2f}",
            }
            for i, w in enumerate(words)
        ],
    }
