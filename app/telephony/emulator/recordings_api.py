"""Recordings: call and account lists, and media rendered lazily on first GET."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from app.telephony.emulator import media, resources
from app.telephony.emulator.api_base import ApiBase
from app.telephony.emulator.paging import v2010_page
from app.telephony.emulator.twilio_errors import not_found


class RecordingsApi(ApiBase):
    def _recordings_of(self, call_sid: str | None) -> list:
        recs = list(reversed(list(self.account.recordings.values())))
        return [r for r in recs if call_sid is None or r.call_sid == call_sid]

    async def list_call_recordings(self, request: web.Request) -> web.Response:
        call = self._call(request)
        path = request.path
        recs = self._recordings_of(call.sid)
        return web.json_response(
            v2010_page(request.query, recs, "recordings", path, resources.call_recording_json)
        )

    async def fetch_call_recording(self, request: web.Request) -> web.Response:
        rec = self.account.recordings.get(request.match_info["rec"])
        if rec is None or rec.call_sid != request.match_info["sid"]:
            raise not_found(request.path)
        return web.json_response(resources.call_recording_json(rec))

    async def list_recordings(self, request: web.Request) -> web.Response:
        recs = self._recordings_of(request.query.get("CallSid"))
        path = request.path
        return web.json_response(
            v2010_page(
                request.query,
                recs,
                "recordings",
                path,
                lambda r: resources.recording_json(r, self.base_url),
            )
        )

    async def recording_or_media(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        sid, _, ext = name.partition(".")
        rec = self.account.recordings.get(sid)
        if rec is None:
            raise not_found(request.path)
        if ext == "json":
            return web.json_response(resources.recording_json(rec, self.base_url))
        if ext not in ("", "wav", "mp3"):
            raise not_found(request.path)
        if rec.status != "completed":
            raise not_found(request.path)  # media exists once the recording is completed
        path = await self._media(rec.sid, ext or "wav")
        if path is None:
            raise not_found(request.path)
        content_type = "audio/mpeg" if path.suffix == ".mp3" else "audio/x-wav"
        return web.Response(body=path.read_bytes(), content_type=content_type)

    async def _media(self, rec_sid: str, ext: str) -> Path | None:
        """Render on first request and cache: 10,000 calls must not mean 10,000 WAVs."""
        lock = self._media_locks.setdefault(rec_sid, asyncio.Lock())
        async with lock:
            wav = self.media_dir / f"{rec_sid}.wav"
            if not wav.exists():
                rec = self.account.recordings[rec_sid]
                call = self.account.calls[rec.call_sid]
                segments = call.conversation.heard_from(rec.offset_s) if call.conversation else []
                await asyncio.to_thread(
                    media.render_wav, segments, float(rec.duration_s or 1), wav, rec.channels
                )
                self.media_renders += 1
            if ext == "wav":
                return wav
            mp3 = self.media_dir / f"{rec_sid}.mp3"
            if mp3.exists():
                return mp3
            return await asyncio.to_thread(media.encode_mp3, wav, mp3)
