"""Twilio's status, recording and async-AMD callbacks, served on the relay's aiohttp server.

Each request is checked like every Twilio request: `X-Twilio-Signature` over the URL as
configured (the public address, never the Host header a tunnel rewrites) and the real
multi-dict of form parameters (a repeated name signs every value). Status callbacks are
released in SequenceNumber order; duplicates, replays and stale ones are dropped here, and
whatever gets through goes to the *sink* (the dialer), which applies it through the same
writes its polls use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

from aiohttp import web
from multidict import MultiDictProxy

from app.telephony.base import TWILIO_TO_CONTACT_STATUS, CallInfo
from app.telephony.callbacks import StatusCallbackOrderer, is_valid_signature
from app.telephony.sdk_mapping import as_int
from app.telephony.twilio_provider import RecentSet

log = logging.getLogger(__name__)

STATUS_PATH = "/twilio/status"
RECORDING_PATH = "/twilio/recording"
AMD_PATH = "/twilio/amd"
SEEN_KEPT = 20_000  # recording/AMD callbacks remembered, so a replay changes nothing


@dataclass(frozen=True)
class CallbackUrls:
    """What each create sends (StatusCallback, RecordingStatusCallback, AsyncAmdStatusCallback)."""

    status: str
    recording: str
    amd: str


class CallbackSink(Protocol):
    def call_status(self, info: CallInfo) -> None: ...
    def recording_status(self, call_sid: str, recording_sid: str, status: str) -> None: ...
    def answered_by(self, call_sid: str, answered_by: str) -> None: ...


def callback_call_info(params: dict[str, str]) -> CallInfo:
    """A status callback's parameters as the CallInfo a poll would have given."""
    status = params.get("CallStatus", "")
    end_time = None
    if status in ("completed", "busy", "no-answer", "canceled", "failed"):
        try:
            end_time = parsedate_to_datetime(params.get("Timestamp", ""))
        except (TypeError, ValueError):
            end_time = None
    error = as_int(params.get("ErrorCode"))
    return CallInfo(
        sid=params.get("CallSid", ""),
        to=params.get("To", ""),
        from_=params.get("From", ""),
        provider_status=status,
        status=TWILIO_TO_CONTACT_STATUS.get(status, "calling"),
        end_time=end_time,
        duration_s=as_int(params.get("CallDuration")),
        answered_by=params.get("AnsweredBy") or None,
        error_code=error or None,
        error_message=params.get("ErrorMessage") or None,
    )


class CallbackRoutes:
    """The three routes; *http_base* gives the address Twilio posts to (it may change when
    the public address is set after start)."""

    def __init__(self, auth_token: str, http_base: Callable[[], str]) -> None:
        self._auth_token = auth_token
        self._http_base = http_base
        self.sink: CallbackSink | None = None  # the dialer, once built
        self._orderer = StatusCallbackOrderer()
        self._seen = RecentSet(SEEN_KEPT)
        self.received = 0  # callbacks accepted (signed), for the status line and tests

    def add_to(self, app: web.Application) -> None:
        app.router.add_post(STATUS_PATH, self._status)
        app.router.add_post(RECORDING_PATH, self._recording)
        app.router.add_post(AMD_PATH, self._amd)

    def urls(self) -> CallbackUrls:
        base = self._http_base()
        return CallbackUrls(f"{base}{STATUS_PATH}", f"{base}{RECORDING_PATH}", f"{base}{AMD_PATH}")

    async def _signed_form(self, request: web.Request) -> MultiDictProxy:
        params = await request.post()  # a multi-dict: the validator reads every value
        url = f"{self._http_base()}{request.path_qs}"
        signature = request.headers.get("X-Twilio-Signature")
        if not is_valid_signature(self._auth_token, url, params, signature):
            log.warning("callback %s: refused, no valid Twilio signature", request.path)
            raise web.HTTPForbidden(text="signature")
        self.received += 1
        return params

    async def _status(self, request: web.Request) -> web.Response:
        params = await self._signed_form(request)
        for event in self._orderer.push({k: str(v) for k, v in params.items()}):
            if self.sink is not None:
                self.sink.call_status(callback_call_info(event))
        return web.Response(status=204)

    async def _recording(self, request: web.Request) -> web.Response:
        params = await self._signed_form(request)
        call_sid, rec_sid = params.get("CallSid", ""), params.get("RecordingSid", "")
        status = params.get("RecordingStatus", "")
        if self._first_time(f"{rec_sid}:{status}") and self.sink is not None:
            self.sink.recording_status(call_sid, rec_sid, status)
        return web.Response(status=204)

    async def _amd(self, request: web.Request) -> web.Response:
        params = await self._signed_form(request)
        call_sid, verdict = params.get("CallSid", ""), params.get("AnsweredBy", "")
        if verdict and self._first_time(f"{call_sid}:amd") and self.sink is not None:
            self.sink.answered_by(call_sid, verdict)
        return web.Response(status=204)

    def _first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen.add(key)
        return True
