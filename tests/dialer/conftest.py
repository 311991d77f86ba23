"""Dialer test helpers: a provider pointed at an emulator (the `make_emulator` fixture is in
tests/conftest.py), and readers of the emulator's call log."""

from __future__ import annotations

import json
from pathlib import Path


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
