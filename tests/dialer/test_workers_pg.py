"""Several `calldeck run` workers on one PostgreSQL database and one campaign, against the
emulator's call log: nobody dialled twice, the campaign's limits held in total, and a worker
killed with SIGKILL mid-campaign has its calls reconciled and its contacts finished by another.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select, text

from app.settings import set_setting
from app.store.engine import open_store
from app.store.models import Call
from tests.dialer.conftest import call_spans, peak_overlap, read_call_log
from tests.dialer.helpers import make_campaign, phones
from tests.dialer.test_crash_recovery import (
    FAULTS,
    REPO,
    _creates,
    _start_emulator,
    assert_everyone_dialled_once,
)

# A dead worker's campaign waits this long (real seconds) for another; heartbeats every 2 s
# stay well inside it on a busy 2-core machine.
LEASE_TTL_S = 6.0


def _worker(home, db_url: str, emulator_url: str, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "app.cli", "run", "--home", str(home), "--db", db_url]
    command += ["--emulator", emulator_url, "--json"]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _env(creds: dict) -> dict:
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": creds["account_sid"],
        "TWILIO_AUTH_TOKEN": creds["auth_token"],
        "CALLDECK_LEASE_TTL_S": str(LEASE_TTL_S),
    }
    env.pop("CALLDECK_DB", None)
    return env


def _campaign(store, name: str, numbers: list[str], **limits) -> int:
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
        set_setting(session, "calls_per_second", 50)
    cid, _ = make_campaign(store, name, numbers, max_attempts=1, **limits)
    return cid


@pytest.mark.timeout(200)
def test_three_workers_dial_everyone_once_within_the_campaigns_limits(tmp_path, pg_url):
    home = tmp_path / "home"
    store = open_store(home, pg_url)  # migrated before the workers start
    numbers = phones(16, "0")
    concurrency, per_minute = 2, 300
    cid = _campaign(store, "Team", numbers, concurrency=concurrency, per_minute=per_minute)
    call_log = tmp_path / "calls.jsonl"
    emulator, creds = _start_emulator(call_log, faults="")
    try:
        workers = [_worker(home, pg_url, creds["base_url"], _env(creds)) for _ in range(3)]
        outcomes = [w.communicate(timeout=150) for w in workers]
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(10)
    assert [w.returncode for w in workers] == [0, 0, 0], [err for _, err in outcomes]
    assert_everyone_dialled_once(store, call_log, numbers, cid)
    log = read_call_log(call_log)
    assert peak_overlap(call_spans(log)) <= concurrency
    starts = sorted(line["at"] for line in log if line["event"] == "created")
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # Creates reach the provider no closer than the campaign's pace (less network jitter).
    assert min(gaps) >= 0.8 * 60 / per_minute, min(gaps)
    store.dispose()


@pytest.mark.timeout(200)
def test_a_worker_killed_mid_campaign_is_taken_over_and_nobody_is_dialled_twice(tmp_path, pg_url):
    home = tmp_path / "home"
    store = open_store(home, pg_url)
    numbers = phones(16, "0123456789")
    cid = _campaign(store, "Crash", numbers, concurrency=5, per_minute=1200)
    call_log = tmp_path / "calls.jsonl"
    emulator, creds = _start_emulator(call_log, FAULTS)
    env = _env(creds)
    try:
        workers = [_worker(home, pg_url, creds["base_url"], env) for _ in range(2)]
        # Kill the lease holder once a third of the list was dialled and calls are in flight.
        holder = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert all(w.poll() is None for w in workers), workers[0].stderr.read()
            with store.engine.connect() as conn:
                pid = conn.scalar(
                    text("SELECT pid FROM worker_leases WHERE campaign_id = :c"), {"c": cid}
                )
                open_calls = conn.scalar(
                    text("SELECT count(*) FROM calls WHERE status IN ('calling', 'connected')")
                )
            if pid is not None and len(_creates(call_log)) >= 5 and open_calls:
                holder = next(w for w in workers if w.pid == pid)
                break
            time.sleep(0.02)
        assert holder is not None, "the kill should land while calls are in progress"
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        survivor = next(w for w in workers if w is not holder)
        out, err = survivor.communicate(timeout=90)
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(10)
    assert survivor.returncode == 0, err
    assert_everyone_dialled_once(store, call_log, numbers, cid)
    with store.session() as session:
        calls = session.scalars(select(Call)).all()
        assert not [c for c in calls if c.recording_state == "pending"]
    store.dispose()
