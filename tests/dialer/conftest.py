"""Dialer fixtures: a real emulator on its own thread and a provider pointed at it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FAST = 200.0  # emulator speed factor: a 20 s call lasts 0.1 s


@pytest.fixture
def make_emulator(tmp_path) -> Iterator[Callable[..., object]]:
    from app.telephony.emulator import EmulatorThread

    started = []

    def make(**kwargs):
        kwargs.setdefault("speed", FAST)
        kwargs.setdefault("call_log", tmp_path / f"calls-{len(started)}.jsonl")
        kwargs.setdefault("cps", 0)
        emu = EmulatorThread(**kwargs)
        emu.start()
        emu.call_log = kwargs["call_log"]
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


def provider_for(emu):
    from app.telephony.twilio_provider import TwilioProvider

    return TwilioProvider(
        emu.account_sid, emu.auth_token, base_url=emu.base_url, timeout_s=5.0, poll_interval_s=0.05
    )


def read_call_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


FINAL = {"completed", "busy", "no-answer", "canceled", "failed"}


def call_spans(log: list[dict]) -> dict[str, tuple[str, float, float | None]]:
    """sid -> (to, created at, final at) from the emulator's call log."""
    spans: dict[str, list] = {}
    for line in log:
        if line["event"] == "created":
            spans[line["sid"]] = [line["to"], line["at"], None]
        elif line["status"] in FINAL and line["sid"] in spans and spans[line["sid"]][2] is None:
            spans[line["sid"]][2] = line["at"]
    return {sid: tuple(v) for sid, v in spans.items()}


def peak_overlap(spans) -> int:
    events = []
    for _, start, end in spans.values():
        events.append((start, 1))
        events.append((end if end is not None else float("inf"), -1))
    live = peak = 0
    for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
        live += delta
        peak = max(peak, live)
    return peak
