"""How an emulated call unfolds in time, what it logs, and which callbacks it sends."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from app.telephony.emulator import twiml
from app.telephony.emulator.callflow import TwimlRunner
from app.telephony.emulator.conversation import greeting_length
from app.telephony.emulator.faults import FaultPlan
from app.telephony.emulator.outcomes import Scenario
from app.telephony.emulator.personas import BEEP_S
from app.telephony.emulator.signing import twilio_signature
from app.telephony.emulator.state import Account, CallRecord, RecordingRecord, new_sid, utcnow

DIAL_DELAY_S = 1.0  # queued -> ringing
SIP_CODES = {
    "completed": "200",
    "busy": "486",
    "no-answer": "487",
    "canceled": "487",
    "failed": "500",
}
# UNCERTAIN which code Twilio logs for every routing failure; 13224 is its invalid-number one.
ROUTING_FAILURE = (13224, "The phone number could not be reached: the call failed to route.")
EMULATOR_FAULT = (20500, "Internal server error: the emulator broke off this call (see its log).")
log = logging.getLogger(__name__)
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}
# How long (call seconds) AMD takes to decide: a person's "hello" and the pause after it;
# a machine's long greeting (Enable); with DetectMessageEnd, the greeting's end (the beep).
AMD_HUMAN_S = 2.0
AMD_MACHINE_START_S = 3.0


class CallEngine:
    def __init__(
        self,
        account: Account,
        *,
        speed: float,
        faults: FaultPlan,
        call_log: Path | None,
        base_url: str,
        cps: float = 1.0,
        scenario: Scenario | None = None,
    ) -> None:
        self.account = account
        self.scenario = scenario or Scenario()  # outcomes of <Dial>ed numbers too
        self.speed = speed
        self.cps = cps
        self._next_dial = 0.0  # emulated time of the next free dialling slot
        self.faults = faults
        self.base_url = base_url
        if call_log is not None:
            call_log.parent.mkdir(parents=True, exist_ok=True)
        self._log = call_log.open("a", encoding="utf-8") if call_log else None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- plumbing -------------------------------------------------------------------------
    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._session

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self, event: str, call: CallRecord) -> None:
        if self._log is None:
            return
        line = {
            "event": event,
            "sid": call.sid,
            "to": call.to,
            "from": call.from_,
            "status": call.status,
            "at": time.time(),
        }
        self._log.write(json.dumps(line) + "\n")
        self._log.flush()  # a test or a crash-recovery check reads it from outside

    async def sleep(self, call: CallRecord, emulated_s: float) -> bool:
        """Wait *emulated_s* call seconds; True when the call was hung up meanwhile."""
        try:
            await asyncio.wait_for(call.hangup.wait(), timeout=max(0.0, emulated_s) / self.speed)
            return True
        except TimeoutError:
            return False

    # -- status changes and callbacks -----------------------------------------------------
    def start(self, call: CallRecord) -> None:
        self.log("created", call)
        call.task = self._spawn(self._run_to_the_end(call))

    async def _run_to_the_end(self, call: CallRecord) -> None:
        """The call's life; a fault of the emulator's own is logged and fails the call, rather
        than leaving it live for ever (Twilio ends every call, at the latest at its time limit)."""
        try:
            await self._run(call)
        except Exception:
            log.exception("emulator: call %s broke off", call.sid)
            if call.is_live:
                call.errors.append(EMULATOR_FAULT)
                self._finish(call, "failed")

    def _set_status(self, call: CallRecord, status: str) -> None:
        call.status = status
        call.date_updated = utcnow()
        self.log("status", call)

    def _callback(self, call: CallRecord, event: str, extra: dict[str, str] | None = None) -> None:
        if not call.status_callback or event not in call.status_callback_events:
            return
        status = EVENT_STATUS.get(event, call.status)
        params = {
            "CallSid": call.sid,
            "AccountSid": call.account_sid,
            "From": call.from_,
            "To": call.to,
            "Caller": call.from_,
            "Called": call.to,
            "CallStatus": status,
            "ApiVersion": "2010-04-01",
            "Direction": "outbound-api",
            "ForwardedFrom": "",
            "CallerName": "",
            "ParentCallSid": "",
            "Timestamp": format_datetime(utcnow()),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(call.sequence),
        }
        if event == "completed" and call.machine_detection and call.answered_by:
            params["AnsweredBy"] = call.answered_by  # while live, only the AMD callback has it
        params.update(extra or {})
        call.sequence += 1  # a dropped callback still uses its number, as a lost one would
        if self.faults.drop_callback():
            return
        self._spawn(self._post_callback(call.status_callback, call.status_callback_method, params))

    def _side_callback(self, url: str | None, params: dict[str, str], method: str = "POST") -> None:
        """Recording-status and async-AMD callbacks: POSTed and signed like status callbacks."""
        if url and not self.faults.drop_callback():
            self._spawn(self._post_callback(url, method, params))

    def post_webhook(self, url: str, method: str, params: dict[str, str]) -> None:
        """A request whose answer nobody reads (an action URL after the call ended)."""
        self._spawn(self._post_callback(url, method, params))

    def call_params(self, call: CallRecord, status: str) -> dict[str, str]:
        """Twilio's standard request parameters of a voice webhook."""
        params = {
            "CallSid": call.sid,
            "AccountSid": call.account_sid,
            "From": call.from_,
            "To": call.to,
            "Caller": call.from_,
            "Called": call.to,
            "CallStatus": status,
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
        }
        if call.answered_by:
            params["AnsweredBy"] = call.answered_by
        return params

    async def request_twiml(
        self, url: str, method: str, params: dict[str, str]
    ) -> list[twiml.Step]:
        """Ask the application what to do next; Twilio's error message when it fails."""
        headers = {"User-Agent": "TwilioProxy/1.1"}
        try:
            if method.upper() == "GET":
                full = url + ("&" if "?" in url else "?") + urlencode(params)
                headers["X-Twilio-Signature"] = twilio_signature(self.account.auth_token, full, [])
                request = self.session().get(full, headers=headers)
            else:
                sig = twilio_signature(self.account.auth_token, url, params.items())
                headers["X-Twilio-Signature"] = sig
                request = self.session().post(url, data=params, headers=headers)
            async with request as resp:
                body = await resp.text()
                if resp.status >= 400:
                    return twiml.APPLICATION_ERROR
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError):
            return twiml.APPLICATION_ERROR
        return twiml.parse(body) or twiml.APPLICATION_ERROR

    def recording_callback(self, call: CallRecord, rec: RecordingRecord, status: str) -> None:
        """RecordingStatusCallback, to the URL of whoever started the recording."""
        url = rec.status_callback if rec.source != "OutboundAPI" else call.recording_status_callback
        if status not in rec.status_callback_events:
            return
        params = {
            "AccountSid": call.account_sid,
            "CallSid": call.sid,
            "RecordingSid": rec.sid,
            "RecordingUrl": self.recording_url(rec),
            "RecordingStatus": status,
            "RecordingDuration": str(rec.duration_s if rec.duration_s is not None else 0),
            "RecordingChannels": str(rec.channels),
            "RecordingSource": rec.source,
            "RecordingStartTime": format_datetime(rec.start_time),
            "ErrorCode": "0",
        }
        self._side_callback(url, params, rec.status_callback_method)

    def recording_url(self, rec: RecordingRecord) -> str:
        return f"{self.base_url}/2010-04-01/Accounts/{rec.account_sid}/Recordings/{rec.sid}"

    async def _post_callback(self, url: str, method: str, params: dict[str, str]) -> None:
        method = method.upper()
        try:
            if method == "GET":
                full = url + ("&" if "?" in url else "?") + urlencode(params)
                sig = twilio_signature(self.account.auth_token, full, [])
                async with self.session().get(full, headers={"X-Twilio-Signature": sig}) as r:
                    await r.read()
            else:
                sig = twilio_signature(self.account.auth_token, url, params.items())
                headers = {"X-Twilio-Signature": sig, "User-Agent": "TwilioProxy/1.1"}
                async with self.session().post(url, data=params, headers=headers) as r:
                    await r.read()
        except (aiohttp.ClientError, TimeoutError, OSError):
            pass  # Twilio logs a 11200 debugger warning; the call itself is unaffected

    # -- the call itself ------------------------------------------------------------------
    async def _fetch_twiml(self, call: CallRecord) -> list[twiml.Step]:
        if call.twiml is not None:
            return twiml.parse(call.twiml) or twiml.APPLICATION_ERROR
        return await self.request_twiml(
            call.url or "", "POST", self.call_params(call, "in-progress")
        )

    def _queue_wait(self) -> float:
        """Emulated seconds this call waits for a dialling slot (Twilio's per-account CPS)."""
        if self.cps <= 0:
            return 0.0
        now = asyncio.get_running_loop().time() * self.speed
        slot = max(self._next_dial, now)
        self._next_dial = slot + 1.0 / self.cps
        return slot - now

    async def _run(self, call: CallRecord) -> None:
        wait = self._queue_wait()
        call.queue_time_ms = int(wait * 1000)
        if await self.sleep(call, wait):
            return self._finish(call, "canceled")
        self._callback(call, "initiated")
        if await self.sleep(call, DIAL_DELAY_S):
            return self._finish(call, "canceled")
        outcome = call.outcome
        if outcome.kind == "failed":  # a routing failure never rings
            if await self.sleep(call, outcome.ring_s):
                return self._finish(call, "canceled")
            # After the 201 Twilio tells why only in the call's Notifications.
            call.errors.append(ROUTING_FAILURE)
            return self._finish(call, "failed")
        call.start_time = utcnow()
        self._set_status(call, "ringing")
        self._callback(call, "ringing")
        if outcome.kind == "no-answer" or (outcome.answers and outcome.ring_s >= call.timeout_s):
            wait, final = call.timeout_s, "no-answer"
        elif not outcome.answers:
            wait, final = outcome.ring_s, outcome.kind
        else:
            wait, final = outcome.ring_s, ""
        if await self.sleep(call, wait):
            return self._finish(call, "canceled")
        if final:
            return self._finish(call, final)
        await self._answer(call)

    def _verdict(self, call: CallRecord) -> tuple[str | None, float]:
        """AMD's verdict and how many call seconds it takes (None: no AMD)."""
        if not call.machine_detection:
            return None, 0.0  # Twilio leaves answered_by empty without AMD
        persona = call.outcome.persona
        if not persona.machine:
            return "human", AMD_HUMAN_S
        if call.machine_detection != "DetectMessageEnd":
            return "machine_start", AMD_MACHINE_START_S
        return "machine_end_beep", greeting_length(persona) + BEEP_S

    async def _detect(self, call: CallRecord, verdict: str, after_s: float) -> None:
        """Async AMD: the verdict comes while the TwiML already runs, to the AMD callback."""
        if await self.sleep(call, after_s) or not call.is_live:
            return
        call.answered_by = verdict
        self._side_callback(
            call.async_amd_status_callback,
            {
                "CallSid": call.sid,
                "AccountSid": call.account_sid,
                "AnsweredBy": verdict,
                "MachineDetectionDuration": str(round(after_s * 1000)),
            },
        )

    async def _answer(self, call: CallRecord) -> None:
        verdict, detect_s = self._verdict(call)
        self._set_status(call, "in-progress")
        self._callback(call, "answered")
        runner = TwimlRunner(self, call)
        if verdict is not None and call.async_amd:
            self._spawn(self._detect(call, verdict, detect_s))
        elif verdict is not None:
            # Synchronous AMD: the TwiML starts once the verdict is in (after the beep).
            call.answered_by = verdict
            runner.cursor.waits_for_beep = True
        steps = await self._fetch_twiml(call)
        if call.record and not any(step.kind == "relay" for step in steps):
            # With ConversationRelay Twilio ignores Record=true: <Start><Recording> records.
            rec = RecordingRecord(
                new_sid("RE"), call.account_sid, call.sid, channels=call.recording_channels
            )
            self.account.recordings[rec.sid] = rec
            call.recording_sid = rec.sid
        conv = await runner.run(steps)
        while True:
            call.conversation = conv
            length = min(conv.duration, call.time_limit_s)
            ended = await self._live_through(call, length - runner.clock.now())
            if ended != "redirect":
                break
            conv = await runner.redirected(call.take_redirect() or [])
        hung_up = ended == "hangup"
        talked = min(length, runner.clock.now()) if hung_up else length
        call.conversation = conv.until(talked)
        call.duration_s = max(1, math.ceil(talked))
        self._finish(call, "completed")

    async def _live_through(self, call: CallRecord, emulated_s: float) -> str:
        """Wait out the laid-out call: "hangup", "redirect" (new TwiML came) or ""."""
        if call.redirect is not None:
            return "redirect"
        waits = {asyncio.ensure_future(e.wait()) for e in (call.hangup, call.redirected)}
        try:
            timeout = max(0.0, emulated_s) / self.speed
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
        if call.hangup.is_set():
            return "hangup"
        return "redirect" if call.redirect is not None else ""

    def _finish(self, call: CallRecord, status: str) -> None:
        call.end_time = utcnow()
        if call.machine_detection and call.answered_by is None and status == "completed":
            call.answered_by = "unknown"  # ended before AMD could decide
        if call.duration_s is None:
            call.duration_s = 0
        extra = {
            "CallDuration": str(call.duration_s),
            "Duration": str(math.ceil(call.duration_s / 60)),
            "SipResponseCode": SIP_CODES.get(status, "200"),
        }
        rec = self.account.recordings.get(call.recording_sid or "")
        if rec is not None:
            rec.status = "processing"  # post-processing first, like Twilio's
            rec.date_updated = utcnow()
            rec.duration_s = max(0, math.ceil(call.duration_s - rec.offset_s))
            extra.update(
                RecordingUrl=self.recording_url(rec),
                RecordingSid=rec.sid,
                RecordingDuration=str(rec.duration_s),
            )
        self._set_status(call, status)
        self._callback(call, "completed", extra)
        if rec is not None:
            self._spawn(self._process_recording(call, rec))

    async def _process_recording(self, call: CallRecord, rec: RecordingRecord) -> None:
        """A recording is "processing" for a while (recording-delay) before it is completed."""
        await asyncio.sleep(self.faults.recording_delay_s / self.speed)
        rec.status, rec.date_updated = "completed", utcnow()
        self.recording_callback(call, rec, "completed")
