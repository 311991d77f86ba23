"""Property: no schedule of call durations, pauses and limit changes makes the dialer exceed
concurrency N, per-minute P or the account's calls per second (on the fake clock)."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from app.dialer import DialerService
from app.domain.clock import FakeClock
from app.store.engine import open_store
from app.store.models import Campaign, Contact
from tests.dialer.fakes import FakeProvider
from tests.dialer.helpers import make_campaign

EPS = 1e-6
_template: dict[str, Path] = {}
_counter = itertools.count()


def fresh_store(tmp_root: Path):
    """A migrated database, copied from a template (running migrations per example is slow)."""
    if "db" not in _template:
        template_home = tmp_root / "template"
        open_store(template_home).dispose()
        _template["db"] = template_home / "calldeck.db"
    home = tmp_root / f"ex{next(_counter)}"
    home.mkdir(parents=True)
    shutil.copy(_template["db"], home / "calldeck.db")
    return open_store(home, migrate=False)


@dataclass(frozen=True)
class Action:
    at: float
    campaign: int  # index
    kind: str  # pause | resume | concurrency | per_minute
    value: int = 0


actions = st.builds(
    Action,
    at=st.floats(0, 900, allow_nan=False),
    campaign=st.integers(0, 1),
    kind=st.sampled_from(["pause", "resume", "concurrency", "per_minute"]),
    value=st.integers(1, 6),
)
campaign_specs = st.fixed_dictionaries(
    {
        "digits": st.lists(st.sampled_from("0123456789"), min_size=1, max_size=14),
        "concurrency": st.integers(1, 5),
        "per_minute": st.sampled_from([1, 2, 5, 10, 30, 60, 120]),
        "max_attempts": st.integers(1, 3),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(campaign_specs, min_size=1, max_size=2),
    talk=st.lists(st.floats(0, 400, allow_nan=False), min_size=1, max_size=30),
    cps=st.sampled_from([0.2, 0.5, 1.0, 3.0]),
    schedule=st.lists(actions, max_size=8),
    early=st.sampled_from([0.0, 0.0047, 0.05]),
)
def test_limits_hold_under_any_schedule(tmp_path, specs, talk, cps, schedule, early):
    store = fresh_store(tmp_path)
    clock = FakeClock(early_s=early)  # timers may fire early, as Qt's coarse timers do
    provider = FakeProvider(clock)
    ids, per_campaign_numbers = [], []
    for index, spec in enumerate(specs):
        numbers = [f"+1212{index}55{i:03d}{d}" for i, d in enumerate(spec["digits"])]
        for number, seconds in zip(numbers, itertools.cycle(talk), strict=False):
            provider.durations[number] = seconds
        cid, _ = make_campaign(
            store,
            f"P{index}",
            numbers,
            concurrency=spec["concurrency"],
            per_minute=spec["per_minute"],
            max_attempts=spec["max_attempts"],
            retry_delay_min=1,
        )
        ids.append(cid)
        per_campaign_numbers.append(set(numbers))
    # limits[i] = list of (time, N, P); paused[i] = list of (from, to) intervals
    limits = {i: [(0.0, s["concurrency"], s["per_minute"])] for i, s in enumerate(specs)}
    paused: dict[int, list[list[float]]] = {i: [] for i in range(len(specs))}

    async def drive(service: DialerService) -> None:
        for action in sorted(schedule, key=lambda a: a.at):
            index = action.campaign % len(specs)
            cid = ids[index]
            await clock.sleep_until(action.at)
            now = clock.monotonic()
            _, n, p = limits[index][-1]
            if action.kind == "pause":
                await service.pause_campaign(cid)
                if not paused[index] or paused[index][-1][1] is not None:
                    paused[index].append([now, None])
            elif action.kind == "resume":
                with store.session() as session:
                    state = session.get(Campaign, cid).state
                if state == "paused":
                    await service.start_campaign(cid)
                    paused[index][-1][1] = now
            else:
                n, p = (action.value, p) if action.kind == "concurrency" else (n, action.value * 10)
                with store.session.begin() as session:
                    session.execute(
                        update(Campaign)
                        .where(Campaign.id == cid)
                        .values(concurrency=n, per_minute=p)
                    )
                limits[index].append((now, n, p))
                service.wake()
        for index, cid in enumerate(ids):  # resume everything so the run can finish
            with store.session() as session:
                state = session.get(Campaign, cid).state
            if state == "paused":
                await service.start_campaign(cid)
                paused[index][-1][1] = clock.monotonic()

    async def go() -> None:
        service = DialerService(
            store, provider, recordings_dir=tmp_path / "rec", clock=clock, cps=cps
        )
        await service.start()
        await drive(service)
        while (report := await service.run_until_done()).next_dial_at is not None:
            wait = (report.next_dial_at - clock.now()).total_seconds()
            await clock.sleep_until(clock.monotonic() + wait)
        await service.stop()

    asyncio.run(go())

    def in_effect(index: int, t: float) -> tuple[int, int]:
        """The most permissive limits that may apply at t (a change at t may race a start)."""
        best_n = best_p = 0
        for changed, n, p in limits[index]:
            if changed <= t + EPS:
                current = (n, p)
        for changed, n, p in limits[index]:
            if abs(changed - t) <= EPS:
                best_n, best_p = max(best_n, n), max(best_p, p)
        return max(best_n, current[0]), max(best_p, current[1])

    all_starts = sorted(c.created_mono for c in provider.calls)
    for a, b in itertools.pairwise(all_starts):
        assert b - a >= 1 / cps - EPS, "calls per second exceeded"
    for index, numbers in enumerate(per_campaign_numbers):
        calls = sorted((c for c in provider.calls if c.to in numbers), key=lambda c: c.created_mono)
        for k, call in enumerate(calls):
            n, p = in_effect(index, call.created_mono)
            live = sum(1 for other in calls[:k] if other.end_mono > call.created_mono) + 1
            assert live <= n, f"concurrency {n} exceeded ({live} live)"
            if k:
                gap = call.created_mono - calls[k - 1].created_mono
                assert gap >= 60 / p - EPS, f"per-minute {p} exceeded (gap {gap:.3f} s)"
            for start, end in paused[index]:
                assert not (
                    start + EPS < call.created_mono < (float("inf") if end is None else end) - EPS
                ), "dialled while paused"
    with store.session() as session:
        left = session.scalars(
            select(Contact).where(Contact.status.in_(["calling", "connected", "queued"]))
        )
        assert not left.all()
        assert {c.state for c in session.scalars(select(Campaign))} == {"completed"}
    store.dispose()
