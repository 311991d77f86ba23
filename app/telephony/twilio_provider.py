"""The Provider on the official twilio SDK.

The SDK is synchronous (its async client ignores timeouts, twilio-python #925), so every call
runs in one of the provider's worker threads and the event loop, possibly the GUI's, never
blocks. Each worker thread gets its own Client and HTTP session: requests' pool is not
thread-safe to share.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import random
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from app.domain.polling import MIN_POLL_THREADS, poll_threads_for
from app.telephony.account import AccountInfo, account_info_from
from app.telephony.base import (
    AvailableNumber,
    CallInfo,
    CallRequest,
    OwnedNumber,
    RecordingInfo,
    TranscriptSentence,
)
from app.telephony.errors import (
    AmbiguousCreate,
    CallAlreadyEnded,
    ConnectionFailed,
    NeverReached,
    NotPlaced,
    ProviderError,
    ServerError,
    from_twilio,
    is_unreachable,
)
from app.telephony.private_files import private_dir, write_private
from app.telephony.recording_media import credentials_allowed, media_url, recording_file_name
from app.telephony.retry import Backoff
from app.telephony.sdk_mapping import call_info, failure_reason, owned_number, recording_info
from app.telephony.transcription import DEFAULT_LANGUAGE, Transcriber
from app.telephony.transport import may_have_reached_twilio
from app.telephony.twilio_clock import ClockWatchingHttpClient, Reachability, TwilioClock

log = logging.getLogger(__name__)
# The SDK logs every request's method, URL and headers at INFO: at the app's INFO level that
# would bury our own log lines (seven lines a status poll). Its warnings still come through.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

KNOWN_SIDS_KEPT = 10_000
CREATE_WORKERS = 2


class RecentSet:
    """A set that forgets its oldest members past *size* (bounded memory for long runs)."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def add(self, item: str) -> None:
        self._items[item] = None
        self._items.move_to_end(item)
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __len__(self) -> int:
        return len(self._items)


CALLBACK_EVENTS = ["initiated", "ringing", "answered", "completed"]
# Looking at once for the call a lost create made: Twilio's time of our create, less this
# (the Date header's whole seconds and the estimate's error). Wider searches are the
# dialer's, which also knows every sid already stored (app/dialer/search.py).
ADOPT_MARGIN = timedelta(seconds=5)


class TwilioProvider:
    """``Provider`` on twilio.rest.Client; ``base_url`` points it at the local emulator."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout_s: float = 10.0,
        poll_interval_s: float = 2.0,
        max_retries: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        transcript_timeout_s: float = 600.0,
        max_workers: int = MIN_POLL_THREADS,
    ) -> None:
        self.account_sid = account_sid
        self._auth_token = auth_token  # or, with *api_key* (SK…), that key's secret
        self._username = api_key or account_sid
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout_s = timeout_s
        self.poll_interval_s = poll_interval_s
        self.max_retries = max_retries
        self._sleep = sleep
        self.backoff = Backoff(sleep=sleep, rand=rand)
        # Our own pool, so slow Twilio requests never starve the loop's default executor.
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="twilio")
        self._poll_threads = max_workers
        # And creates apart from it, so they never queue behind the polls of live calls (one
        # pool saturates at a few dozen of them). The dialer sends one create at a time.
        self._create_executor = ThreadPoolExecutor(
            max_workers=CREATE_WORKERS, thread_name_prefix="twilio-create"
        )
        self._local = threading.local()
        self._http_clients: list[TwilioHttpClient] = []
        self.twilio_clock = TwilioClock()  # from every response's Date header
        self.reachability = Reachability()  # from every request's fate
        self._lock = threading.Lock()
        # Calls we created, never to be "adopted" twice. An adoption only looks at calls made
        # since its own create began, so the most recent few thousand are all it can meet.
        self._known_sids = RecentSet(KNOWN_SIDS_KEPT)
        self._transcriber = Transcriber(
            self._read,
            self._once,
            sleep,
            poll_interval_s=poll_interval_s,
            timeout_s=transcript_timeout_s,
        )

    # -- plumbing -------------------------------------------------------------------------
    def _client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            http = ClockWatchingHttpClient(
                self.twilio_clock,
                self.base_url,
                reachability=self.reachability,
                timeout=self.timeout_s,
            )
            with self._lock:
                self._http_clients.append(http)
            client = Client(
                self._username, self._auth_token, account_sid=self.account_sid, http_client=http
            )
            self._local.client = client
        return client

    async def _run(self, fn: Callable[[Client], Any], *, create: bool = False) -> Any:
        loop = asyncio.get_running_loop()
        pool = self._create_executor if create else self._executor
        return await loop.run_in_executor(pool, lambda: fn(self._client()))

    async def _once(self, fn: Callable[[Client], Any]) -> Any:
        """A request that must not be repeated blindly: sent once, its failure typed."""
        try:
            return await self._run(fn)
        except Exception as exc:  # every failure becomes a typed error
            raise from_twilio(exc) from exc

    async def _read(self, fn: Callable[[Client], Any], *, number: str | None = None) -> Any:
        """A request that is safe to repeat: retried on 429, 5xx and lost connections."""
        for attempt in range(self.max_retries + 1):
            try:
                return await self._run(fn)
            except Exception as exc:  # every failure becomes a typed error
                err = from_twilio(exc, number=number)
                if not err.retryable or attempt >= self.max_retries:
                    raise err from exc
                await self.backoff.wait(attempt)
        raise AssertionError("unreachable")

    def size_for(self, live_calls: int) -> None:
        """Grow the polling pool so *live_calls* calls polled at once never queue
        (app.domain.polling); it never shrinks while running."""
        wanted = poll_threads_for(live_calls)
        if wanted <= self._poll_threads:
            return
        old, self._poll_threads = self._executor, wanted
        self._executor = ThreadPoolExecutor(max_workers=wanted, thread_name_prefix="twilio")
        old.shutdown(wait=False)  # what it already holds still runs, then its threads end
        log.info("status polls now on %d threads (for %d live calls)", wanted, live_calls)

    def watch_reachability(self, listener: Callable[[bool], None] | None) -> None:
        """Call *listener(reachable)*, from a worker thread, whenever Twilio stops or starts
        answering (any HTTP answer counts; refused, DNS failure and time-outs do not)."""
        self.reachability.listener = listener

    async def ping(self) -> None:
        """One cheap request (the account), sent once: raises unless Twilio answers it."""
        await self._once(lambda c: c.api.v2010.accounts(self.account_sid).fetch())

    async def verify_credentials(self) -> str:
        """The account's friendly name; raises AuthenticationFailed for a wrong SID/token."""
        return (await self.account_info()).friendly_name

    async def account_info(self) -> AccountInfo:
        """The account's name, status and type (trial or full)."""
        account = await self._read(lambda c: c.api.v2010.accounts(self.account_sid).fetch())
        return account_info_from(account)

    # -- calls ----------------------------------------------------------------------------
    def _create_params(self, request: CallRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "to": request.to,
            "from_": request.from_,
            "record": request.record,
            "timeout": request.timeout_s,
        }
        if request.record:  # both sides apart, so the transcript knows who said what
            params["recording_channels"] = "dual"
        if request.twiml is not None:
            params["twiml"] = request.twiml
        elif request.url is not None:
            params["url"] = request.url
        else:
            raise ValueError("CallRequest needs twiml or url")
        if request.machine_detection:
            params["machine_detection"] = request.machine_detection
            params["async_amd"] = "true"  # the SDK would send a bool as "True"
            if request.amd_status_callback and self._callback_allowed(request.amd_status_callback):
                params["async_amd_status_callback"] = request.amd_status_callback
                params["async_amd_status_callback_method"] = "POST"
        if request.status_callback and self._callback_allowed(request.status_callback):
            params["status_callback"] = request.status_callback
            params["status_callback_event"] = list(CALLBACK_EVENTS)  # repeated field: a list
            params["status_callback_method"] = "POST"
        recording_cb = request.recording_status_callback
        if request.record and recording_cb and self._callback_allowed(recording_cb):
            params["recording_status_callback"] = recording_cb
            params["recording_status_callback_event"] = ["completed", "absent"]
            params["recording_status_callback_method"] = "POST"
        if request.time_limit_s:
            params["time_limit"] = request.time_limit_s
        return params

    def _callback_allowed(self, url: str) -> bool:
        """Real Twilio refuses a loopback StatusCallback (21609) and would refuse the whole
        call, so it is left out there: polling still tracks the call. The emulator takes it."""
        if self.base_url:
            return True
        host = (urlsplit(url).hostname or "").lower()
        if host == "localhost" or host.endswith(".localhost"):
            log.warning("not sending loopback status callback %s to Twilio", url)
            return False
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            return True
        if loopback:
            log.warning("not sending loopback status callback %s to Twilio", url)
        return not loopback

    async def place_call(self, request: CallRequest) -> CallInfo:
        """Create the call once. A create lost in flight is looked for, never blindly redialled."""
        params = self._create_params(request)
        started = datetime.now(UTC)
        for attempt in range(self.max_retries + 1):
            try:
                inst = await self._run(lambda c: c.calls.create(**params), create=True)
            except Exception as exc:  # every failure becomes a typed error
                err = from_twilio(exc, number=request.to)
                never_reached = isinstance(err, ConnectionFailed) and not may_have_reached_twilio(
                    exc
                )
                if never_reached:
                    pass  # never reached Twilio: plain retry is safe
                elif isinstance(err, ConnectionFailed):
                    adopted = await self._adopt(request, started, exc)
                    if adopted is not None:
                        return adopted
                    raise AmbiguousCreate(
                        f"The call to {request.to} may or may not have been placed (the "
                        "connection to Twilio was lost). CallDeck will check before dialling "
                        "again.",
                        detail=f"{type(exc).__name__}: {exc}",
                        lost_connection=True,
                    ) from exc
                elif isinstance(err, ServerError):
                    # Twilio failed mid-request and may have placed the call anyway. Its call
                    # list can lag behind a create, so one empty search proves nothing: never
                    # retry here; the dialer settles it with searches spread over time.
                    adopted = await self._adopt(request, started, exc)
                    if adopted is not None:
                        return adopted
                    raise AmbiguousCreate(
                        f"Twilio answered the call to {request.to} with a server error "
                        f"({err.status}); the call may or may not have been placed. CallDeck "
                        "will check before dialling again.",
                        detail=f"{type(exc).__name__}: {exc}",
                    ) from exc
                unreached = NeverReached(
                    f"The call to {request.to} was not placed: CallDeck could not reach Twilio.",
                    detail=f"{type(exc).__name__}: {exc}",
                )
                if never_reached and attempt >= self.max_retries:
                    raise unreached from exc
                if not err.retryable or attempt >= self.max_retries:
                    raise err from exc
                await self.backoff.wait(attempt)
                if request.may_proceed is not None and not request.may_proceed():
                    if never_reached:  # offline, or stopped: either way nothing reached Twilio
                        raise unreached from exc
                    raise NotPlaced(
                        f"The call to {request.to} was not placed: dialling stopped while "
                        "Twilio asked us to wait.",
                        detail=f"{type(exc).__name__}: {exc}",
                    ) from exc
                continue
            self._known_sids.add(inst.sid)
            return call_info(inst)
        raise AssertionError("unreachable")

    async def _adopt(
        self, request: CallRequest, started: datetime, cause: BaseException
    ) -> CallInfo | None:
        try:
            found = await self.find_calls(request.to, request.from_, started - ADOPT_MARGIN)
        except ProviderError as err:
            raise AmbiguousCreate(
                f"The call to {request.to} may or may not have been placed, and Twilio could "
                "not be asked. CallDeck will check before dialling again.",
                detail=f"{type(cause).__name__}: {cause}; search failed: {err}",
                lost_connection=is_unreachable(err) or is_unreachable(from_twilio(cause)),
            ) from err
        fresh = [c for c in found if c.sid not in self._known_sids]
        if not fresh:
            return None
        call = min(fresh, key=lambda c: c.created_at or started)
        self._known_sids.add(call.sid)
        return call

    async def find_calls(self, to: str, from_: str, created_after: datetime) -> list[CallInfo]:
        """*created_after* is by our clock; Twilio's dates are by its own, so it is moved by
        the measured skew (one request first measures it, if none has yet)."""
        if not self.twilio_clock.measured:
            await self.verify_credentials()
        after = self.twilio_clock.to_twilio(created_after).astimezone(UTC).replace(microsecond=0)
        # StartTime> is documented as a date (YYYY-MM-DD), and the day may have just turned
        # on one clock and not the other: ask from the day before, and filter here.
        since_day = (after - timedelta(days=1)).date().isoformat()

        def search(c: Client) -> list[Any]:
            # Queued calls have no start_time yet on Twilio, so ask for them separately.
            started = c.calls.list(to=to, from_=from_, start_time_after=since_day, page_size=50)
            queued = c.calls.list(to=to, from_=from_, status="queued", page_size=50)
            return [*started, *queued]

        found = await self._read(search, number=to)
        by_sid: dict[str, CallInfo] = {}
        for inst in found:
            if inst.date_created is None or inst.date_created >= after:
                by_sid[inst.sid] = call_info(inst)
        return sorted(by_sid.values(), key=lambda c: c.created_at or after)

    async def fetch_call(self, sid: str) -> CallInfo:
        info = call_info(await self._read(lambda c: c.calls(sid).fetch()))
        if info.provider_status == "failed" and info.error_code is None:
            return await self._with_failure_reason(info)
        return info

    async def _with_failure_reason(self, info: CallInfo) -> CallInfo:
        """A call that failed after its create: the reason is only in its Notifications."""
        try:
            notes = await self._read(lambda c: c.calls(info.sid).notifications.list(limit=20))
        except ProviderError as exc:
            log.info("call %s: could not read why it failed (%s)", info.sid, exc)
            return info
        reason = failure_reason(notes)
        if reason is None:
            return info
        code, message = reason
        return dataclasses.replace(info, error_code=code, error_message=message)

    async def hang_up(self, sid: str) -> CallInfo:
        """End a live call. Hanging up a call that already ended is not an error."""
        try:
            inst = await self._read(lambda c: c.calls(sid).update(status="completed"))
        except CallAlreadyEnded:
            return await self.fetch_call(sid)
        return call_info(inst)

    async def redirect(self, sid: str, twiml: str) -> CallInfo:
        """Replace a live call's TwiML: Twilio stops what runs and runs *twiml* at once."""
        return call_info(await self._once(lambda c: c.calls(sid).update(twiml=twiml)))

    async def wait_until_final(self, sid: str, timeout_s: float = 3600.0) -> CallInfo:
        """Poll ``fetch_call`` every ``poll_interval_s`` until the call has a final status."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            info = await self.fetch_call(sid)
            if info.is_final or loop.time() >= deadline:
                return info
            await self._sleep(self.poll_interval_s)

    # -- recordings -----------------------------------------------------------------------
    async def list_recordings(self, call_sid: str) -> list[RecordingInfo]:
        recs = await self._read(lambda c: c.recordings.list(call_sid=call_sid, page_size=50))
        return [recording_info(r) for r in recs]

    def _get_media(self, url: str) -> requests.Response:
        # A plain GET: the SDK's client.request() decodes the body as text and corrupts audio.
        if not credentials_allowed(url, self.base_url):
            raise ProviderError(f"refusing to send the account's credentials to {url}")
        return requests.get(
            url, auth=(self._username, self._auth_token), timeout=self.timeout_s, stream=False
        )

    async def download_recording(self, recording: RecordingInfo, dest_dir: Path) -> Path:
        """Save the recording into *dest_dir* (0700) as a 0600 file; return its path.

        MP3 first: about a tenth of the size of Twilio's 8 kHz 16-bit WAV, which adds up over
        thousands of calls in the local cache, and it plays everywhere. WAV when MP3 is not
        served (the emulator without an encoder) so a recording is never lost to a format.
        """
        recording_file_name(recording.sid, "")  # a hostile sid never reaches the disk
        dest = private_dir(Path(dest_dir))
        base = media_url(recording, self.account_sid, self.base_url)
        last_error: ProviderError | None = None
        for ext in (".mp3", ".wav"):

            def get(_client: Client, url: str = base + ext) -> requests.Response:
                resp = self._get_media(url)
                if resp.status_code == 429 or resp.status_code >= 500:
                    raise from_twilio(_rest_error(resp, url))  # retryable: _read retries it
                return resp

            resp = await self._read(get)
            if resp.status_code == 200:
                name = recording_file_name(recording.sid, ext)
                return await asyncio.get_running_loop().run_in_executor(
                    self._executor, write_private, dest, name, resp.content
                )
            last_error = from_twilio(_rest_error(resp, base + ext))
            if resp.status_code != 404:
                raise last_error
        assert last_error is not None
        raise last_error

    # -- transcripts ----------------------------------------------------------------------
    async def transcribe(
        self, recording: RecordingInfo, language_code: str = DEFAULT_LANGUAGE
    ) -> list[TranscriptSentence]:
        return await self._transcriber.transcribe(recording, language_code)

    # -- numbers --------------------------------------------------------------------------
    async def list_numbers(self) -> list[OwnedNumber]:
        def both(c: Client) -> tuple[list[Any], list[Any]]:
            return c.incoming_phone_numbers.list(page_size=100), c.outgoing_caller_ids.list(
                page_size=100
            )

        owned, verified = await self._read(both)
        result = {n.phone_number: owned_number(n, "owned") for n in owned}
        for n in verified:  # a number both owned and verified is listed once, as owned
            result.setdefault(n.phone_number, owned_number(n, "verified"))
        return list(result.values())

    async def search_numbers(
        self,
        country: str = "US",
        area_code: str | None = None,
        limit: int = 20,
        *,
        contains: str | None = None,
        locality: str | None = None,
        number_type: str = "Local",
    ) -> list[AvailableNumber]:
        """Voice-capable numbers for sale: *number_type* Local, Mobile or TollFree; *contains*
        digits (Twilio also takes letters and * wildcards); *locality* a city (InLocality)."""
        kwargs: dict[str, Any] = {"voice_enabled": True, "limit": limit}
        if area_code:
            if not (area_code.isdigit() and len(area_code) == 3):
                raise ProviderError(f"{area_code!r} is not an area code: enter three digits.")
            kwargs["area_code"] = int(area_code)
        if contains:
            kwargs["contains"] = contains
        if locality:
            kwargs["in_locality"] = locality
        lists = {"Local": "local", "Mobile": "mobile", "TollFree": "toll_free"}
        if number_type not in lists:
            raise ProviderError(f"{number_type!r} is not a number type: Local, Mobile or TollFree.")

        def search(c: Client) -> list[Any]:
            return getattr(c.available_phone_numbers(country.upper()), lists[number_type]).list(
                **kwargs
            )

        found = await self._read(search)
        return [
            AvailableNumber(
                phone_number=n.phone_number,
                friendly_name=n.friendly_name,
                locality=n.locality,
                region=n.region,
                iso_country=n.iso_country,
                capabilities={k: bool(v) for k, v in (n.capabilities or {}).items()},
                number_type=number_type,
            )
            for n in found
        ]

    async def buy_number(self, phone_number: str) -> OwnedNumber:
        # Not retried: a purchase that timed out may have gone through; list_numbers will tell.
        try:
            n = await self._run(
                lambda c: c.incoming_phone_numbers.create(phone_number=phone_number)
            )
        except Exception as exc:  # every failure becomes a typed error
            raise from_twilio(exc, number=phone_number) from exc
        return owned_number(n, "owned")

    async def release_number(self, sid: str) -> None:
        """Give a bought number (PN…) back to Twilio; calls can no longer come from it."""
        try:
            await self._run(lambda c: c.incoming_phone_numbers(sid).delete())
        except Exception as exc:  # every failure becomes a typed error
            raise from_twilio(exc) from exc

    async def remove_caller_id(self, sid: str) -> None:
        """Remove a verified caller-ID (PN…) from the account."""
        try:
            await self._run(lambda c: c.outgoing_caller_ids(sid).delete())
        except Exception as exc:  # every failure becomes a typed error
            raise from_twilio(exc) from exc

    async def request_caller_id_verification(
        self, phone_number: str, friendly_name: str | None = None
    ) -> str:
        """Start verifying *phone_number* as a caller ID; return the code to key in on the call.

        Twilio calls the number; once the code is entered it shows up in ``list_numbers``.
        """
        kwargs: dict[str, Any] = {"phone_number": phone_number}
        if friendly_name:
            kwargs["friendly_name"] = friendly_name
        try:
            req = await self._run(lambda c: c.validation_requests.create(**kwargs))
        except Exception as exc:  # every failure becomes a typed error
            raise from_twilio(exc, number=phone_number) from exc
        return str(req.validation_code)

    async def close(self) -> None:
        with self._lock:
            clients, self._http_clients = self._http_clients, []
        for http in clients:
            if http.session is not None:
                http.session.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._create_executor.shutdown(wait=False, cancel_futures=True)


def _rest_error(resp: requests.Response, url: str):
    """A TwilioRestException from a raw media response, so errors map the same way."""
    from twilio.base.exceptions import TwilioRestException

    code = None
    message = resp.reason or ""
    try:
        body = resp.json()
        code, message = body.get("code"), body.get("message", message)
    except ValueError:
        pass
    return TwilioRestException(resp.status_code, url, message, code, "GET")
