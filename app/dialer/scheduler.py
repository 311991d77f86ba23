"""The scheduler: plans, runs, the pacer, what is due now, and when a campaign is complete.

One task decides when the next call of each running campaign may start; each claim then
becomes a CallAttempt running in its own task. Database work happens in short synchronous
transactions on the loop thread: each is a few small statements.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime, timedelta

from app.dialer import plans, writes
from app.dialer.attempt import CallAttempt
from app.dialer.connectivity import Connectivity
from app.dialer.context import DialerContext
from app.dialer.events import CampaignStateChanged, ContactChanged, DialerStatus
from app.dialer.plans import CampaignPlan
from app.dialer.runs import CampaignRun
from app.dialer.status_line import status_line
from app.domain.pacing import Pacer
from app.domain.status import CampaignState, ContactStatus
from app.settings import get_setting
from app.store import campaigns as campaign_store
from app.store.models import Campaign
from app.telephony.errors import ProviderError, is_unreachable

log = logging.getLogger(__name__)

IDLE_RECHECK_S = 30.0  # look at the database again at least this often when idle
STATUS_TICK_S = 1.0
PLAN_REFRESH_S = 3.0  # what another process changed (settings, states, imports) applies this soon
RATE_LIMIT_BACKOFF_S = 5.0
PROBE_MAX_S = 15.0  # offline: the longest wait between two probes of Twilio
LATE_START_GRACE = timedelta(seconds=60)
CALLING = ContactStatus.CALLING.value
NEVER = float("inf")


class Scheduler:
    """Decides what to dial when; the host every CallAttempt reports back to."""

    def __init__(self, ctx: DialerContext, *, cps: float | None) -> None:
        self._ctx = ctx
        self._cps_override = cps
        self.pacer = Pacer(cps or 1.0)
        self._runs: dict[int, CampaignRun] = {}
        self._scheduled: dict[int, CampaignPlan] = {}
        self.attempts: dict[int, CallAttempt] = {}  # by call id, until each has its results
        self._task_of: dict[int, asyncio.Task] = {}  # by call id: the attempt's current step
        self._wake = asyncio.Event()
        self.progress = asyncio.Event()  # something finished: run_until_done looks again
        self._reload = True
        self._holding = False
        self._only: set[int] | None = None
        self._paused: set[int] = set()  # paused by this dialer (for the status line)
        self._opened_at: datetime | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._tasks: set[asyncio.Task] = set()
        self._last_status: DialerStatus | None = None
        self._results_waiting: str | None = None  # why finished calls cannot store results
        self._rotation = 0
        self._next_dial = NEVER  # monotonic time of the next paced start, if any
        self._plans_read_at = float("-inf")
        self._idle_campaigns: set[int] = set()  # nothing dialable now (after the last pass)
        self._connectivity: Connectivity = ctx.connectivity
        self._connectivity.on_change = self._connectivity_changed
        self._probe: asyncio.Task | None = None
        # A shared database (app.dialer.leases): only leased campaigns are dialled here, at
        # this worker's share of the CPS cap. None: this dialer has the database to itself.
        self._leased: set[int] | None = None
        self._cps_share = 1
        self.running_ids: set[int] = set()  # running campaigns as last read (leased or not)
        self._waiting_for_lease: set[int] = set()
        self.wanted_changed = lambda: None  # the lease keeper looks again

    # -- life ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def note_opened(self) -> None:
        """CallDeck opened now: a scheduled start missed meanwhile says so."""
        self._opened_at = self._ctx.clock.now()

    def start(self) -> None:
        self._reload = True
        loop = asyncio.get_running_loop()
        self._connectivity.reset()
        self._ctx.provider.watch_reachability(self._connectivity.threadsafe_listener(loop))
        self._stopping = False
        self._task = asyncio.create_task(self._schedule_forever(), name="dialer scheduler")

    async def stop(self) -> None:
        """Cancel and await every task; the lines of calls still live are released."""
        self._ctx.provider.watch_reachability(None)
        tasks = [t for t in (self._task, self._probe, *self._tasks) if t is not None]
        # Python 3.11's wait_for swallows a cancel that lands as its event is set (a wake()
        # just before stop()): the loop also checks this flag.
        self._stopping = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = self._probe = None
        self._tasks.clear()
        for attempt in self.attempts.values():
            attempt.release_line()
        self.attempts.clear()
        self._task_of.clear()
        self._holding = False
        self.progress.set()  # a run_until_done waiting elsewhere sees the scheduler gone

    def wake(self) -> None:
        """Re-read campaign settings (limits, windows, states) now."""
        self._reload = True
        self._wake.set()

    def set_cps(self, cps: float | None) -> None:
        self._cps_override = cps
        if cps is not None:
            self.pacer.cps = cps / self._cps_share
        self.wake()

    def share_by_lease(self) -> None:
        """Dial only the campaigns set_leased() hands over (several dialers, one database)."""
        self._leased = set()

    def set_leased(self, held: set[int], holders: int) -> None:
        """These campaigns are leased to this dialer, and *holders* workers share the cap.
        Calls of a campaign whose lease was lost are no longer followed here: only the
        holder writes, and the new one reconciles them with the provider."""
        lost = (self._leased or set()) - held
        for call_id, attempt in list(self.attempts.items()):
            if attempt.live.campaign_id in lost:
                task = self._task_of.pop(call_id, None)
                if task is not None:
                    task.cancel()
                attempt.release_line()
                del self.attempts[call_id]
        self._leased = set(held)
        self._cps_share = max(1, holders)
        self.wake()

    def lease_wanted(self) -> set[int]:
        """The campaigns this dialer would dial, or still has calls in."""
        return self.running_ids | {a.live.campaign_id for a in self.attempts.values()}

    def restrict_to(self, campaign_ids: set[int] | None) -> None:
        self._only = campaign_ids
        self.wake()

    def hold(self) -> None:
        self._holding = True
        self._wake.set()
        self.publish_status()

    def campaign_started(self, campaign_id: int) -> None:
        self._paused.discard(campaign_id)
        self.wake()

    def campaign_paused(self, campaign_id: int) -> None:
        # Take it off the scheduler at once rather than at the next reload.
        self._paused.add(campaign_id)
        self._runs.pop(campaign_id, None)
        self._scheduled.pop(campaign_id, None)
        self.wake()

    def run(self, attempt: CallAttempt, work: Coroutine, name: str) -> None:
        """Run one step of *attempt* (dial, resume, resolve, results) in its own task."""
        self.attempts[attempt.live.call_id] = attempt
        task = asyncio.create_task(work, name=name)
        self._task_of[attempt.live.call_id] = task
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("dialer task %s failed", task.get_name(), exc_info=task.exception())
        self.progress.set()

    # -- what CallAttempt asks of its host -------------------------------------------------------

    def may_dial(self, campaign_id: int) -> bool:
        return not self._holding and self._connectivity.online and campaign_id in self._runs

    def create_answered(self, campaign_id: int) -> None:
        self.pacer.sent(campaign_id, self._ctx.clock.monotonic())
        self._wake.set()

    def line_released(self, campaign_id: int) -> None:
        self.pacer.ended(campaign_id)
        self._wake.set()
        self.progress.set()

    def given_back(self, campaign_id: int) -> None:
        run = self._runs.get(campaign_id)
        if run is not None:
            run.needs_load = True

    def back_off(self, campaign_id: int) -> None:
        run = self._runs.get(campaign_id)
        if run is not None:
            run.backoff_until = self._ctx.clock.monotonic() + RATE_LIMIT_BACKOFF_S

    def stop_campaign(self, campaign_id: int, message: str) -> None:
        self._pause_for(campaign_id, message)
        self.wake()

    def note_retry(self, campaign_id: int, retry_at: datetime | None) -> None:
        run = self._runs.get(campaign_id)
        if run is not None:
            run.note_retry(retry_at)

    def attempt_over(self, attempt: CallAttempt) -> None:
        self.attempts.pop(attempt.live.call_id, None)
        self._task_of.pop(attempt.live.call_id, None)
        self.progress.set()

    # -- Twilio unreachable ------------------------------------------------------------------------

    def _connectivity_changed(self, online: bool) -> None:
        if online:
            self.wake()  # contacts given back meanwhile are dialable again
        elif self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._probe_until_online(), name="twilio probe")
        self.publish_status()
        self.progress.set()

    async def _probe_until_online(self) -> None:
        """While offline: one cheap request now and then, backing off; any answer ends it."""
        ctx, connectivity = self._ctx, self._connectivity
        delay = ctx.poll_interval_s
        while not connectivity.online:
            await connectivity.wait(ctx.clock, ctx.clock.monotonic() + delay)
            if connectivity.online:
                return  # a poll or search got through first
            try:
                await ctx.provider.ping()
            except ProviderError as exc:
                if is_unreachable(exc):
                    delay = min(PROBE_MAX_S, delay * 2)
                    continue
                # Any answer, even a refusal, means Twilio can be reached.
            except Exception:
                log.exception("probing Twilio failed unexpectedly")
                delay = min(PROBE_MAX_S, delay * 2)
                continue
            connectivity.reached()

    # -- one pass --------------------------------------------------------------------------------

    async def _schedule_forever(self) -> None:
        clock = self._ctx.clock
        while not self._stopping:
            self._wake.clear()
            try:
                deadline = self._tick()
            except Exception:
                log.exception("dialer scheduler pass failed; trying again shortly")
                deadline = clock.monotonic() + 1.0
            self.progress.set()
            await clock.sleep_until(deadline, self._wake)

    def _tick(self) -> float:
        mono, wall = self._ctx.clock.monotonic(), self._ctx.clock.now()
        if self._reload:
            self._load_plans()
        elif mono >= self._plans_read_at + PLAN_REFRESH_S:  # same sum as the wake-up below
            self._load_plans(refresh_lists=False)  # edits made without wake() (another process)
        next_wake = min(mono + IDLE_RECHECK_S, self._plans_read_at + PLAN_REFRESH_S)
        next_wake = min(next_wake, self._start_due_scheduled(wall, mono))
        runs = list(self._runs.values())
        if runs:
            self._rotation = (self._rotation + 1) % len(runs)
            runs = runs[self._rotation :] + runs[: self._rotation]
        self._idle_campaigns = set()
        self._next_dial = NEVER
        for run in runs:
            next_wake = min(next_wake, self._dial_what_is_due(run, mono, wall))
        self.publish_status(self._next_dial)
        if self._next_dial != NEVER:
            next_wake = min(next_wake, mono + STATUS_TICK_S)  # "next call in N s" counts down
        return next_wake

    def _dial_what_is_due(self, run: CampaignRun, mono: float, wall: datetime) -> float:
        """Claim and dial as many as the limits allow now; return when to look again."""
        cid = run.plan.id
        reloaded = False
        while True:
            if self._holding:
                self._idle_campaigns.add(cid)
                return NEVER
            if not self._connectivity.online:
                return NEVER  # not idle: its contacts wait for Twilio; coming back wakes us
            at = self.pacer.next_start(cid, run.plan.limits)
            if at is None or at == NEVER:
                return NEVER  # lines busy or a create in flight: its end wakes us
            at = max(at, run.backoff_until)
            # Reading the list needs no line: an idle campaign learns now whether it still is.
            if run.due_for_reload(wall) and not reloaded:
                reloaded = True  # at most once per pass: a list that keeps failing must not spin
                with self._ctx.store.session() as session:
                    run.fill(plans.dialable_candidates(session, run.plan), wall)
            if at > mono:
                if not run.queue and not run.due_for_reload(wall):
                    return self._idle(run, mono, wall)
                self._next_dial = min(self._next_dial, at)
                return at
            candidate = run.next_candidate(wall)
            if candidate is None:
                return self._idle(run, mono, wall)
            if self._ctx.agent_refusal is not None:  # before any call: nothing is claimed
                self.stop_campaign(cid, self._ctx.agent_refusal)
                return NEVER
            with self._ctx.writer.transaction() as tx:
                live = writes.claim_contact(
                    tx,
                    run.plan,
                    candidate,
                    wall,
                    simulated=self._ctx.simulated,
                    skip_locked=self._leased is not None,
                )
            if live is None:
                with self._ctx.store.session() as session:
                    state = plans.campaign_state(session, cid)
                if state != CampaignState.RUNNING:
                    self.wake()  # paused or edited elsewhere: re-read the plans
                    return NEVER
                run.needs_load = True  # the candidate was stale: read the list next pass
                continue
            self.pacer.started(cid, mono)
            self._ctx.hub.publish(ContactChanged(cid, live.contact_id, CALLING))
            # Scheduled time: when the limits allowed it, or when the previous create was
            # answered if that came later (creates go one at a time).
            due = max(at, self.pacer.last_answer)
            attempt = CallAttempt(live, self._ctx, self)
            self.run(attempt, attempt.dial(run.plan, due), f"call {live.call_id}")

    def _idle(self, run: CampaignRun, mono: float, wall: datetime) -> float:
        """Nothing of *run* to dial now: maybe it is complete; else when someone will be."""
        self._maybe_complete(run)
        if run.needs_load:  # contacts arrived since the list was read (an import): not idle
            return mono
        self._idle_campaigns.add(run.plan.id)
        if run.later is None:
            return NEVER
        return mono + max(0.0, (run.later - wall).total_seconds())

    # -- plans and campaign states ---------------------------------------------------------------

    def _load_plans(self, *, refresh_lists: bool = True) -> None:
        """Re-read campaigns; *refresh_lists* also re-reads every contact list (after wake(),
        e.g. an import), otherwise only the lists of campaigns whose settings changed."""
        self._reload = False
        self._plans_read_at = self._ctx.clock.monotonic()
        with self._ctx.store.session() as session:
            active = plans.active_plans(session)
            if self._only is not None:
                active = {cid: plan for cid, plan in active.items() if cid in self._only}
            cps = self._cps_override
            if cps is None:
                cps = float(get_setting(session, "calls_per_second") or 1.0)
            self.pacer.cps = cps / self._cps_share
        running = {cid for cid, plan in active.items() if plan.state == CampaignState.RUNNING}
        if running != self.running_ids:
            self.running_ids = running
            self.wanted_changed()
        if self._leased is not None:  # another worker dials the rest
            self._waiting_for_lease = running - self._leased
            active = {cid: p for cid, p in active.items() if cid not in self._waiting_for_lease}
        for cid in list(self._runs):
            if cid not in active or active[cid].state != CampaignState.RUNNING:
                del self._runs[cid]
        self._scheduled = {}
        for cid, plan in active.items():
            if plan.state == CampaignState.RUNNING and not plan.caller_id:
                self._runs.pop(cid, None)
                self._pause_for(cid, "it has no caller-ID; pick one, then start it again")
            elif plan.state == CampaignState.SCHEDULED:
                self._scheduled[cid] = plan
            elif cid in self._runs:
                run = self._runs[cid]
                # An idle campaign's list is re-read too: contacts imported by another
                # process (a `calldeck import` beside `calldeck run`) are seen within seconds.
                if refresh_lists or run.plan != plan or not run.queue:
                    run.needs_load = True
                run.plan = plan
            else:
                self._runs[cid] = CampaignRun(plan)
        self._ctx.provider.size_for(sum(run.plan.limits.concurrency for run in self._runs.values()))

    def _start_due_scheduled(self, wall: datetime, mono: float) -> float:
        next_wake = NEVER
        for cid, plan in list(self._scheduled.items()):
            if plan.start_at is not None and plan.start_at > wall:
                next_wake = min(next_wake, mono + (plan.start_at - wall).total_seconds())
                continue
            with self._ctx.store.session.begin() as session:
                campaign = session.get(Campaign, cid)
                if campaign is None or campaign.state != CampaignState.SCHEDULED:
                    continue
                try:
                    state = campaign_store.start_campaign(session, campaign, wall)
                except campaign_store.CampaignError as exc:
                    campaign.state = CampaignState.PAUSED.value
                    state, message = CampaignState.PAUSED.value, f"Could not start: {exc}"
                else:
                    message = self._scheduled_start_message(plan.start_at, wall)
            del self._scheduled[cid]
            self._ctx.hub.publish(CampaignStateChanged(cid, state, message))
            self._reload = True
            next_wake = mono
        return next_wake

    def _scheduled_start_message(self, start_at: datetime | None, wall: datetime) -> str:
        opened = self._opened_at or wall
        if start_at is not None and start_at < opened - LATE_START_GRACE:
            return (
                f"Started on opening CallDeck: it was scheduled for "
                f"{start_at:%Y-%m-%d %H:%M} UTC, while CallDeck was closed"
            )
        return "Started at its scheduled time"

    def _maybe_complete(self, run: CampaignRun) -> None:
        cid = run.plan.id
        if run.later is not None or self.pacer.active(cid) > 0:
            return
        with self._ctx.store.session.begin() as session:
            campaign = session.get(Campaign, cid)
            if campaign is None or campaign.state != CampaignState.RUNNING:
                return
            if campaign_store.has_dialable(session, cid):
                run.needs_load = True  # someone became dialable since the queue was filled
                return
            if plans.has_live_calls(session, cid):
                return  # not complete while a call is still out there
            campaign.state = CampaignState.COMPLETED.value
        del self._runs[cid]
        self._ctx.hub.publish(
            CampaignStateChanged(
                cid, CampaignState.COMPLETED.value, "Completed: no one left to call"
            )
        )

    def _pause_for(self, campaign_id: int, message: str) -> None:
        """Pause a campaign the dialer cannot go on with, saying why."""
        with self._ctx.store.session.begin() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                return
            state = campaign_store.pause_campaign(campaign)
        self._runs.pop(campaign_id, None)
        self._paused.add(campaign_id)
        self._ctx.hub.publish(
            CampaignStateChanged(campaign_id, state, f"Paused: {message}", paused_because=message)
        )

    # -- completion and the status line ------------------------------------------------------------

    def settled(self, wanted: set[int] | None) -> bool:
        """Nothing of these campaigns (None: all) is dialable now or still in flight."""
        if self._reload or self._wake.is_set():
            return False

        def mine(cid: int) -> bool:
            return wanted is None or cid in wanted

        if any(mine(attempt.live.campaign_id) for attempt in self.attempts.values()):
            return False
        if any(mine(cid) for cid in self._waiting_for_lease):
            return False  # another worker dials it; this one stands by to take over
        return all(cid in self._idle_campaigns for cid in self._runs if mine(cid))

    async def wait_until_settled(self, wanted: set[int] | None) -> None:
        self._wake.set()  # one fresh pass, so "idle" reflects the database as it is now
        while True:
            self.progress.clear()
            if self.settled(wanted):
                return
            if not self.running:
                raise RuntimeError("the dialer's scheduler stopped")
            await self.progress.wait()

    def next_dial(self, wanted: set[int] | None) -> tuple[datetime, str, str] | None:
        """(when, why, local time) of the earliest dial still ahead in these campaigns."""
        upcoming: list[tuple[datetime, str, str]] = [
            (run.later, run.later_reason, run.later_local)
            for cid, run in self._runs.items()
            if (wanted is None or cid in wanted) and run.later is not None
        ]
        upcoming += [
            (plan.start_at, "scheduled", "")
            for cid, plan in self._scheduled.items()
            if (wanted is None or cid in wanted) and plan.start_at is not None
        ]
        return min(upcoming, key=lambda item: item[0], default=None)

    def status(self) -> DialerStatus:
        return self._last_status or DialerStatus(0, 0, None, "Idle")

    def results_waiting(self, reason: str | None) -> None:
        """A call's results cannot be stored now (the disk is full): the status line says so."""
        if reason != self._results_waiting:
            self._results_waiting = reason
            self.publish_status()

    def publish_status(self, next_wake: float | None = None) -> None:
        active = self.pacer.total_active()
        capacity = sum(run.plan.limits.concurrency for run in self._runs.values())
        next_in = None
        if next_wake is not None and next_wake != NEVER and self._runs and not self._holding:
            next_in = max(0.0, next_wake - self._ctx.clock.monotonic())
        message = status_line(
            holding=self._holding,
            offline=not self._connectivity.online,
            runs=list(self._runs.values()),
            scheduled=list(self._scheduled.values()),
            any_paused=bool(self._paused),
            active=active,
            capacity=capacity,
            next_in=next_in,
        )
        if self._results_waiting:
            message = f"{message} · {self._results_waiting}"
        status = DialerStatus(
            active,
            capacity,
            None if next_in is None else round(next_in),
            message,
            unreachable=self._connectivity.message,
        )
        if status != self._last_status:
            self._last_status = status
            self._ctx.hub.publish(status)
