"""A local emulator of the part of Twilio's REST API CallDeck uses.

Embed it in-process (``Emulator`` on the current loop, ``EmulatorThread`` on its own loop) or
run it as ``calldeck emulator`` (``run_emulator_cli``). Talk to it through the real twilio SDK
with ``TwilioProvider(..., base_url=emulator.base_url)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from aiohttp import web

from app.telephony.emulator.faults import FaultPlan
from app.telephony.emulator.numbers import DEFAULT_OWNED, DEFAULT_VERIFIED, load_numbers
from app.telephony.emulator.outcomes import Scenario
from app.telephony.emulator.server import EmulatorApp
from app.telephony.emulator.state import Account, set_clock_skew

__all__ = ["Emulator", "EmulatorThread", "run_emulator_cli"]


class Emulator:
    """The emulator on the running asyncio loop.

    speed: emulated seconds per real second (60 makes a 30 s call take 0.5 s).
    call_log: JSONL file, one line per created call and per status change.
    faults, seed: e.g. "429=0.1,500=0.05,timeout=0.05,drop-callback=0.2"; repeatable per seed.
    scenario: JSON file overriding outcomes per number (see outcomes.Scenario).
    cps: calls per emulated second the account may start (Twilio's default is 1); calls over
        it wait in "queued" and report queue_time. 0 disables the limit.
    numbers_file: where the account's numbers (bought, verified, released) are kept between
        runs, so a demo account stays the same across launches; None: seeded afresh each time.
    clock_skew: seconds the emulated Twilio's clock runs ahead of this host's (negative:
        behind); its dates and Date header follow it. One per process.
    trial: a trial account, which calls only verified numbers (21219).
    geo_block: ISO countries whose geo permission is off (calls there: 21215).
    faults also takes delays in emulated seconds: recording-delay (default 3: recordings are
        "processing" that long after the call) and list-delay (default 2: new calls show up
        in the call list that late).

    Like a real account, From must be a number the account owns or has verified: it owns
    +15005550006 and +14155550100, has verified +14155550199, and owns what it buys.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        speed: float = 1.0,
        call_log: Path | None = None,
        faults: str | None = None,
        seed: int = 0,
        account_sid: str | None = None,
        auth_token: str | None = None,
        scenario: Path | None = None,
        cps: float = 1.0,
        numbers_file: Path | None = None,
        clock_skew: float = 0.0,
        trial: bool = False,
        geo_block: tuple[str, ...] = (),
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.port = port
        self.speed = speed
        self.account_sid = account_sid or "AC" + secrets.token_hex(16)
        self.auth_token = auth_token or secrets.token_hex(16)
        self.base_url = ""
        self._call_log = Path(call_log) if call_log else None
        self.call_log = self._call_log  # the JSONL file tests read, or None
        self._fault_plan = FaultPlan(faults, seed)  # parse now: a bad spec fails fast
        self._scenario = Scenario.load(scenario)
        self.cps = cps
        self.numbers_file = Path(numbers_file) if numbers_file else None
        self.clock_skew = clock_skew
        self.trial = trial
        self.geo_block = frozenset(c.strip().upper() for c in geo_block if c.strip())
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._media_dir: Path | None = None
        self.server: EmulatorApp | None = None

    def _account(self) -> Account:
        account = Account(self.account_sid, self.auth_token)
        kept = load_numbers(self.numbers_file) if self.numbers_file else None
        owned, verified = kept or (list(DEFAULT_OWNED), list(DEFAULT_VERIFIED))
        for phone, name in owned:
            account.add_number(phone, name, "incoming")
        for phone in set(self._scenario.owned_numbers) - account.caller_ids():
            account.add_number(phone, phone, "incoming")
        for phone, name in verified:
            account.add_number(phone, name, "verified")
        for phone in set(self._scenario.verified_caller_ids) - account.caller_ids():
            account.add_number(phone, phone, "verified")
        return account

    @property
    def faults_injected(self) -> dict[str, int]:
        return dict(self._fault_plan.injected)

    async def start(self) -> str:
        set_clock_skew(self.clock_skew)
        self._media_dir = Path(tempfile.mkdtemp(prefix="calldeck-emulator-media-"))
        self.server = EmulatorApp(
            self._account(),
            speed=self.speed,
            faults=self._fault_plan,
            scenario=self._scenario,
            call_log=self._call_log,
            media_dir=self._media_dir,
            cps=self.cps,
            numbers_file=self.numbers_file,
            trial=self.trial,
            geo_blocked=self.geo_block,
        )
        self._runner = web.AppRunner(self.server.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        try:
            await self._listen()
        except BaseException:
            await self.stop()
            raise
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.server.set_base_url(self.base_url)
        return self.base_url

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await self._site.start()
        server = self._site._server
        self.port = server.sockets[0].getsockname()[1] if server else self.port  # when port=0

    async def go_offline(self) -> None:
        """Stop answering, as when the network drops: new connections are refused and open
        ones are closed once their request is answered. Calls carry on meanwhile."""
        if self._site is None or self._runner is None:
            return
        await self._site.stop()
        self._site = None
        if self._runner.server is not None:
            await self._runner.server.shutdown(0.5)

    async def come_back(self) -> None:
        """Answer again, on the same port."""
        if self._site is None and self._runner is not None:
            await self._listen()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.engine.close()  # idempotent; state stays readable after stop
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._media_dir is not None:
            shutil.rmtree(self._media_dir, ignore_errors=True)
            self._media_dir = None
        set_clock_skew(0.0)

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()


class EmulatorThread:
    """The emulator on its own event loop in a daemon thread, so the caller's loop stays free."""

    def __init__(self, **kwargs) -> None:
        self.emulator = Emulator(**kwargs)
        self.call_log = self.emulator.call_log
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self.emulator.base_url

    @property
    def account_sid(self) -> str:
        return self.emulator.account_sid

    @property
    def auth_token(self) -> str:
        return self.emulator.auth_token

    def start(self) -> str:
        # A plain selector loop, not the policy's: under the GUI the policy makes Qt loops,
        # which may only run on the main thread.
        self._loop = asyncio.SelectorEventLoop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="calldeck-emulator", daemon=True
        )
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.emulator.start(), self._loop)
        try:
            return future.result(timeout=30)
        except BaseException:
            self._shutdown_loop()  # e.g. the port is taken: leave no thread behind
            raise

    def call(self, coro, timeout: float = 30.0):
        """Run *coro* on the emulator's loop (for tests that inspect state)."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def go_offline(self) -> None:
        self.call(self.emulator.go_offline())

    def come_back(self) -> None:
        self.call(self.emulator.come_back())

    def stop(self) -> None:
        if self._loop is None:
            return
        try:
            self.call(self.emulator.stop())
        finally:
            self._shutdown_loop()

    def _shutdown_loop(self) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> EmulatorThread:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def run_emulator_cli(
    *,
    port: int = 0,
    speed: float = 1.0,
    call_log: Path | None = None,
    faults: str | None = None,
    account_sid: str | None = None,
    auth_token: str | None = None,
    seed: int = 0,
    scenario: Path | None = None,
    cps: float = 1.0,
    clock_skew: float = 0.0,
    trial: bool = False,
    geo_block: tuple[str, ...] = (),
) -> int:
    """Serve until SIGINT/SIGTERM; print one JSON line with base_url and credentials first."""

    async def main() -> None:
        emulator = Emulator(
            port=port,
            speed=speed,
            call_log=call_log,
            faults=faults,
            seed=seed,
            account_sid=account_sid,
            auth_token=auth_token,
            scenario=scenario,
            cps=cps,
            clock_skew=clock_skew,
            trial=trial,
            geo_block=geo_block,
        )
        await emulator.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Windows has no loop signal handlers: Ctrl+C raises KeyboardInterrupt instead.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        line = {
            "base_url": emulator.base_url,
            "account_sid": emulator.account_sid,
            "auth_token": emulator.auth_token,
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
        try:
            await stop.wait()
        finally:
            await emulator.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0
