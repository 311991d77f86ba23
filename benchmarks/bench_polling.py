"""Status polling of 120 live calls without callbacks, and whether creates wait behind it.

120 calls stay in progress on the emulator (a separate process, as Twilio is) with a
Twilio-like round trip added to every answer (``latency`` fault, LATENCY_S). Each call is
polled the way the dialer polls it, and a new create is timed every CREATE_EVERY_S meanwhile.
Three set-ups, each measured over WINDOW_S:

- shared_fixed: one 8-thread pool for polls and creates, every call polled every 2 s (the
  provider before the create pool was split off);
- split_fixed: creates on their own pool, polls on 8 threads every 2 s (before this change);
- split_adaptive: the app.domain.polling rule (2 s ringing, 5-10 s in progress) on a pool
  sized for 120 calls (TwilioProvider.size_for).

Figures: polls/s, poll round trip p50/p99 (queue wait + the request), create latency p99.

Run: python -m benchmarks.bench_polling  (prints JSON; about two minutes)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from app.domain.polling import poll_delay_s
from app.telephony.twilio_provider import TwilioProvider
from benchmarks.common import emit, ms

LIVE_CALLS = int(os.environ.get("BENCH_POLLING_CALLS", "120"))
LATENCY_S = 0.15  # a desktop's round trip to api.twilio.com, about
BASE_POLL_S = 2.0
WINDOW_S = float(os.environ.get("BENCH_POLLING_WINDOW_S", "20"))
CREATE_EVERY_S = 0.5
LONG_CALL = '<Response><Pause length="900"/></Response>'  # in progress for 15 minutes
FROM = "+15005550006"


def _emulator() -> tuple[subprocess.Popen, dict]:
    code = (
        "import sys; from app.telephony.emulator import run_emulator_cli;"
        f"sys.exit(run_emulator_cli(speed=1.0, cps=0, faults='latency={LATENCY_S}'))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, json.loads(proc.stdout.readline())


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _measure(creds: dict, mode: str, first_number: int) -> dict:
    provider = TwilioProvider(creds["account_sid"], creds["auth_token"], base_url=creds["base_url"])
    if mode == "shared_fixed":
        provider._create_executor = provider._executor  # one pool serves both, as before
    if mode == "split_adaptive":
        provider.size_for(LIVE_CALLS)
    numbers = iter(range(first_number, first_number + 10_000))

    async def create() -> tuple[str, float]:
        started = time.perf_counter()
        # Last digit 0: a person answers after 4 s of ringing and the call stays up.
        info = await provider.place_call(_request(f"+1312{next(numbers):06d}0"))
        return info.sid, time.perf_counter() - started

    sids = [sid for sid, _ in await asyncio.gather(*(create() for _ in range(LIVE_CALLS)))]
    polls: list[float] = []  # round trips inside the window
    creates: list[float] = []
    window_start = time.perf_counter() + 3.0  # let the first wave of polls spread out
    window_end = window_start + WINDOW_S

    async def follow(sid: str) -> None:
        status, since = None, time.perf_counter()
        while time.perf_counter() < window_end:
            if mode == "split_adaptive":
                in_progress = time.perf_counter() - since if status == "in-progress" else 0.0
                delay = poll_delay_s(status, in_progress, BASE_POLL_S)
            else:
                delay = BASE_POLL_S
            await asyncio.sleep(delay)
            started = time.perf_counter()
            info = await provider.fetch_call(sid)
            if started >= window_start and time.perf_counter() <= window_end:
                polls.append(time.perf_counter() - started)
            if info.provider_status == "in-progress" and status != "in-progress":
                since = time.perf_counter()
            status = info.provider_status

    async def keep_creating() -> None:
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        while time.perf_counter() < window_end:
            sid, took = await create()
            sids.append(sid)
            creates.append(took)
            await asyncio.sleep(CREATE_EVERY_S)

    await asyncio.gather(*(follow(sid) for sid in sids[:LIVE_CALLS]), keep_creating())
    await asyncio.gather(*(provider.hang_up(sid) for sid in sids), return_exceptions=True)
    await provider.close()
    return {
        "polls_per_s": round(len(polls) / WINDOW_S, 1),
        "poll_round_trip_p50_ms": ms(statistics.median(polls) if polls else 0.0),
        "poll_round_trip_p99_ms": ms(_p(polls, 0.99)),
        "create_latency_p50_ms": ms(statistics.median(creates) if creates else 0.0),
        "create_latency_p99_ms": ms(_p(creates, 0.99)),
        "creates_timed": len(creates),
    }


def _request(to: str):
    from app.telephony.base import CallRequest

    return CallRequest(to=to, from_=FROM, twiml=LONG_CALL, record=False, machine_detection=False)


def main() -> None:
    proc, creds = _emulator()
    try:
        figures: dict[str, object] = {
            "live_calls": LIVE_CALLS,
            "emulator_latency_ms": ms(LATENCY_S),
            "window_s": WINDOW_S,
        }
        for i, mode in enumerate(("shared_fixed", "split_fixed", "split_adaptive")):
            figures[mode] = asyncio.run(_measure(creds, mode, first_number=i * 100_000))
        emit(figures)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
