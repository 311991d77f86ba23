"""DialerService: the asyncio campaign runner (claims, pacing, polling, results, recovery).

One scheduler task decides when the next call of each running campaign may start; each call
then lives in its own task (dial, poll to the end, fetch results). Database work happens in
short synchronous transactions on the loop thread: each is a few small statements.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from app.dialer import records
from app.dialer.aftercall import fetch_results
from app.dialer.events import (
    CallEnded,
    CampaignStateChanged,
    ContactChanged,
    DialerStatus,
    EventHub,
    Subscriber,
)
from app.dialer.lock import DialerLock, lock_path_for
from app.dialer.recovery import RecoveryMixin
from app.dialer.runs import CampaignRun
from app.dialer.status_line import status_line
from app.domain.clock import Clock, LoopClock
from app.domain.pacing import Pacer
from app.domain.status import CampaignState, ContactStatus
from app.settings import get_setting
from app.store import campaigns as campaign_store
from app.store.engine import Store
from app.store.models import Campaign
from app.store.writer import WRITE_REFUSED, Writer
from app.telephony.base import CallRequest, Provider
from app.telephony.errors import (
    AmbiguousCreate,
    AuthenticationFailed,
    InvalidNumber,
    NotFound,
    NotPlaced,
    ProviderError,
    RateLimited,
    TrialAccountLimit,
    UnverifiedCallerId,
)

log = logging.getLogger(__name__)

IDLE_RECHECK_S = 30.0  # look at the database again at least this often when idle
STATUS_TICK_S = 1.0
PLAN_REFRESH_S = 10.0  # campaign settings edited elsewhere apply within this long
RATE_LIMIT_BACKOFF_S = 5.0
LATE_START_GRACE = timedelta(seconds=60)
MAX_POLL_BACKOFF_S = 60.0
MAX_PERSIST_BACKOFF_S = 30.0
T = TypeVar("T")
LOST = "not placed (the create request never reached the provider)"
CAMPAIGN_STOPPERS = (AuthenticationFailed, UnverifiedCallerId)


@dataclass
class DoneReport:
    """What run_until_done found when it returned."""

    campaign_ids: list[int]
    next_dial_at: datetime | None
    next_reason: str  # "retry" | "window" | "scheduled" | ""
    next_local: str = ""
    states: dict[int, str] = field(default_factory=dict)


class DialerService(RecoveryMixin):
    """Runs every running campaign; see app/dialer/__init__.py for the public surface."""

    def __init__(
        self,
        store: Store,
        provider: Provider,
        *,
        recordings_dir: Path,
        clock: Clock | None = None,
        cps: float | None = None,
        poll_interval_s: float = 2.0,
    ) -> None:
        self.store = store
        self.provider = provider
        self.recordings_dir = Path(recordings_dir)
        self.clock: Clock = clock or LoopClock()
        self.poll_interval_s = poll_interval_s
        self._cps_override = cps
        self._pacer = Pacer(cps or 1.0)
        self._hub = EventHub()
        self._lock = DialerLock(lock_path_for(store.url))
        self._writer = Writer(store.engine)
        self._runs: dict[int, CampaignRun] = {}
        self._scheduled: dict[int, records.CampaignPlan] = {}
        self._live: dict[int, records.Tracked] = {}
        self._results_pending: dict[int, int] = {}  # call_id -> campaign_id
        self._tasks: set[asyncio.Task] = set()
        self._scheduler: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._reload = True
        self._holding = False
        self._opened_at: datetime | None = None
        self._last_status: DialerStatus | None = None
        self._rotation = 0
        self._next_dial = float("inf")  # monotonic time of the next paced start, if any
        self._paused: set[int] = set()  # paused by this service (for the status line)
        self._only: set[int] | None = None
        self._plans_read_at = float("-inf")
        self._idle_campaigns: set[int] = set()  # nothing dialable now (after the last pass)
        self.pacing_lateness_s: deque[float] = deque(maxlen=200_000)  # for the benchmark
        self.calls_placed = 0

    # -- public surface -------------------------------------------------------------------

    def subscribe(self, callback: Subscriber):
        """Call *callback(event)* for every event; returns a function that unsubscribes."""
        return self._hub.subscribe(callback)

    @property
    def running(self) -> bool:
        return self._scheduler is not None and not self._scheduler.done()

    async def start(self) -> None:
        """Reconcile what a previous run left open, then run the scheduler loop."""
        if self.running:
            return
        self._lock.acquire()  # raises DialerBusy before anything is touched
        self._opened_at = self.clock.now()
        await self._reconcile()
        self._reload = True
        self._scheduler = asyncio.create_task(self._schedule_forever(), name="dialer scheduler")

    async def stop(self) -> None:
        """Cancel and await every task. Calls in progress are reconciled on the next start."""
        tasks = [t for t in (self._scheduler, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._scheduler = None
        self._tasks.clear()
        for live in self._live.values():
            self._release_line(live)
        self._live.clear()
        self._results_pending.clear()
        self._holding = False
        self._writer.close()
        self._lock.release()
        self._progress.set()  # a run_until_done waiting elsewhere sees the scheduler gone

    def set_cps(self, cps: float | None) -> None:
        """Change the account-wide calls-per-second cap now (None: follow the setting)."""
        self._cps_override = cps
        if cps is not None:
            self._pacer.cps = cps
        self.wake()

    def restrict_to(self, campaign_ids: Iterable[int] | None) -> None:
        """Dial only these campaigns (None: every running or due one), e.g. `run --campaign`."""
        self._only = None if campaign_ids is None else set(campaign_ids)
        self.wake()

    def wake(self) -> None:
        """Re-read campaign settings (limits, windows, states) now."""
        self._reload = True
        self._wake.set()

    def hold(self) -> None:
        """Stop starting new calls (campaign states untouched); live calls carry on."""
        self._holding = True
        self._wake.set()
        self._publish_status()

    async def start_campaign(self, campaign_id: int) -> str:
        """Start or resume (or schedule, if its start time is ahead). Raises CampaignError."""
        now = self.clock.now()
        with self.store.session.begin() as session:
            campaign = self._get_campaign(session, campaign_id)
            state = campaign_store.start_campaign(session, campaign, now)
            start_at = campaign.start_at
        self._paused.discard(campaign_id)
        if state == CampaignState.SCHEDULED:
            message = f"Scheduled for {start_at:%Y-%m-%d %H:%M} UTC"
        else:
            message = "Started"
        self._hub.publish(CampaignStateChanged(campaign_id, state, message))
        self.wake()
        return state

    async def pause_campaign(self, campaign_id: int) -> str:
        """No new dials from now on; calls in progress finish and are recorded."""
        with self.store.session.begin() as session:
            campaign = self._get_campaign(session, campaign_id)
            state = campaign_store.pause_campaign(campaign)
        # Take it off the scheduler at once rather than at the next reload.
        self._paused.add(campaign_id)
        self._runs.pop(campaign_id, None)
        self._scheduled.pop(campaign_id, None)
        self._hub.publish(CampaignStateChanged(campaign_id, state, "Paused"))
        self.wake()
        return state

    async def run_until_done(self, campaign_ids: Iterable[int] | None = None) -> DoneReport:
        """Return once nothing in these campaigns (default: all) is dialable now and every
        finished call's results are stored."""
        if not self.running:
            await self.start()
        wanted = None if campaign_ids is None else set(campaign_ids)
        self._wake.set()  # one fresh pass, so "idle" reflects the database as it is now
        while True:
            self._progress.clear()
            if self._settled(wanted):
                return self._done_report(wanted)
            if self._scheduler is None or self._scheduler.done():
                raise RuntimeError("the dialer's scheduler stopped")
            await self._progress.wait()

    # -- scheduling ------------------------------------------------------------------------

    async def _schedule_forever(self) -> None:
        while True:
            self._wake.clear()
            try:
                deadline = self._tick()
            except Exception:
                log.exception("dialer scheduler pass failed; trying again shortly")
                deadline = self.clock.monotonic() + 1.0
            self._progress.set()
            await self.clock.sleep_until(deadline, self._wake)

    def _tick(self) -> float:
        mono, wall = self.clock.monotonic(), self.clock.now()
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
        self._next_dial = float("inf")
        for run in runs:
            next_wake = min(next_wake, self._dial_what_is_due(run, mono, wall))
        self._publish_status(self._next_dial)
        if self._next_dial != float("inf"):
            next_wake = min(next_wake, mono + STATUS_TICK_S)  # "next call in N s" counts down
        return next_wake

    def _dial_what_is_due(self, run: CampaignRun, mono: float, wall: datetime) -> float:
        """Claim and dial as many as the limits allow now; return when to look again."""
        cid = run.plan.id
        reloaded = False
        while True:
            if self._holding:
                self._idle_campaigns.add(cid)
                return float("inf")
            at = self._pacer.next_start(cid, run.plan.limits)
            if at is None or at == float("inf"):
                return float("inf")  # lines busy or a create in flight: its end wakes us
            at = max(at, run.backoff_until)
            if at > mono:
                if not run.queue and not run.due_for_reload(wall):
                    self._idle_campaigns.add(cid)
                    self._maybe_complete(run)
                    return self._later_mono(run, mono, wall)
                self._next_dial = min(self._next_dial, at)
                return at
            if run.due_for_reload(wall) and not reloaded:
                reloaded = True  # at most once per pass: a list that keeps failing must not spin
                with self.store.session() as session:
                    run.fill(records.dialable_candidates(session, run.plan), wall)
            candidate = run.next_candidate(wall)
            if candidate is None:
                self._idle_campaigns.add(cid)
                self._maybe_complete(run)
                return self._later_mono(run, mono, wall)
            with self._writer.transaction() as tx:
                claim = records.claim_contact(tx, run.plan, candidate, wall)
            if claim is None:
                if self._campaign_state(cid) != CampaignState.RUNNING:
                    self._reload = True  # paused or edited elsewhere: re-read the plans
                    self._wake.set()
                    return float("inf")
                run.needs_load = True  # the candidate was stale: read the list next pass
                continue
            self._pacer.started(cid, mono)
            self._live[claim.call_id] = records.Tracked(
                claim.call_id,
                cid,
                claim.contact_id,
                ContactStatus.CALLING.value,
                claim.attempts,
                run.plan.max_attempts,
                run.plan.retry_delay_min,
            )
            self._hub.publish(ContactChanged(cid, claim.contact_id, ContactStatus.CALLING.value))
            # Scheduled time: when the limits allowed it, or when the previous create was
            # answered if that came later (creates go one at a time).
            due = max(at, self._pacer.last_answer)
            self._spawn(self._dial(run, claim, due=due), f"call {claim.call_id}")

    def _campaign_state(self, campaign_id: int) -> str | None:
        with self.store.session() as session:
            return session.scalar(select(Campaign.state).where(Campaign.id == campaign_id))

    def _later_mono(self, run: CampaignRun, mono: float, wall: datetime) -> float:
        if run.later is None:
            return float("inf")
        return mono + max(0.0, (run.later - wall).total_seconds())

    def _load_plans(self, *, refresh_lists: bool = True) -> None:
        """Re-read campaigns; *refresh_lists* also re-reads every contact list (after wake(),
        e.g. an import), otherwise only the lists of campaigns whose settings changed."""
        self._reload = False
        self._plans_read_at = self.clock.monotonic()
        with self.store.session() as session:
            plans = records.active_plans(session)
            if self._only is not None:
                plans = {cid: plan for cid, plan in plans.items() if cid in self._only}
            if self._cps_override is None:
                self._pacer.cps = float(get_setting(session, "calls_per_second") or 1.0)
        for cid in list(self._runs):
            if cid not in plans or plans[cid].state != CampaignState.RUNNING:
                del self._runs[cid]
        self._scheduled = {}
        for cid, plan in plans.items():
            if plan.state == CampaignState.RUNNING and not plan.caller_id:
                self._runs.pop(cid, None)
                self._pause_for(cid, "it has no caller-ID; pick one, then start it again")
            elif plan.state == CampaignState.SCHEDULED:
                self._scheduled[cid] = plan
            elif cid in self._runs:
                run = self._runs[cid]
                if refresh_lists or run.plan != plan:
                    run.needs_load = True
                run.plan = plan
            else:
                self._runs[cid] = CampaignRun(plan)

    def _start_due_scheduled(self, wall: datetime, mono: float) -> float:
        next_wake = float("inf")
        for cid, plan in list(self._scheduled.items()):
            if plan.start_at is not None and plan.start_at > wall:
                next_wake = min(next_wake, mono + (plan.start_at - wall).total_seconds())
                continue
            with self.store.session.begin() as session:
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
            self._hub.publish(CampaignStateChanged(cid, state, message))
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
        if run.later is not None or self._pacer.active(cid) > 0:
            return
        with self.store.session.begin() as session:
            campaign = session.get(Campaign, cid)
            if campaign is None or campaign.state != CampaignState.RUNNING:
                return
            if campaign_store.has_dialable(session, cid) or records.has_live_calls(session, cid):
                run.needs_load = True  # someone became dialable since the queue was filled
                return
            campaign.state = CampaignState.COMPLETED.value
        del self._runs[cid]
        self._hub.publish(
            CampaignStateChanged(
                cid, CampaignState.COMPLETED.value, "Completed: no one left to call"
            )
        )

    # -- one call ----------------------------------------------------------------------------

    async def _dial(self, run: CampaignRun, claim: records.Claim, due: float) -> None:
        twiml = records.twiml_for(run.plan.greeting, claim.variables)
        request = CallRequest(
            to=claim.to,
            from_=claim.from_,
            twiml=twiml,
            # Pause or Ctrl-C while the provider waits out a 429 abandons the call.
            may_proceed=lambda: not self._holding and claim.campaign_id in self._runs,
        )
        if due != float("-inf"):
            self.pacing_lateness_s.append(self.clock.monotonic() - due)
        try:
            try:
                info = await self.provider.place_call(request)
            finally:
                self._pacer.sent(claim.campaign_id, self.clock.monotonic())
                self._wake.set()
        except asyncio.CancelledError:
            raise  # stop(): the claim stays "calling" and is reconciled next start
        except RateLimited as exc:
            run.backoff_until = self.clock.monotonic() + RATE_LIMIT_BACKOFF_S
            self._give_back(claim, f"not placed: {exc.user_message}")
            return
        except NotPlaced as exc:
            self._give_back(claim, f"not placed: {exc.user_message}")
            return
        except CAMPAIGN_STOPPERS as exc:
            self._give_back(claim, f"not placed: {exc.user_message}")
            await self._stop_campaign(claim.campaign_id, exc.user_message)
            return
        except TrialAccountLimit as exc:
            if exc.code == 10004:  # one call at a time on trial accounts: the campaign's limit
                self._give_back(claim, f"not placed: {exc.user_message}")
                await self._stop_campaign(claim.campaign_id, exc.user_message)
            else:
                self._fail(claim, exc, permanent=True)
            return
        except AmbiguousCreate:
            log.warning(
                "call %s: create request lost; reconciling, never redialling", claim.call_id
            )
            await self._resolve_unknown_create(
                claim.call_id, claim.to, claim.from_, claim.claimed_at, not_placed_reason=LOST
            )
            return
        except ProviderError as exc:
            if exc.retryable:  # 5xx / no connection after the provider's own retries: unknown
                await self._resolve_unknown_create(
                    claim.call_id, claim.to, claim.from_, claim.claimed_at, not_placed_reason=LOST
                )
            else:
                self._fail(claim, exc, permanent=isinstance(exc, InvalidNumber))
            return
        except Exception:
            log.exception("call %s: unexpected error placing the call", claim.call_id)
            await self._resolve_unknown_create(
                claim.call_id, claim.to, claim.from_, claim.claimed_at, not_placed_reason=LOST
            )
            return
        self.calls_placed += 1

        def store_sid() -> None:
            with self._writer.transaction() as tx:
                records.record_placed(tx, claim.call_id, info)

        await self._persist(f"call {claim.call_id}: saving its sid", store_sid)
        await self._follow(claim.call_id, info.sid, first_info=info)

    async def _persist(self, what: str, write: Callable[[], T]) -> T:
        """Run a write that must not be lost, retrying while the database refuses it
        (locked, disk full). The line stays held meanwhile: the call is real."""
        delay = 0.5
        while True:
            try:
                return write()
            except WRITE_REFUSED as exc:
                log.warning("%s failed (%s); retrying in %.1f s", what, exc, delay)
                await self.clock.sleep_until(self.clock.monotonic() + delay)
                delay = min(delay * 2, MAX_PERSIST_BACKOFF_S)

    def _give_back(self, claim: records.Claim, reason: str) -> None:
        with self.store.session.begin() as session:
            records.give_back(session, claim.call_id, reason, self.clock.now())
        self._line_freed(claim.call_id)
        run = self._runs.get(claim.campaign_id)
        if run is not None:
            run.needs_load = True
        self._hub.publish(
            ContactChanged(claim.campaign_id, claim.contact_id, ContactStatus.QUEUED.value)
        )

    def _fail(self, claim: records.Claim, exc: ProviderError, *, permanent: bool) -> None:
        with self.store.session.begin() as session:
            _, status, retry_at = records.fail_attempt(
                session,
                claim.call_id,
                exc.user_message,
                exc.code,
                self.clock.now(),
                permanent=permanent,
            )
        self._note_retry(claim.campaign_id, retry_at)
        self._line_freed(claim.call_id)
        self._hub.publish(ContactChanged(claim.campaign_id, claim.contact_id, status))
        self._hub.publish(CallEnded(claim.campaign_id, claim.call_id, claim.contact_id))

    async def _stop_campaign(self, campaign_id: int, message: str) -> None:
        self._pause_for(campaign_id, message)
        self.wake()

    def _pause_for(self, campaign_id: int, message: str) -> None:
        """Pause a campaign the dialer cannot go on with, saying why."""
        with self.store.session.begin() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                return
            state = campaign_store.pause_campaign(campaign)
        self._runs.pop(campaign_id, None)
        self._paused.add(campaign_id)
        self._hub.publish(CampaignStateChanged(campaign_id, state, f"Paused: {message}"))

    async def _follow(self, call_id: int, sid: str, first_info=None) -> None:
        """Poll the call to its end, store the outcome, then its results."""
        info = first_info
        errors = 0
        live = self._live.get(call_id)
        while True:
            if info is not None and self._worth_writing(live, info):
                update = await self._persist(
                    f"call {call_id}: saving its status", partial(self._apply, call_id, info)
                )
                if update.final:
                    break
            await self.clock.sleep_until(self.clock.monotonic() + self.poll_interval_s)
            try:
                info = await self.provider.fetch_call(sid)
                errors = 0
            except NotFound:
                with self.store.session.begin() as session:
                    update = records.fail_unknown_call(
                        session,
                        call_id,
                        "the provider has no record of this call any more",
                        self.clock.now(),
                    )
                self._after_final(call_id, update)
                break
            except Exception as exc:  # a poll that fails must not strand the line
                info = None
                errors += 1
                log.warning("call %s: status check failed (%s)", call_id, exc)
                # Keep asking (the line stays held), but less often while the provider struggles.
                backoff = min(MAX_POLL_BACKOFF_S, self.poll_interval_s * 2 ** min(errors, 8))
                await self.clock.sleep_until(self.clock.monotonic() + backoff)
        if update.answered:
            await self._fetch_results(call_id, sid)
        live = self._live.get(call_id)
        campaign_id = live.campaign_id if live else self._campaign_of(call_id)
        self._results_pending.pop(call_id, None)
        self._live.pop(call_id, None)
        self._hub.publish(CallEnded(campaign_id, call_id, update.contact_id))
        self._progress.set()

    @staticmethod
    def _worth_writing(tracked: records.Tracked | None, info) -> bool:
        """Only what changes the contact (answered, ended) is written; "ringing" is not."""
        if tracked is None or info.is_final:
            return True
        return info.status == ContactStatus.CONNECTED and not tracked.answered

    def _apply(self, call_id: int, info) -> records.StatusUpdate:
        tracked = self._live[call_id]
        # Work on a copy: if the transaction fails, what we remember must match the database.
        draft = replace(tracked)
        with self._writer.transaction() as tx:
            update = records.apply_call_info(tx, draft, info, self.clock.now())
        vars(tracked).update(vars(draft))
        if update.final:
            self._after_final(call_id, update)
        elif update.contact_status is not None:
            live = self._live.get(call_id)
            if live is not None:
                self._hub.publish(
                    ContactChanged(live.campaign_id, live.contact_id, update.contact_status)
                )
        return update

    def _after_final(self, call_id: int, update: records.StatusUpdate) -> None:
        live = self._live.get(call_id)
        if live is None:
            return
        if update.answered:
            self._results_pending[call_id] = live.campaign_id
        self._note_retry(live.campaign_id, update.retry_at)
        self._release_line(live)
        live_status = update.contact_status
        if live_status is not None:
            self._hub.publish(ContactChanged(live.campaign_id, live.contact_id, live_status))
        self._wake.set()

    def _line_freed(self, call_id: int) -> None:
        live = self._live.pop(call_id, None)
        if live is not None:
            self._release_line(live)
        self._wake.set()
        self._progress.set()

    def _release_line(self, live: records.Tracked) -> None:
        """The call no longer counts against its campaign's concurrency (exactly once)."""
        if live.line_held:
            live.line_held = False
            self._pacer.ended(live.campaign_id)

    def _note_retry(self, campaign_id: int, retry_at: datetime | None) -> None:
        run = self._runs.get(campaign_id)
        if run is not None:
            run.note_retry(retry_at)

    async def _fetch_results(self, call_id: int, sid: str) -> None:
        try:
            await fetch_results(
                self._writer,
                self.provider,
                call_id,
                sid,
                recordings_dir=self.recordings_dir,
                clock=self.clock,
                poll_interval_s=self.poll_interval_s,
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s: could not store its recording/transcript", call_id)
            with self.store.session.begin() as session:
                call = session.get(records.Call, call_id)
                if call is not None:
                    call.recording_state = call.recording_state or "unavailable: internal error"
                    if call.recording_state == "pending":
                        call.recording_state = "unavailable: CallDeck hit an error; see the log"
                    if call.transcript_state == "pending":
                        call.transcript_state = "unavailable: CallDeck hit an error; see the log"

    def _campaign_of(self, call_id: int) -> int:
        with self.store.session() as session:
            call = session.get_one(records.Call, call_id)
            return call.campaign_id

    # -- helpers ---------------------------------------------------------------------------------

    def _spawn(self, coro, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("dialer task %s failed", task.get_name(), exc_info=task.exception())
        self._progress.set()

    def _get_campaign(self, session, campaign_id: int) -> Campaign:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise campaign_store.CampaignError(f"no campaign with id {campaign_id}")
        return campaign

    def _settled(self, wanted: set[int] | None) -> bool:
        if self._reload or self._wake.is_set():
            return False

        def mine(cid: int) -> bool:
            return wanted is None or cid in wanted

        if any(mine(live.campaign_id) for live in self._live.values()):
            return False
        if any(mine(cid) for cid in self._results_pending.values()):
            return False
        return all(cid in self._idle_campaigns for cid in self._runs if mine(cid))

    def _done_report(self, wanted: set[int] | None) -> DoneReport:
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
        first = min(upcoming, key=lambda item: item[0], default=None)
        with self.store.session() as session:
            query = select(Campaign.id, Campaign.state)
            if wanted is not None:
                query = query.where(Campaign.id.in_(wanted))
            states = {cid: state for cid, state in session.execute(query)}
        return DoneReport(
            campaign_ids=sorted(states),
            next_dial_at=first[0] if first else None,
            next_reason=first[1] if first else "",
            next_local=first[2] if first else "",
            states=states,
        )

    def status(self) -> DialerStatus:
        return self._last_status or DialerStatus(0, 0, None, "Idle")

    def _publish_status(self, next_wake: float | None = None) -> None:
        active = self._pacer.total_active()
        capacity = sum(run.plan.limits.concurrency for run in self._runs.values())
        next_in = None
        if next_wake is not None and next_wake != float("inf") and self._runs and not self._holding:
            next_in = max(0.0, next_wake - self.clock.monotonic())
        message = status_line(
            holding=self._holding,
            runs=list(self._runs.values()),
            scheduled=list(self._scheduled.values()),
            any_paused=bool(self._paused),
            active=active,
            capacity=capacity,
            next_in=next_in,
        )
        status = DialerStatus(
            active, capacity, None if next_in is None else round(next_in), message
        )
        if status != self._last_status:
            self._last_status = status
            self._hub.publish(status)
