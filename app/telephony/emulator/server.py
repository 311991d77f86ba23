"""The aiohttp application: Twilio's REST paths, Basic auth, errors and fault injection."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from app.telephony.emulator import media, numbers, resources
from app.telephony.emulator.faults import FaultPlan
from app.telephony.emulator.lifecycle import CallEngine
from app.telephony.emulator.outcomes import Scenario
from app.telephony.emulator.paging import BadPaging, v2_page, v2010_page
from app.telephony.emulator.state import (
    Account,
    CallRecord,
    ServiceRecord,
    TranscriptRecord,
    new_sid,
    utcnow,
)

ACC = "/2010-04-01/Accounts/{account}"
MAX_TWIML_CHARS = 4000
# Twilio's magic test numbers: as To, each fails with its documented code.
MAGIC_TO = {
    "+15005550001": (21217, "Phone number {n} is not a valid phone number."),
    "+15005550002": (21214, "'To' phone number {n} cannot be reached."),
    "+15005550003": (
        21215,
        "Account not authorized to call {n}. Perhaps you need to enable some international "
        "permissions: https://www.twilio.com/console/voice/calls/geo-permissions/low-risk",
    ),
    "+15005550004": (21216, "Call blocked by Twilio blocklist: {n}."),
}
MAGIC_BAD_FROM = "+15005550001"


class TwilioError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: int, message: str) -> web.Response:
    return web.json_response(resources.error_body(code, message, status), status=status)


def not_found(path: str) -> TwilioError:
    return TwilioError(404, 20404, f"The requested resource {path} was not found")


def _parse_when(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise TwilioError(400, 20001, f"Invalid date: {text}")


class EmulatorApp:
    """State and handlers; ``app`` is the aiohttp application to run."""

    def __init__(
        self,
        account: Account,
        *,
        speed: float,
        faults: FaultPlan,
        scenario: Scenario,
        call_log: Path | None,
        media_dir: Path,
        cps: float = 1.0,
    ) -> None:
        self.account = account
        self.speed = speed
        self.faults = faults
        self.scenario = scenario
        self.media_dir = media_dir
        self.base_url = ""  # set once the socket is bound
        self.engine = CallEngine(
            account, speed=speed, faults=faults, call_log=call_log, base_url="", cps=cps
        )
        self._media_locks: dict[str, asyncio.Lock] = {}
        self.media_renders = 0  # how many recordings were actually rendered (lazy check)
        self.app = web.Application(middlewares=[self._errors, self._auth, self._faults])
        self._routes()

    def set_base_url(self, base_url: str) -> None:
        self.base_url = base_url
        self.engine.base_url = base_url

    # -- middlewares ---------------------------------------------------------------------
    @web.middleware
    async def _errors(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        try:
            return await handler(request)
        except TwilioError as err:
            return error_response(err.status, err.code, err.message)
        except BadPaging as err:
            return error_response(400, 20001, str(err))
        except web.HTTPNotFound:
            return error_response(
                404, 20404, f"The requested resource {request.path} was not found"
            )
        except web.HTTPMethodNotAllowed:
            return error_response(405, 20004, "Method not allowed")

    @web.middleware
    async def _auth(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        ok = False
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
                ok = user == self.account.sid and password == self.account.auth_token
            except (ValueError, UnicodeDecodeError):
                ok = False
        if not ok:
            resp = error_response(401, 20003, "Authenticate")
            resp.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return resp
        account = request.match_info.get("account")
        if account is not None and account != self.account.sid:
            raise not_found(request.path)
        return await handler(request)

    @web.middleware
    async def _faults(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        status = self.faults.http_fault()
        if status == 429:
            return error_response(429, 20429, "Too Many Requests")
        if status == 500:
            return error_response(500, 20500, "Internal Server Error")
        return await handler(request)

    # -- routes --------------------------------------------------------------------------
    def _routes(self) -> None:
        r = self.app.router
        r.add_post(f"{ACC}/Calls.json", self.create_call)
        r.add_get(f"{ACC}/Calls.json", self.list_calls)
        r.add_get(ACC + "/Calls/{sid}.json", self.fetch_call)
        r.add_post(ACC + "/Calls/{sid}.json", self.update_call)
        r.add_get(ACC + "/Calls/{sid}/Recordings.json", self.list_call_recordings)
        r.add_get(ACC + "/Calls/{sid}/Recordings/{rec}.json", self.fetch_call_recording)
        r.add_get(f"{ACC}/Recordings.json", self.list_recordings)
        r.add_get(ACC + "/Recordings/{name}", self.recording_or_media)
        r.add_get(f"{ACC}/IncomingPhoneNumbers.json", self.list_incoming)
        r.add_post(f"{ACC}/IncomingPhoneNumbers.json", self.buy_number)
        r.add_get(f"{ACC}/OutgoingCallerIds.json", self.list_caller_ids)
        r.add_get(ACC + "/AvailablePhoneNumbers/{cc}/Local.json", self.available_local)
        r.add_post("/v2/Services", self.create_service)
        r.add_get("/v2/Services", self.list_services)
        r.add_get("/v2/Services/{sid}", self.fetch_service)
        r.add_post("/v2/Transcripts", self.create_transcript)
        r.add_get("/v2/Transcripts/{sid}", self.fetch_transcript)
        r.add_get("/v2/Transcripts/{sid}/Sentences", self.list_sentences)

    # -- calls ---------------------------------------------------------------------------
    def _validate_create(self, form) -> None:
        to, from_ = form.get("To", "").strip(), form.get("From", "").strip()
        if not to:
            raise TwilioError(400, 21201, "No 'To' number is specified")
        if not from_:
            raise TwilioError(400, 21213, "No 'From' number is specified")
        if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
            raise TwilioError(400, 21205, "Url parameter is required.")
        if len(form.get("Twiml", "")) > MAX_TWIML_CHARS:
            raise TwilioError(400, 20001, "Twiml must be 4000 characters or fewer.")
        if to in MAGIC_TO:
            code, message = MAGIC_TO[to]
            raise TwilioError(400, code, message.format(n=to))
        if from_ == MAGIC_BAD_FROM or not numbers.is_e164(from_):
            raise TwilioError(400, 21212, f"Invalid 'From' Phone Number: {from_}")
        if not numbers.is_e164(to):
            raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if from_ not in self.account.caller_ids():
            raise TwilioError(
                400,
                21210,
                f"The source phone number provided, {from_}, is not yet verified for your account. "
                "You may only make calls from phone numbers that you've verified or purchased "
                "from Twilio.",
            )
        if self.scenario.trial and to not in self.account.verified_ids():
            raise TwilioError(
                400,
                21219,
                f"The number {to} is unverified. Trial accounts may only make calls to verified "
                "numbers.",
            )
        callback = form.get("StatusCallback")
        if callback and not callback.startswith(("http://", "https://")):
            raise TwilioError(400, 21609, f"Invalid StatusCallback: {callback}")

    async def create_call(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        self._validate_create(form)
        events = tuple(
            e.strip()
            for e in form.getall("StatusCallbackEvent", [])
            for e in e.split(" ")
            if e.strip()
        )
        try:
            timeout = min(600.0, max(1.0, float(form.get("Timeout", 60))))
            time_limit = float(form.get("TimeLimit", 4 * 3600))
        except ValueError as exc:
            raise TwilioError(400, 20001, "Timeout and TimeLimit must be integers") from exc
        amd = form.get("MachineDetection") or None
        if amd not in (None, "Enable", "DetectMessageEnd"):
            raise TwilioError(400, 20001, f"Invalid MachineDetection: {amd}")
        call = CallRecord(
            sid=new_sid("CA"),
            account_sid=self.account.sid,
            to=form["To"].strip(),
            from_=form["From"].strip(),
            outcome=self.scenario.outcome_for(form["To"].strip()),
            twiml=form.get("Twiml") or None,
            url=form.get("Url") or None,
            record=str(form.get("Record", "false")).lower() == "true",
            machine_detection=amd,
            status_callback=form.get("StatusCallback") or None,
            status_callback_method=form.get("StatusCallbackMethod", "POST"),
            status_callback_events=events or ("completed",),
            timeout_s=timeout,
            time_limit_s=time_limit,
        )
        self.account.calls[call.sid] = call
        self.engine.start(call)
        if self.faults.drop_connection_after_create():
            # The call is placed, but the client never hears back: an ambiguous create.
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        return web.json_response(resources.call_json(call), status=201)

    def _call(self, request: web.Request) -> CallRecord:
        call = self.account.calls.get(request.match_info["sid"])
        if call is None:
            raise not_found(request.path)
        return call

    async def fetch_call(self, request: web.Request) -> web.Response:
        return web.json_response(resources.call_json(self._call(request)))

    async def update_call(self, request: web.Request) -> web.Response:
        call = self._call(request)
        form = await request.post()
        status = form.get("Status")
        if not call.is_live:
            raise TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.")
        if status not in (None, "completed", "canceled"):
            raise TwilioError(400, 20001, f"Invalid Status: {status}")
        if status == "completed" or (status == "canceled" and call.status != "in-progress"):
            # canceled only affects queued/ringing calls; completed hangs up anything live.
            call.hangup.set()
            if call.task is not None:
                await asyncio.wait({call.task}, timeout=5)
        return web.json_response(resources.call_json(call))

    async def list_calls(self, request: web.Request) -> web.Response:
        q = request.query
        calls = list(reversed(list(self.account.calls.values())))  # newest first, like Twilio
        if to := q.get("To"):
            calls = [c for c in calls if c.to == to]
        if from_ := q.get("From"):
            calls = [c for c in calls if c.from_ == from_]
        if status := q.get("Status"):
            calls = [c for c in calls if c.status == status]
        if "StartTime>" in q:
            bound, date_only = _parse_when(q["StartTime>"]), len(q["StartTime>"]) == 10
            calls = [c for c in calls if _started(c, date_only) >= bound]
        if "StartTime<" in q:
            bound, date_only = _parse_when(q["StartTime<"]), len(q["StartTime<"]) == 10
            calls = [c for c in calls if _started(c, date_only) <= bound]
        if "StartTime" in q:
            bound = _parse_when(q["StartTime"])
            calls = [c for c in calls if _started(c, True) == bound]
        path = f"{resources.API}/Accounts/{self.account.sid}/Calls.json"
        return web.json_response(v2010_page(q, calls, "calls", path, resources.call_json))

    # -- recordings ----------------------------------------------------------------------
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
                segments = call.conversation.segments if call.conversation else []
                await asyncio.to_thread(media.render_wav, segments, float(rec.duration_s or 1), wav)
                self.media_renders += 1
            if ext == "wav":
                return wav
            mp3 = self.media_dir / f"{rec_sid}.mp3"
            if mp3.exists():
                return mp3
            return await asyncio.to_thread(media.encode_mp3, wav, mp3)

    # -- numbers -------------------------------------------------------------------------
    async def list_incoming(self, request: web.Request) -> web.Response:
        nums = [n for n in self.account.numbers.values() if n.kind == "incoming"]
        if phone := request.query.get("PhoneNumber"):
            nums = [n for n in nums if phone in n.phone_number]
        return web.json_response(
            v2010_page(
                request.query,
                nums,
                "incoming_phone_numbers",
                request.path,
                resources.incoming_number_json,
            )
        )

    async def buy_number(self, request: web.Request) -> web.Response:
        form = await request.post()
        phone = form.get("PhoneNumber", "").strip()
        area = form.get("AreaCode", "").strip()
        owned = self.account.caller_ids()
        if not phone and area:
            candidates = numbers.available_local("US", area, 30) or []
            phone = next(
                (c["phone_number"] for c in candidates if c["phone_number"] not in owned), ""
            )
            if not phone:
                raise TwilioError(400, 21452, f"No phone numbers found in area code {area}")
        if not phone:
            raise TwilioError(400, 21421, "A PhoneNumber or AreaCode is required.")
        if not numbers.is_e164(phone):
            raise TwilioError(400, 21421, f"PhoneNumber {phone} is invalid.")
        if phone in owned:
            raise TwilioError(400, 21422, f"PhoneNumber {phone} is not available.")
        friendly = form.get("FriendlyName") or resources.formatted(phone)
        rec = self.account.add_number(phone, friendly, "incoming")
        return web.json_response(resources.incoming_number_json(rec), status=201)

    async def list_caller_ids(self, request: web.Request) -> web.Response:
        nums = [n for n in self.account.numbers.values() if n.kind == "verified"]
        if phone := request.query.get("PhoneNumber"):
            nums = [n for n in nums if n.phone_number == phone]
        return web.json_response(
            v2010_page(
                request.query, nums, "outgoing_caller_ids", request.path, resources.caller_id_json
            )
        )

    async def available_local(self, request: web.Request) -> web.Response:
        q = request.query
        area = q.get("AreaCode") or None
        if area is not None and not (area.isdigit() and len(area) == 3):
            raise TwilioError(400, 21452, f"AreaCode {area} is invalid.")
        try:
            limit = int(q.get("PageSize", 50))
        except ValueError as exc:
            raise TwilioError(400, 20001, "PageSize must be an integer") from exc
        found = numbers.available_local(request.match_info["cc"], area, limit)
        if found is None:
            raise not_found(request.path)
        owned = self.account.caller_ids()
        found = [f for f in found if f["phone_number"] not in owned]
        uri = request.path + ("?" + request.query_string if request.query_string else "")
        body = {
            "available_phone_numbers": found,
            "end": max(len(found) - 1, 0),
            "first_page_uri": uri,
            "next_page_uri": None,
            "page": 0,
            "page_size": limit,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }
        return web.json_response(body)

    # -- Voice Intelligence v2 -----------------------------------------------------------
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
        rec = self.account.recordings.get(source_sid)
        if rec is None or rec.status != "completed":
            raise TwilioError(400, 20001, f"Recording {source_sid} is not available")
        tr = TranscriptRecord(
            new_sid("GT"),
            self.account.sid,
            service_sid,
            source_sid,
            channel,
            duration_s=rec.duration_s or 0,
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
        segments = call.conversation.segments if call.conversation else []
        rng = random.Random(tr.sid)
        tr.sentences = [
            _sentence(i, seg, rng) for i, seg in enumerate(sorted(segments, key=lambda s: s.start))
        ]
        tr.status, tr.date_updated = "completed", utcnow()

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


def _sentence(index: int, seg, rng: random.Random) -> dict:
    words = seg.text.split()
    span = (seg.end - seg.start) / max(1, len(words))
    return {
        "media_channel": 1 if seg.speaker == "agent" else 2,
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


def _started(call: CallRecord, date_only: bool):
    """The time StartTime filters compare: start_time, or date_created while still queued."""
    when = call.start_time or call.date_created
    if date_only:
        return when.replace(hour=0, minute=0, second=0, microsecond=0)
    return when.replace(microsecond=0)
