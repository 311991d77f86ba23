"""Several dialers on one shared database: each running campaign is leased to one of them.

Why a lease per campaign (and not a token bucket in the database): a campaign's concurrency
and per-minute pacing then stay where they are kept today, in one Pacer's memory, with no
database round trip per dial; the only shared state is one row per campaign renewed every
few seconds. The account's CPS cap is shared out: each worker paces its creates at
cap / (workers holding a live lease), so together they stay under it.

Workers share the running campaigns out: each says it is alive (dialer_workers) and takes
a new lease only while it holds fewer than its share (running campaigns / live workers,
rounded up); workers started together wait one heartbeat to see each other first. A
worker that joins later gets campaigns as they are started or freed: nobody hands over a
campaign with calls in flight just to even out the count.

The keeper renews its leases by heartbeat (every TTL/3, in the server's time). A worker
that dies stops renewing; once its leases expire, another worker takes them and first
reconciles what the dead one left in flight, through the crash rule (ask the provider,
never dial again), before it dials anyone of that campaign. A worker also asks for the
campaigns with calls left open under no live lease (e.g. paused meanwhile), so those are
settled too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable

from app.store import leases as lease_store
from app.store.engine import Store

log = logging.getLogger(__name__)

# A dead worker's campaigns wait this long for another worker (CALLDECK_LEASE_TTL_S: tests).
LEASE_TTL_S = float(os.environ.get("CALLDECK_LEASE_TTL_S") or 30.0)
JOIN_WAIT_S = 2.0  # at most: workers started together see each other before sharing out


def this_worker() -> lease_store.Worker:
    host, pid = socket.gethostname(), os.getpid()
    return lease_store.Worker(f"{host}:{pid}:{uuid.uuid4().hex[:8]}", host, pid)


class LeaseKeeper:
    """Holds this worker's campaign leases; `changed` hears of every change."""

    def __init__(
        self,
        store: Store,
        wanted: Callable[[], set[int]],
        changed: Callable[[set[int], set[int], int], None],
        *,
        ttl_s: float = LEASE_TTL_S,
    ) -> None:
        """*wanted*: the campaigns this worker would dial or still has calls in; *changed*
        (held, gained, holders) after every heartbeat that changed something."""
        self._store = store
        self._wanted = wanted
        self._changed = changed
        self.ttl_s = ttl_s
        self.worker = this_worker()
        self.held: set[int] = set()
        self._holders = 0
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._poke = asyncio.Event()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._beat_forever(), name="campaign leases")

    def poke(self) -> None:
        """Look again now (a campaign was started or paused here)."""
        self._poke.set()

    async def stop(self) -> None:
        self._stopping = True  # see Scheduler.stop: a cancel may be swallowed by wait_for
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.release_all()

    def release_all(self) -> None:
        with self._store.engine.begin() as conn:
            lease_store.release(conn, self.worker, self.held)
            lease_store.gone(conn, self.worker)
        self.held = set()

    def beat(self) -> None:
        """One heartbeat: renew, take what is wanted and free (up to this worker's share),
        give back the rest."""
        with self._store.engine.begin() as conn:
            alive = lease_store.here(conn, self.worker, self.ttl_s)
            wanted = self._wanted()
            # Left in flight by a worker gone: whoever sees it first settles it.
            orphans = lease_store.orphaned_campaigns(conn) - self.held
            share = -(-len(wanted | self.held) // alive)
            room = max(0, share - len(self.held & wanted))
            free = wanted - self.held - orphans - lease_store.held_elsewhere(conn, self.worker)
            new = sorted(free)[:room]
            keep = self.held & wanted
            held = lease_store.take(conn, self.worker, keep | orphans | set(new), self.ttl_s)
            lease_store.release(conn, self.worker, self.held - keep)
        with self._store.engine.connect() as conn:
            holders = lease_store.live_holders(conn)
        lost = keep - held
        if lost:
            log.warning("lost the lease on campaign(s) %s to another worker", sorted(lost))
        gained = held - self.held
        if held != self.held or holders != self._holders:
            self.held, self._holders = held, holders
            self._changed(held, gained, holders)

    async def _beat_forever(self) -> None:
        loop = asyncio.get_running_loop()
        with self._store.engine.begin() as conn:  # seen by workers starting now, then share
            lease_store.here(conn, self.worker, self.ttl_s)
        await asyncio.sleep(min(self.ttl_s / 3, JOIN_WAIT_S))
        renewed_at = loop.time()
        while not self._stopping:
            self._poke.clear()
            try:
                self.beat()
                renewed_at = loop.time()
            except Exception:
                log.exception("renewing the campaign leases failed; trying again shortly")
                if self.held and loop.time() - renewed_at > self.ttl_s * 2 / 3:
                    # They may expire before we reach the database again: stop dialing them.
                    self.held = set()
                    self._changed(set(), set(), self._holders)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), self.ttl_s / 3)
