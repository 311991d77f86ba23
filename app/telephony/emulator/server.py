"""The aiohttp application: Twilio's REST paths, Basic auth, errors and fault injection."""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from collections.abc import Callable
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

from app.telephony.emulator import numbers, resources
from app.telephony.emulator.calls_api import CallsApi
from app.telephony.emulator.faults import FaultPlan
from app.telephony.emulator.intelligence_api import IntelligenceApi
from app.telephony.emulator.keys_api import KeysApi
from app.telephony.emulator.lifecycle import CallEngine
from app.telephony.emulator.numbers_api import NumbersApi
from app.telephony.emulator.outcomes import Scenario
from app.telephony.emulator.paging import BadPaging
from app.telephony.emulator.recordings_api import RecordingsApi
from app.telephony.emulator.state import Account, utcnow
from app.telephony.emulator.twilio_errors import TwilioError, error_response, not_found

ACC = "/2010-04-01/Accounts/{account}"


class EmulatorApp(CallsApi, RecordingsApi, NumbersApi, KeysApi, IntelligenceApi):
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
        numbers_file: Path | None = None,
        trial: bool = False,
        geo_blocked: frozenset[str] = frozenset(),
    ) -> None:
        self.account = account
        self.numbers_file = numbers_file  # the account's numbers, kept between runs
        # A trial account calls only verified numbers (21219); geo permissions off for these
        # ISO countries refuse calls to them (21215).
        self.trial = trial or scenario.trial
        self.geo_blocked = geo_blocked
        self.speed = speed
        self.faults = faults
        self.scenario = scenario
        self.media_dir = media_dir
        self.base_url = ""  # set once the socket is bound
        self.engine = CallEngine(
            account,
            speed=speed,
            faults=faults,
            call_log=call_log,
            base_url="",
            cps=cps,
            scenario=scenario,
        )
        self._media_locks: dict[str, asyncio.Lock] = {}
        self.media_renders = 0  # how many recordings were actually rendered (lazy check)
        # Requests served, by method and route ("GET .../Calls/{sid}.json"): what polling costs.
        self.requests: Counter[str] = Counter()
        self.app = web.Application(middlewares=[self._date, self._errors, self._auth, self._faults])
        self._routes()

    def set_base_url(self, base_url: str) -> None:
        self.base_url = base_url
        self.engine.base_url = base_url

    # -- middlewares ---------------------------------------------------------------------
    @web.middleware
    async def _date(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        """Twilio's clock in the Date header (the emulator's, skewed by --clock-skew)."""
        route = request.match_info.route.resource
        self.requests[f"{request.method} {route.canonical if route else request.path}"] += 1
        resp = await handler(request)
        resp.headers["Date"] = format_datetime(utcnow(), usegmt=True)
        return resp

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
                ok = self._credentials_valid(user, password)
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

    def _credentials_valid(self, user: str, password: str) -> bool:
        """The Account SID and Auth Token, or an API key's SID and secret."""
        if user == self.account.sid:
            return password == self.account.auth_token
        key = self.account.api_keys.get(user)
        return key is not None and password == key.secret

    @web.middleware
    async def _faults(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if self.faults.latency_s:
            await asyncio.sleep(self.faults.latency_s)
        status = self.faults.http_fault()
        if status == 429:
            return error_response(429, 20429, "Too Many Requests")
        if status == 500:
            return error_response(500, 20500, "Internal Server Error")
        return await handler(request)

    # -- routes --------------------------------------------------------------------------
    def _routes(self) -> None:
        r = self.app.router
        r.add_get(ACC + ".json", self.fetch_account)
        r.add_post(f"{ACC}/Calls.json", self.create_call)
        r.add_get(f"{ACC}/Calls.json", self.list_calls)
        r.add_get(ACC + "/Calls/{sid}.json", self.fetch_call)
        r.add_post(ACC + "/Calls/{sid}.json", self.update_call)
        r.add_get(ACC + "/Calls/{sid}/Notifications.json", self.list_call_notifications)
        r.add_get(ACC + "/Calls/{sid}/Recordings.json", self.list_call_recordings)
        r.add_get(ACC + "/Calls/{sid}/Recordings/{rec}.json", self.fetch_call_recording)
        r.add_get(f"{ACC}/Recordings.json", self.list_recordings)
        r.add_get(ACC + "/Recordings/{name}", self.recording_or_media)
        r.add_get(f"{ACC}/IncomingPhoneNumbers.json", self.list_incoming)
        r.add_post(f"{ACC}/IncomingPhoneNumbers.json", self.buy_number)
        r.add_get(f"{ACC}/OutgoingCallerIds.json", self.list_caller_ids)
        r.add_post(f"{ACC}/OutgoingCallerIds.json", self.validation_request)
        r.add_delete(ACC + "/IncomingPhoneNumbers/{sid}.json", self.release_number)
        r.add_delete(ACC + "/OutgoingCallerIds/{sid}.json", self.remove_caller_id)
        r.add_post(f"{ACC}/Keys.json", self.create_key)
        r.add_get(f"{ACC}/Keys.json", self.list_keys)
        r.add_delete(ACC + "/Keys/{sid}.json", self.delete_key)
        types = "|".join(numbers.NUMBER_TYPES)
        r.add_get(ACC + "/AvailablePhoneNumbers/{cc}/{type:" + types + "}.json", self.available)
        r.add_post("/v2/Services", self.create_service)
        r.add_get("/v2/Services", self.list_services)
        r.add_get("/v2/Services/{sid}", self.fetch_service)
        r.add_post("/v2/Transcripts", self.create_transcript)
        r.add_get("/v2/Transcripts", self.list_transcripts)
        r.add_get("/v2/Transcripts/{sid}", self.fetch_transcript)
        r.add_get("/v2/Transcripts/{sid}/Sentences", self.list_sentences)

    async def fetch_account(self, request: web.Request) -> web.Response:
        return web.json_response(
            resources.account_json(
                self.account, trial=self.scenario.trial, status=self.scenario.account_status
            )
        )
        return web.json_response(resources.account_json(self.account, trial=self.trial))
