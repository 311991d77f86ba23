"""Several dialer workers on one PostgreSQL database: claims/s and dials/s with 1, 2 and 4.

Each worker is its own process running the DialerService with a fake provider whose calls
last tens of milliseconds (so the database and the dialer are most of what is measured), on a throwaway
PostgreSQL cluster (tests/store/pg.py). Two shapes: one campaign (leased to one worker by
design, so more workers add nothing: ratio ~1) and four campaigns (shared out, one lease
each). Beside them, the same campaigns on one SQLite file with one dialer: the single-SQLite
figure. Ratios are against one worker on PostgreSQL. On a 2-core machine, four worker
processes and the server share the two cores.

Run: python -m benchmarks.bench_workers  (prints JSON; under a minute)
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONTACTS = int(os.environ.get("BENCH_WORKERS_CONTACTS", "2000"))
WORKERS = (1, 2, 4)
TIME_SCALE = 0.002  # a 20 s call lasts 40 ms
LEASE_TTL_S = 6.0  # heartbeats every 2 s: no lease lapses on a busy machine


def _seed(url: str, home: Path, campaigns: int) -> None:
    from app.store.campaigns import create_campaign
    from app.store.engine import open_store
    from app.store.models import Contact

    store = open_store(home, url)
    per_campaign = CONTACTS // campaigns
    with store.session.begin() as session:
        for c in range(campaigns):
            campaign = create_campaign(
                session,
                f"Bench {c}",
                caller_id="+15005550006",
                concurrency=50,
                per_minute=60_000,
                max_attempts=1,
                window_start="00:00",
                window_end="24:00",
                window_days="mon-sun",
            )
            campaign.state = "running"
            session.flush()
            session.add_all(
                Contact(campaign_id=campaign.id, phone=f"+1212{c}{i:06d}", name=f"C{i}")
                for i in range(per_campaign)
            )
    store.dispose()


def worker_main(url: str, home: str) -> None:
    """One worker: dial until nothing is left, then print what it did as JSON."""
    from app.dialer import DialerService
    from app.dialer.events import ContactChanged
    from app.domain.clock import LoopClock
    from app.store.engine import open_store
    from tests.dialer.fakes import FakeProvider

    store = open_store(Path(home), url, migrate=False)
    # The real clock (the lease heartbeats are real timers, which a fake clock would wait
    # for), with calls shrunk to tens of milliseconds.
    clock = LoopClock()
    provider = FakeProvider(clock, talk_s=20.0, time_scale=TIME_SCALE)
    service = DialerService(
        store,
        provider,
        recordings_dir=Path(home) / "rec",
        clock=clock,
        cps=100_000,
        poll_interval_s=0.02,
    )
    claims: list[float] = []
    service.subscribe(
        lambda e: (
            claims.append(time.time())
            if isinstance(e, ContactChanged) and e.status == "calling"
            else None
        )
    )

    async def run() -> None:
        await service.start()
        await service.run_until_done()
        await service.stop()

    asyncio.run(run())
    store.dispose()
    print(
        json.dumps(
            {
                "claims": len(claims),
                "dials": len(provider.calls),
                "first": claims[0] if claims else None,
                "last": claims[-1] if claims else None,
            }
        )
    )


def _measure(url: str, home: Path, workers: int) -> dict:
    env = {**os.environ, "CALLDECK_LEASE_TTL_S": str(LEASE_TTL_S)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bench_workers", "--worker", url, str(home)],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    try:
        outputs = [p.communicate(timeout=240)[0] for p in procs]
    finally:
        for proc in procs:  # none outlives the measurement (or the cluster)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    reports = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
    busy = [r for r in reports if r["claims"]]
    span = max(r["last"] for r in busy) - min(r["first"] for r in busy)
    claims = sum(r["claims"] for r in reports)
    dials = sum(r["dials"] for r in reports)
    return {
        "workers": workers,
        "workers_dialing": len(busy),
        "claims": claims,
        "claims_per_s": round(claims / span, 1),
        "dials_per_s": round(dials / span, 1),
    }


def main() -> None:
    from tests.store.pg import start_cluster

    figures: dict = {"contacts": CONTACTS}
    cluster = start_cluster()
    try:
        for campaigns in (1, 4):
            shape = f"{campaigns}_campaign" + ("s" if campaigns > 1 else "")
            sqlite_home = Path(tempfile.mkdtemp(prefix="bench-workers-"))
            sqlite_url = f"sqlite:///{sqlite_home / 'calldeck.db'}"
            _seed(sqlite_url, sqlite_home, campaigns)
            single = _measure(sqlite_url, sqlite_home, 1)
            runs = []
            for workers in WORKERS:
                home = Path(tempfile.mkdtemp(prefix="bench-workers-"))
                url = cluster.url(cluster.new_database())
                _seed(url, home, campaigns)
                runs.append(_measure(url, home, workers))
            base = runs[0]
            for run in runs:
                run["claims_ratio"] = round(run["claims_per_s"] / base["claims_per_s"], 2)
                run["dials_ratio"] = round(run["dials_per_s"] / base["dials_per_s"], 2)
            figures[shape] = {
                "single_sqlite": single,
                "postgresql": runs,
                "postgresql_1_worker_vs_sqlite": round(
                    base["dials_per_s"] / single["dials_per_s"], 2
                ),
            }
    finally:
        cluster.stop()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker_main(sys.argv[2], sys.argv[3])
    else:
        main()
