"""kill -9 in the middle of a campaign while the emulator injects every fault kind: the next
run finishes the campaign with zero duplicate dials and nothing left in calling/connected."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from app.settings import set_setting
from app.store.engine import open_store
from app.store.models import Call, Campaign, Contact
from tests.dialer.conftest import read_call_log
from tests.dialer.helpers import make_campaign, phones

REPO = Path(__file__).resolve().parents[2]
SPEED = 100.0
FAULTS = "429=0.08,500=0.05,timeout=0.1,drop-callback=0.3"
# Twilio at its least kind: its call list 20 s late and recordings processing for 15 s (both
# in real seconds, past the old 12 s give-up), and its clock 5 minutes off ours.
LAGGING = f"{FAULTS},list-delay={20 * SPEED:g},recording-delay={15 * SPEED:g}"


def _start_emulator(
    call_log: Path, faults: str = FAULTS, clock_skew: float = 0.0
) -> tuple[subprocess.Popen, dict]:
    code = (
        "import sys; from pathlib import Path; from app.telephony.emulator import run_emulator_cli;"
        f"sys.exit(run_emulator_cli(speed={SPEED}, call_log=Path({str(call_log)!r}),"
        f" faults={faults!r}, seed=7, clock_skew={clock_skew}))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline()
    return proc, json.loads(line)


def _run_cmd(home: Path, url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "app.cli",
        "run",
        "--home",
        str(home),
        "--emulator",
        url,
        "--until-done",
        "--json",
    ]


def _open_calls(store) -> int:
    with store.session() as session:
        return len(
            session.scalars(select(Call.id).where(Call.status.in_(["calling", "connected"]))).all()
        )


def _creates(call_log: Path) -> list[str]:
    return [line["to"] for line in read_call_log(call_log) if line["event"] == "created"]


def assert_everyone_dialled_once(store, call_log, numbers, cid) -> None:
    """Each number created once, nothing left in flight, the campaign completed."""
    creates = Counter(_creates(call_log))
    assert max(creates.values()) == 1, [n for n, k in creates.items() if k > 1]
    assert set(creates) == set(numbers)
    with store.session() as session:
        contacts = session.scalars(select(Contact)).all()
        assert not [c for c in contacts if c.status in ("calling", "connected", "queued")]
        calls = session.scalars(select(Call)).all()
        assert not [c for c in calls if c.status in ("calling", "connected")]
        placed = [c for c in calls if c.provider_sid]
        assert len(placed) == len(numbers) == len({c.provider_sid for c in placed})
        assert session.get(Campaign, cid).state == "completed"


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("faults", "clock_skew"),
    [(FAULTS, 0.0), (LAGGING, 300.0), (LAGGING, -300.0)],
    ids=["faults", "lagging-twilio-ahead", "lagging-twilio-behind"],
)
def test_sigkill_mid_campaign_then_restart_dials_nobody_twice(tmp_path, faults, clock_skew):
    home = tmp_path / "home"
    store = open_store(home)
    numbers = phones(30, "0123456789")
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
        set_setting(session, "calls_per_second", 50)
    cid, _ = make_campaign(store, "Crash", numbers, concurrency=5, per_minute=1200, max_attempts=1)
    call_log = tmp_path / "calls.jsonl"
    emulator, creds = _start_emulator(call_log, faults, clock_skew)
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": creds["account_sid"],
        "TWILIO_AUTH_TOKEN": creds["auth_token"],
        "CALLDECK_DB": "",
    }
    env.pop("CALLDECK_DB")
    try:
        first = subprocess.Popen(
            _run_cmd(home, creds["base_url"]),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # Kill once a third of the list was dialled and calls are in flight (not between two).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert first.poll() is None, first.stderr.read().decode()
            if len(_creates(call_log)) >= 10 and _open_calls(store):
                break
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        with store.session() as session:
            left_open = session.scalars(
                select(Call).where(Call.status.in_(["calling", "connected"]))
            ).all()
        assert left_open, "the kill should land while calls are in progress"

        second = subprocess.run(
            _run_cmd(home, creds["base_url"]),
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=480,  # about 90 s alone; far more with the suite's other workers busy
        )
        assert second.returncode == 0, second.stderr
        summary = json.loads(second.stdout)
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(10)

    assert_everyone_dialled_once(store, call_log, numbers, cid)
    with store.session() as session:
        calls = session.scalars(select(Call)).all()
        assert not [c for c in calls if c.recording_state == "pending"]
        answered = [c for c in calls if c.answered_at is not None]
        assert answered and all(c.recording_state == "downloaded" for c in answered)
    assert summary["campaigns"][0]["state"] == "completed"
    store.dispose()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_new_dials_and_lets_live_calls_finish(tmp_path, signum):
    """Ctrl-C, or SIGTERM (logout, `systemctl stop`): the same, summary included."""
    home = tmp_path / "home"
    store = open_store(home)
    numbers = phones(40, "0")
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
        set_setting(session, "calls_per_second", 50)
    cid, _ = make_campaign(store, "Interrupted", numbers, concurrency=4, per_minute=600)
    call_log = tmp_path / "calls.jsonl"
    code = (
        "import sys; from pathlib import Path; from app.telephony.emulator import run_emulator_cli;"
        f"sys.exit(run_emulator_cli(speed=20.0, call_log=Path({str(call_log)!r})))"
    )
    emulator = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    creds = json.loads(emulator.stdout.readline())
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": creds["account_sid"],
        "TWILIO_AUTH_TOKEN": creds["auth_token"],
    }
    env.pop("CALLDECK_DB", None)
    try:
        run = subprocess.Popen(
            _run_cmd(home, creds["base_url"]),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while len(_creates(call_log)) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        run.send_signal(signum)
        at_signal = len(_creates(call_log))
        out, err = run.communicate(timeout=40)
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(10)
    assert run.returncode == 130, err
    assert "no new calls" in err
    assert len(_creates(call_log)) <= at_signal + 1  # at most the create already in flight
    with store.session() as session:
        calls = session.scalars(select(Call)).all()
        assert calls and not [c for c in calls if c.status in ("calling", "connected")]
        assert session.get(Campaign, cid).state == "running"  # the next run carries on
    assert json.loads(out)["interrupted"] is True
    store.dispose()
