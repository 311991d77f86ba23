"""Telephony fixtures: a real emulator on 127.0.0.1, the SDK pointed at it, a callback sink."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from twilio.rest import Client

from app.telephony.emulator import EmulatorThread
from app.telephony.http_seam import RewritingHttpClient
from app.telephony.twilio_provider import TwilioProvider

# High speed factors keep the suite fast: at 400x a 20 s call takes 50 ms.
FAST = 400.0
FINAL = {"completed", "busy", "no-answer", "canceled", "failed"}
FROM = "+15005550006"  # owned by every emulator account (Twilio's magic valid From)


@pytest.fixture
def make_emulator(tmp_path) -> Iterator[Callable[..., EmulatorThread]]:
    started: list[EmulatorThread] = []

    def make(**kwargs) -> EmulatorThread:
        kwargs.setdefault("speed", FAST)
        kwargs.setdefault("call_log", tmp_path / f"calls-{len(started)}.jsonl")
        emu = EmulatorThread(**kwargs)
        emu.start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(make_emulator) -> EmulatorThread:
    return make_emulator()


def sdk_client(emu: EmulatorThread, *, token: str | None = None) -> Client:
    http = RewritingHttpClient(emu.base_url, timeout=10)
    return Client(emu.account_sid, token or emu.auth_token, http_client=http)


@pytest.fixture
def make_client() -> Iterator[Callable[..., Client]]:
    """make_client(emu, token=None): an SDK client on that emulator; its session closed after."""
    made: list[Client] = []

    def make(emu: EmulatorThread, *, token: str | None = None) -> Client:
        made.append(sdk_client(emu, token=token))
        return made[-1]

    yield make
    for c in made:
        c.http_client.session.close()


@pytest.fixture
def client(emulator, make_client) -> Client:
    return make_client(emulator)


def wait_final(client: Client, sid: str, timeout: float = 20.0):
    """Poll until the call is final (bounded); returns the CallInstance."""
    deadline = time.monotonic() + timeout
    while True:
        call = client.calls(sid).fetch()
        if call.status in FINAL or time.monotonic() > deadline:
            return call
        time.sleep(0.02)


def call_log(emu: EmulatorThread) -> list[dict]:
    path: Path = emu.call_log
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class CallbackSink:
    """A tiny HTTP server that records what Twilio (the emulator) posts to it."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's method naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                with sink.lock:
                    sink.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "params": parse_qsl(body, keep_blank_values=True),
                        }
                    )
                reply = b"<Response><Say>Hi from the sink.</Say></Response>"
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, predicate, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                got = [r for r in self.requests if predicate(r)]
            if got:
                return got
            time.sleep(0.02)
        return []

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink() -> Iterator[CallbackSink]:
    s = CallbackSink()
    yield s
    s.close()


class FakeSleep:
    """Injected backoff sleep: records the delays and yields without really waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0.005)


@pytest.fixture
def make_provider() -> Iterator[Callable[..., TwilioProvider]]:
    """TwilioProvider on an emulator with instant backoff and brisk polling; closed after."""
    made: list[TwilioProvider] = []

    def make(emu: EmulatorThread, **kwargs) -> TwilioProvider:
        kwargs.setdefault("sleep", FakeSleep())
        kwargs.setdefault("rand", lambda: 0.5)
        kwargs.setdefault("poll_interval_s", 0.02)
        kwargs.setdefault("timeout_s", 5.0)
        provider = TwilioProvider(emu.account_sid, emu.auth_token, base_url=emu.base_url, **kwargs)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        asyncio.run(provider.close())


def run(coro):
    return asyncio.run(coro)


def ready_recordings(client: Client, call_sid: str, timeout: float = 10.0) -> list:
    """The call's recordings once none is still processing (Twilio post-processes them)."""
    deadline = time.monotonic() + timeout
    while True:
        recs = client.calls(call_sid).recordings.list()
        if all(r.status == "completed" for r in recs) or time.monotonic() > deadline:
            return recs
        time.sleep(0.01)


async def provider_ready_recordings(provider, call_sid: str, timeout: float = 10.0) -> list:
    """ready_recordings through the provider."""
    deadline = time.monotonic() + timeout
    while True:
        recs = await provider.list_recordings(call_sid)
        if all(r.status == "completed" for r in recs) or time.monotonic() > deadline:
            return recs
        await asyncio.sleep(0.01)
