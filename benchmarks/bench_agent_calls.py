"""Fifty agent conversations at once, and what they cost the GUI's event loop.

The window's loop (qasync on Qt, offscreen) runs the dialer and the agent's relay server, as
in the app; the emulator runs as its own process, as Twilio would, with no CPS cap, and its
callee personas talk to the agent over real ConversationRelay websockets. The figure is the
lag of a 10 ms timer on that loop while the conversations run, beside the same timer on the
idle loop in the same run; the peak of sessions open at once shows the load was real.

Run: python -m benchmarks.bench_agent_calls  (prints JSON; about half a minute)
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = 50
SPEED = 2.0  # a 40 s conversation takes 20 s: all fifty overlap
PROBE_S = 0.01


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _seed(store) -> None:
    from app.agents.definition import parse_definition
    from app.agents.library import import_definition
    from app.paths import agent_templates_dir
    from app.settings import set_setting
    from app.store.campaigns import create_campaign
    from app.store.models import Contact, PhoneNumber

    template = (agent_templates_dir() / "appointment-reminder.json").read_text("utf-8")
    definition = parse_definition(template)
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 2.0)  # the app's default
        session.add(PhoneNumber(e164="+15005550006", kind="owned", verified=True))
        import_definition(session, definition)
        campaign = create_campaign(
            session,
            "Fifty",
            caller_id="+15005550006",
            agent=definition.name,
            concurrency=CONVERSATIONS,
            per_minute=60_000,
            window_start="00:00",
            window_end="24:00",
            window_days="mon,tue,wed,thu,fri,sat,sun",
        )
        campaign.state = "running"
        fields = {"first_name": "Ana", "pet_name": "Biscuit", "appointment_time": "Friday at 4 pm"}
        for i in range(CONVERSATIONS):
            # Every person persona (tens digit 0-5, 7-9; no silent ones: they say nothing).
            tens = [0, 1, 2, 3, 4, 5, 7, 8, 9][i % 9]
            phone = f"+1212555{i // 9:02d}{tens}0"
            session.add(Contact(campaign_id=campaign.id, phone=phone, name="Ana", fields=fields))


async def _lag_probe(samples: list[float], stop: asyncio.Event, sample=None) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        due = loop.time() + PROBE_S
        await asyncio.sleep(PROBE_S)
        samples.append(max(0.0, loop.time() - due))
        if sample is not None:
            sample()


def main() -> None:
    import qasync
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from app.services import Connection, open_services
    from app.store.engine import open_store
    from app.store.models import Call

    if os.environ.get("BENCH_PLAIN_LOOP"):  # to find slow callbacks: asyncio's debug mode
        loop = asyncio.new_event_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = 0.04
    else:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    home = Path(tempfile.mkdtemp(prefix="bench-agent-calls-"))
    store = open_store(home)
    _seed(store)
    code = (
        "import sys; from app.telephony.emulator import run_emulator_cli;"
        f"sys.exit(run_emulator_cli(speed={SPEED}, cps=0))"
    )
    emu = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    creds = json.loads(emu.stdout.readline())
    connection = Connection(
        "external", creds["account_sid"], creds["auth_token"], creds["base_url"], speed=SPEED
    )
    idle: list[float] = []
    busy: list[float] = []
    counter = ThreadPoolExecutor(1)
    peak = {"sessions": 0}

    def ended_calls() -> int:
        with store.session() as session:
            return session.scalar(select(func.count()).where(Call.outcome.is_not(None))) or 0

    async def run() -> float:
        stop = asyncio.Event()
        probe = asyncio.ensure_future(_lag_probe(idle, stop))
        await asyncio.sleep(2.0)
        stop.set()
        await probe
        services = await open_services(store, connection, cps=1000)
        relay = services.relay

        def sample() -> None:
            open_now = sum(1 for c in relay._calls.values() if c.session is not None)
            peak["sessions"] = max(peak["sessions"], open_now)

        stop = asyncio.Event()
        probe = asyncio.ensure_future(_lag_probe(busy, stop, sample))
        started = time.perf_counter()
        try:
            await services.dialer.start()
            # Counted on a thread of its own: the harness's queries stay off the measured loop.
            while (
                await asyncio.get_running_loop().run_in_executor(counter, ended_calls)
                < CONVERSATIONS
                and time.perf_counter() - started < 240
            ):
                await asyncio.sleep(0.25)
            return time.perf_counter() - started
        finally:
            stop.set()
            await probe
            await services.close()

    try:
        elapsed = loop.run_until_complete(run())
    finally:
        counter.shutdown()
        emu.send_signal(signal.SIGINT)
        emu.wait(10)
    done = ended_calls()
    store.dispose()
    print(
        json.dumps(
            {
                "conversations": CONVERSATIONS,
                "conversations_with_an_agent_result": done,
                "peak_sessions_open_at_once": peak["sessions"],
                "emulator_speed": SPEED,
                "wall_s": round(elapsed, 1),
                "loop_lag_p50_ms": _ms(_p(busy, 0.5)),
                "loop_lag_p99_ms": _ms(_p(busy, 0.99)),
                "loop_lag_max_ms": _ms(max(busy) if busy else 0.0),
                "idle_loop_lag_p99_ms": _ms(_p(idle, 0.99)),
                "goal_p99_ms": 50,
            }
        )
    )


if __name__ == "__main__":
    main()
