"""Calls: create (with Twilio's validation and magic numbers), fetch, update, list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import phonenumbers
from aiohttp import web

from app.telephony.emulator import numbers, resources, twiml
from app.telephony.emulator.api_base import ApiBase
from app.telephony.emulator.paging import v2010_page
from app.telephony.emulator.state import CallRecord, new_sid, utcnow
from app.telephony.emulator.twilio_errors import TwilioError, not_found

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
AMD_WITHOUT_CALLBACK = (
    "Async AMD was requested but no AMD status callback URL was provided. AMD results will "
    "still be available in the /Calls resource once the call is complete."
)
GEO_BLOCKED_MAGIC = "+15005550003"  # the magic number and --geo-block answer the same 21215


def _country_of(number: str) -> str | None:
    """The ISO country of a number's calling code (+1: US), as geo permissions see it."""
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_country_code(parsed.country_code)


def _parse_when(text: str) -> datetime:
    """A StartTime filter value: a date, or a date and time as the SDK sends it."""
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise TwilioError(400, 20001, f"Invalid date: {text}")


def _started(call: CallRecord, date_only: bool):
    """The time StartTime filters compare: start_time, or date_created while still queued."""
    when = call.start_time or call.date_created
    if date_only:
        return when.replace(hour=0, minute=0, second=0, microsecond=0)
    return when.replace(microsecond=0)


class CallsApi(ApiBase):
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
        if self.scenario.account_status != "active":
            # Twilio's 10001; the HTTP status of the refusal is not documented (unverified).
            raise TwilioError(401, 10001, "Account is not active")
        if to in MAGIC_TO:
            code, message = MAGIC_TO[to]
            raise TwilioError(400, code, message.format(n=to))
        if _country_of(to) in self.geo_blocked:
            code, message = MAGIC_TO[GEO_BLOCKED_MAGIC]
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
        if self.trial and to not in self.account.verified_ids():
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
        async_amd = form.get("AsyncAmd", "false")
        if async_amd not in ("true", "false"):
            # The SDK passes AsyncAmd through unserialised: a Python True arrives as "True".
            raise TwilioError(400, 20001, f"AsyncAmd must be 'true' or 'false', got {async_amd!r}")
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
            recording_channels=2 if form.get("RecordingChannels", "mono") == "dual" else 1,
            machine_detection=amd,
            status_callback=form.get("StatusCallback") or None,
            status_callback_method=form.get("StatusCallbackMethod", "POST"),
            status_callback_events=events or ("completed",),
            recording_status_callback=form.get("RecordingStatusCallback") or None,
            async_amd=bool(amd) and async_amd == "true",
            async_amd_status_callback=(
                form.get("AsyncAmdStatusCallback") if async_amd == "true" else None
            ),
            timeout_s=timeout,
            time_limit_s=time_limit,
        )
        if call.async_amd and not call.async_amd_status_callback:
            # Twilio's debugger warning; the verdict is then only on the ended Call.
            call.errors.append((21262, AMD_WITHOUT_CALLBACK))
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
        if status is None and (form.get("Twiml") or form.get("Url")):
            await self._redirect(call, form)
            return web.json_response(resources.call_json(call))
        if status == "completed" or (status == "canceled" and call.status != "in-progress"):
            # canceled only affects queued/ringing calls; completed hangs up anything live.
            call.hangup.set()
            if call.task is not None:
                await asyncio.wait({call.task}, timeout=5)
        return web.json_response(resources.call_json(call))

    async def _redirect(self, call: CallRecord, form) -> None:
        """New TwiML for a live call: what runs now stops, and the new TwiML runs at once."""
        if call.status != "in-progress":
            raise TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.")
        if len(form.get("Twiml", "")) > MAX_TWIML_CHARS:
            raise TwilioError(400, 20001, "Twiml must be 4000 characters or fewer.")
        if form.get("Twiml"):
            steps = twiml.parse(form["Twiml"]) or twiml.APPLICATION_ERROR
        else:
            params = self.engine.call_params(call, "in-progress")
            steps = await self.engine.request_twiml(form["Url"], form.get("Method", "POST"), params)
        call.redirect = steps
        call.redirected.set()

    async def list_call_notifications(self, request: web.Request) -> web.Response:
        """What Twilio's debugger logged for the call: a failure after the create has its
        code only here (the Call resource has no error field)."""
        call = self._call(request)
        entries = list(enumerate(call.errors))
        return web.json_response(
            v2010_page(
                request.query,
                list(reversed(entries)),  # newest first
                "notifications",
                request.path,
                lambda e: resources.call_notification_json(call, e[0], *e[1]),
            )
        )

    async def list_calls(self, request: web.Request) -> web.Response:
        q = request.query
        calls = list(reversed(list(self.account.calls.values())))  # newest first, like Twilio
        # The list lags new calls (list-delay): a create is not proof it is listed yet.
        listed_by = utcnow() - timedelta(seconds=self.faults.list_delay_s / self.speed)
        calls = [c for c in calls if c.date_created <= listed_by]
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
