"""DialerService: the campaign runner's facade (see app/dialer/__init__.py for its use).

It wires the parts and keeps the public surface: the Scheduler decides what to dial when,
each call is a CallAttempt in its own task, and Recovery settles at start what a previous
run left open.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.dialer.context import DialerContext
from app.dialer.events import CallEnded, CampaignStateChanged, DialerStatus, EventHub, Subscriber
from app.dialer.leases import LeaseKeeper
from app.dialer.lock import DialerLock
from app.dialer.recovery import Recovery
from app.dialer.scheduler import Scheduler
from app.domain.clock import Clock, LoopClock
from app.domain.status import CampaignState
from app.store import campaigns as campaign_store
from app.store.engine import Store
from app.store.models import Campaign
from app.store.writer import Writer
from app.telephony.base import Provider

if TYPE_CHECKING:
    from app.agents.actions import CallResult
    from app.agents.relay.tickets import CallTicket
    from app.dialer.agent_calls import AgentCalls
    from app.telephony.callback_routes import CallbackRoutes


@dataclass
class DoneReport:
    """What run_until_done found when it returned."""

    campaign_ids: list[int]
    next_dial_at: datetime | None
    next_reason: str  # "retry" | "window" | "scheduled" | ""
    next_local: str = ""
    states: dict[int, str] = field(default_factory=dict)


class DialerService:
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
        simulated: bool = False,
        agent_calls: AgentCalls | None = None,
        agent_refusal: str | None = None,
        callbacks: CallbackRoutes | None = None,
    ) -> None:
        """*simulated*: the provider is the emulator, so every call is marked simulated.
        *agent_calls*: the voice agent's relay; *agent_refusal*: why no campaign may dial
        (e.g. live calls without a public address). *callbacks*: the served callback routes
        (Twilio can reach them): calls are followed by callbacks, polls only a safety net."""
        self.store = store
        self.provider = provider
        self.recordings_dir = Path(recordings_dir)
        self.clock: Clock = clock or LoopClock()
        self.poll_interval_s = poll_interval_s
        self._hub = EventHub()
        # One dialer per SQLite file (an OS lock); on a shared database, campaign leases.
        shared = store.backend.shared_dialing
        self._lock = None if shared else DialerLock(store.backend.dialer_lock_path())
        self._context = DialerContext(
            store,
            Writer(store.engine),
            provider,
            self.clock,
            self._hub,
            self.recordings_dir,
            poll_interval_s,
            simulated=simulated,
            agent_calls=agent_calls,
            agent_refusal=agent_refusal,
        )
        if callbacks is not None:
            from app.dialer.callbacks import CallbackInbox

            self._context.callbacks, self._context.inbox = callbacks, CallbackInbox()
            callbacks.sink = self._context.inbox
        self._scheduler = Scheduler(self._context, cps=cps)
        self._recovery = Recovery(self._context, self._scheduler)
        self._leases: LeaseKeeper | None = None
        if shared:
            self._leases = LeaseKeeper(store, self._scheduler.lease_wanted, self._leases_changed)
            self._scheduler.share_by_lease()
            self._scheduler.wanted_changed = self._leases.poke

    # -- public surface -------------------------------------------------------------------

    def store_agent_result(self, ticket: CallTicket, result: CallResult) -> None:
        """The relay's result sink. A result that comes after the call's end tells the
        Results pane again, so it shows what the agent made of the call."""
        from app.dialer.agent_calls import store_result

        if store_result(self.store, ticket, result):
            self._hub.publish(CallEnded(ticket.campaign_id or 0, ticket.call_id, ticket.contact_id))

    @property
    def calls_placed(self) -> int:
        return self._context.stats.calls_placed

    @property
    def pacing_lateness_s(self) -> deque[float]:
        """How late each create went out against its paced time (for the benchmark)."""
        return self._context.stats.pacing_lateness_s

    def subscribe(self, callback: Subscriber):
        """Call *callback(event)* for every event; returns a function that unsubscribes."""
        return self._hub.subscribe(callback)

    @property
    def inbox(self):
        """The callbacks' inbox (None: calls are polled), e.g. for the relay's AMD hold."""
        return self._context.inbox

    def call_updates(self) -> str:
        """How calls are followed, in the words README and Settings use."""
        routes = self._context.callbacks
        if routes is not None:
            return f"Call updates: status callbacks via {routes.urls().status}"
        return f"Call updates: polling every {self.poll_interval_s:g} s (no public address)"

    @property
    def agent_refusal(self) -> str | None:
        """Why no campaign may dial with these services (None: they may)."""
        return self._context.agent_refusal

    @property
    def running(self) -> bool:
        return self._scheduler.running

    async def start(self) -> None:
        """Reconcile what a previous run left open, then run the scheduler loop."""
        if self.running:
            return
        self._scheduler.note_opened()
        if self._leases is not None:
            # Each campaign's leftovers are reconciled as its lease is taken (_leases_changed).
            self._scheduler.start()
            self._leases.start()
            return
        self._lock.acquire()  # raises DialerBusy before anything is touched
        self._recovery.reconcile()
        self._scheduler.start()

    async def stop(self) -> None:
        """Cancel and await every task. Calls in progress are reconciled on the next start
        (on a shared database: by whichever worker takes the campaign's lease next)."""
        await self._scheduler.stop()
        if self._leases is not None:
            await self._leases.stop()
        self._context.writer.close()
        if self._lock is not None:
            self._lock.release()

    def _leases_changed(self, held: set[int], gained: set[int], holders: int) -> None:
        if gained:  # what a stopped or dead worker left in flight: the crash rule first
            self._recovery.reconcile(gained)
        self._scheduler.set_leased(held, holders)

    def set_cps(self, cps: float | None) -> None:
        """Change the account-wide calls-per-second cap now (None: follow the setting)."""
        self._scheduler.set_cps(cps)

    def restrict_to(self, campaign_ids: Iterable[int] | None) -> None:
        """Dial only these campaigns (None: every running or due one), e.g. `run --campaign`."""
        self._scheduler.restrict_to(None if campaign_ids is None else set(campaign_ids))

    def wake(self) -> None:
        """Re-read campaign settings (limits, windows, states) now."""
        self._scheduler.wake()

    def hold(self) -> None:
        """Stop starting new calls (campaign states untouched); live calls carry on."""
        self._scheduler.hold()

    async def start_campaign(self, campaign_id: int) -> str:
        """Start or resume (or schedule, if its start time is ahead). Raises CampaignError."""
        now = self.clock.now()
        with self.store.session.begin() as session:
            campaign = self._get_campaign(session, campaign_id)
            state = campaign_store.start_campaign(session, campaign, now)
            start_at = campaign.start_at
        if state == CampaignState.SCHEDULED:
            message = f"Scheduled for {start_at:%Y-%m-%d %H:%M} UTC"
        else:
            message = "Started"
        self._hub.publish(CampaignStateChanged(campaign_id, state, message))
        self._scheduler.campaign_started(campaign_id)
        if self._leases is not None:
            self._leases.poke()
        return state

    async def pause_campaign(self, campaign_id: int) -> str:
        """No new dials from now on; calls in progress finish and are recorded."""
        with self.store.session.begin() as session:
            campaign = self._get_campaign(session, campaign_id)
            state = campaign_store.pause_campaign(campaign)
        self._scheduler.campaign_paused(campaign_id)
        self._hub.publish(CampaignStateChanged(campaign_id, state, "Paused"))
        return state

    async def run_until_done(self, campaign_ids: Iterable[int] | None = None) -> DoneReport:
        """Return once nothing in these campaigns (default: all) is dialable now and every
        finished call's results are stored."""
        if not self.running:
            await self.start()
        wanted = None if campaign_ids is None else set(campaign_ids)
        await self._scheduler.wait_until_settled(wanted)
        return self._done_report(wanted)

    def status(self) -> DialerStatus:
        return self._scheduler.status()

    def next_dial(self, campaign_id: int) -> tuple[datetime, str, str] | None:
        """(when, why: "retry" | "window" | "scheduled", whose local time) of the campaign's
        next dial as the scheduler sees it; None when it has nothing ahead (or is not loaded)."""
        return self._scheduler.next_dial({campaign_id})

    # -- helpers ---------------------------------------------------------------------------------

    def _get_campaign(self, session, campaign_id: int) -> Campaign:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise campaign_store.CampaignError(f"no campaign with id {campaign_id}")
        return campaign

    def _done_report(self, wanted: set[int] | None) -> DoneReport:
        first = self._scheduler.next_dial(wanted)
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
