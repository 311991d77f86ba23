"""Recovery: settling the attempts a previous run left open, at start-up.

A collaborator of the scheduler: it reads the open calls and the calls still waiting for
their results, and creates a CallAttempt for each, which resumes the call, searches for the
call a lost create made, or fetches the results. The rule throughout: ask the provider,
never dial again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from app.dialer import recovery_queries
from app.dialer.attempt import CallAttempt
from app.dialer.context import DialerContext
from app.dialer.scheduler import Scheduler

log = logging.getLogger(__name__)

PACING_MEMORY_S = 3600  # starts older than this no longer hold back the next one


class Recovery:
    def __init__(self, ctx: DialerContext, scheduler: Scheduler) -> None:
        self._ctx = ctx
        self._scheduler = scheduler

    def reconcile(self, campaign_ids: set[int] | None = None) -> list[CallAttempt]:
        """Start an attempt for every call a previous run left without a final status or
        without its results; returns them (each runs in its own task). *campaign_ids*: only
        those campaigns' (a lease just taken over from a worker that stopped or died)."""
        ctx, scheduler = self._ctx, self._scheduler
        with ctx.store.session() as session:
            open_calls = recovery_queries.open_calls(session, campaign_ids)
            pending = recovery_queries.pending_results(session, campaign_ids)
            self._keep_pacing(recovery_queries.last_starts(session, campaign_ids))
        # Calls this dialer still follows itself (a lease lost for a while, then regained).
        open_calls = [live for live in open_calls if live.call_id not in scheduler.attempts]
        pending = [live for live in pending if live.call_id not in scheduler.attempts]
        attempts = []
        for live in open_calls:
            scheduler.pacer.adopt(live.campaign_id)
            attempt = CallAttempt(live, ctx, scheduler)
            if live.sid is None:
                work, name = attempt.resolve_unknown_create(), f"reconcile claim {live.call_id}"
            else:
                work, name = attempt.resume(), f"reconcile call {live.call_id}"
            scheduler.run(attempt, work, name)
            attempts.append(attempt)
        for live in pending:
            attempt = CallAttempt(live, ctx, scheduler)
            scheduler.run(attempt, attempt.finish_results(), "results")
            attempts.append(attempt)
        if open_calls:
            log.info("reconciled %d call(s) left open by a previous run", len(open_calls))
        return attempts

    def _keep_pacing(self, last_starts: dict[int, datetime]) -> None:
        """Keep pacing across a restart: each campaign's last start happened that long ago."""
        now_wall, now_mono = self._ctx.clock.now(), self._ctx.clock.monotonic()
        pacer = self._scheduler.pacer
        for cid, at in last_starts.items():
            ago = (now_wall - at).total_seconds()
            if 0 <= ago < PACING_MEMORY_S:
                pacer.started(cid, now_mono - ago)
                pacer.sent(cid, now_mono - ago)
                pacer.ended(cid)
