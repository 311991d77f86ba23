"""`calldeck run`: the dialer without a window.

Without --until-done it keeps going until the selected campaigns are completed or paused,
waiting through calling windows and retry delays; with it, it returns as soon as nobody is
dialable now, saying when the next retry or window opens.
`--emulator` with no URL starts an embedded emulator (speed from $CALLDECK_EMULATOR_SPEED, 1
by default). The provider, emulator and dialer come from app.services, as in the window.

Exit codes: 0 done; 2 cannot start (no account, unknown campaign, ...); 3 the dialer had to
pause a campaign (bad credentials, a caller-ID the account cannot use, ...: the reason is on
stderr and in the JSON); 130 interrupted.
Ctrl-C (or SIGTERM) once: no new dials from that moment (campaign states stay as they are, so
the next run carries on); calls in progress are followed to their end and their results stored.
Again: stop at once; calls still in progress are reconciled by the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.dialer.events import CallEnded, CampaignStateChanged, DialerEvent, DialerStatus
from app.dialer.lock import DialerBusy, DialerLock
from app.dialer.service import DoneReport
from app.domain.media_state import RecordingState
from app.domain.status import PAUSABLE_STATES, CampaignState
from app.services import Connection, Services, SetupError, choose_connection, open_services
from app.store import campaigns as campaign_store
from app.store.engine import Store, open_store
from app.store.models import Call, Campaign

log = logging.getLogger(__name__)

EXIT_OK, EXIT_SETUP, EXIT_PAUSED, EXIT_INTERRUPTED = 0, 2, 3, 130


@dataclass
class RunOutcome:
    report: DoneReport | None
    placed: int
    interrupted: bool
    paused: dict[int, str]  # campaign id -> why the dialer paused it


STATUS_EVERY_S = 5.0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _check_no_other_dialer(store: Store) -> None:
    if store.backend.shared_dialing:
        return  # several workers share it, each campaign leased to one (app.dialer.leases)
    probe = DialerLock(store.backend.dialer_lock_path())
    probe.acquire()  # raises DialerBusy
    probe.release()  # the service takes it for real when it starts


def _select_campaigns(store: Store, name: str | None) -> list[int] | None:
    """The named campaign, started if needed; None means every running or due campaign."""
    if name is None:
        return None
    with store.session.begin() as session:
        campaign = campaign_store.get_by_name(session, name)
        if campaign.state in (CampaignState.DRAFT, CampaignState.PAUSED, CampaignState.COMPLETED):
            state = campaign_store.start_campaign(session, campaign)
            _say(f"{campaign.name}: {state}")
        return [campaign.id]


def _summary(store: Store, ids: list[int] | None, outcome: RunOutcome, elapsed: float) -> dict:
    report = outcome.report
    with store.session() as session:
        campaigns = session.query(Campaign).order_by(Campaign.id)
        if ids is not None:
            campaigns = campaigns.filter(Campaign.id.in_(ids))
        rows = []
        for c in campaigns:
            counts = campaign_store.status_counts(session, c.id)
            results = {
                "recordings_downloaded": session.query(Call)
                .filter(
                    Call.campaign_id == c.id,
                    Call.recording_state == RecordingState.DOWNLOADED.to_db(),
                )
                .count(),
                "results_pending": session.query(Call)
                .filter(
                    Call.campaign_id == c.id, Call.recording_state == RecordingState.PENDING.to_db()
                )
                .count(),
            }
            rows.append(
                {
                    "id": c.id,
                    "name": c.name,
                    "state": c.state,
                    "paused_because": outcome.paused.get(c.id),
                    "counts": counts,
                    **results,
                }
            )
    next_at = report.next_dial_at if report else None
    return {
        "campaigns": rows,
        "calls_placed": outcome.placed,
        "interrupted": outcome.interrupted,
        "elapsed_s": round(elapsed, 2),
        "next_dial_at": next_at.isoformat() if next_at else None,
        "next_reason": report.next_reason if report else "",
    }


class _Progress:
    """Says on stderr what happens, and remembers why the dialer paused a campaign."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._last_status = 0.0
        self.paused: dict[int, str] = {}

    def __call__(self, event: DialerEvent) -> None:
        if isinstance(event, CampaignStateChanged):
            _say(f"campaign {event.campaign_id}: {event.state} — {event.message}")
            if event.paused_because:
                self.paused[event.campaign_id] = event.paused_because
            elif event.state != CampaignState.PAUSED:
                self.paused.pop(event.campaign_id, None)
        elif isinstance(event, CallEnded):
            with self.store.session() as session:
                call = session.get(Call, event.call_id)
                if call is not None:
                    who = f" ({call.answered_by})" if call.answered_by else ""
                    why = f": {call.error_message}" if call.error_message else ""
                    _say(f"call {call.id} attempt {call.attempt}: {call.status}{who}{why}")
        elif isinstance(event, DialerStatus):
            now = time.monotonic()
            if now - self._last_status >= STATUS_EVERY_S:
                self._last_status = now
                _say(event.message)


def _describe_next(report: DoneReport) -> str:
    if report.next_dial_at is None:
        return "Nothing left to dial."
    when = f"{report.next_dial_at:%Y-%m-%d %H:%M} UTC"
    if report.next_reason == "window":
        return f"Nothing dialable now: calling hours open at {report.next_local} ({when})."
    if report.next_reason == "scheduled":
        return f"Nothing dialable now: the next campaign is scheduled for {when}."
    return f"Nothing dialable now: the next retry is due at {when}."


async def _run(
    store: Store,
    connection: Connection,
    ids: list[int] | None,
    cps: float | None,
    until_done: bool,
) -> RunOutcome:
    services = await open_services(store, connection, cps=cps)
    _say(f"Dialing through the {services.label}.")
    try:
        return await _dial(store, services, ids, until_done)
    finally:
        await services.close()


class _Interrupts:
    """Ctrl-C (or SIGTERM, as at logout or `systemctl stop`) once: no new calls, follow the
    ones in progress; twice: stop now."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, service) -> None:
        self.service = service
        self.interrupted = asyncio.Event()
        self.hard_stop = asyncio.Event()

    def __call__(self) -> None:
        if self.interrupted.is_set():
            _say("Stopping now; calls in progress will be reconciled by the next run.")
            self.hard_stop.set()
            return
        self.interrupted.set()
        self.service.hold()
        _say("Stopping: no new calls. Waiting for calls in progress (Ctrl-C again to stop now).")

    @contextlib.contextmanager
    def installed(self):
        loop = asyncio.get_running_loop()
        for signum in self.SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self)
        try:
            yield self
        finally:
            for signum in self.SIGNALS:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signum)


async def _dial(
    store: Store, services: Services, ids: list[int] | None, until_done: bool
) -> RunOutcome:
    service = services.dialer
    service.restrict_to(ids)
    progress = _Progress(store)
    service.subscribe(progress)
    with _Interrupts(service).installed() as stop:
        await service.start()
        report = await _until_finished(service, ids, until_done, stop)
    return RunOutcome(report, service.calls_placed, stop.interrupted.is_set(), progress.paused)


async def _until_finished(
    service, ids: list[int] | None, until_done: bool, stop: _Interrupts
) -> DoneReport | None:
    """Run until nothing is dialable now (--until-done), or until the campaigns are done,
    waiting through calling windows and retry delays; None if stopped before a report."""
    report: DoneReport | None = None
    while True:
        done = asyncio.ensure_future(service.run_until_done(ids))
        stopper = asyncio.ensure_future(stop.hard_stop.wait())
        await asyncio.wait({done, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not done.done():
            done.cancel()
            return report
        report = done.result()
        if until_done or stop.interrupted.is_set():
            return report
        running = [
            cid
            for cid, state in report.states.items()
            if state in PAUSABLE_STATES  # still under way
            and (ids is not None or state == CampaignState.RUNNING)
        ]
        if not running or report.next_dial_at is None:
            return report
        _say(_describe_next(report))
        wait = max(1.0, (report.next_dial_at - service.clock.now()).total_seconds())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.hard_stop.wait(), min(wait, 60.0))
        if stop.hard_stop.is_set():
            return report
        service.wake()


def run_headless(
    *,
    home: Path,
    db_url: str | None,
    campaign: str | None,
    emulator: str | bool | None,
    cps: float | None,
    until_done: bool,
    as_json: bool,
) -> int:
    """`calldeck run`: dial the named campaign (or every running or due one) headless."""
    started = time.monotonic()
    store = open_store(Path(home), db_url)
    try:
        try:
            # Everything that can refuse the run is checked before a campaign is started.
            _check_no_other_dialer(store)
            connection = choose_connection(store, emulator)
            ids = _select_campaigns(store, campaign)
        except (SetupError, campaign_store.CampaignError, DialerBusy) as exc:
            _say(f"calldeck run: {exc}")
            return EXIT_SETUP
        try:
            outcome = asyncio.run(_run(store, connection, ids, cps, until_done))
        except DialerBusy as exc:
            _say(f"calldeck run: {exc}")
            return EXIT_SETUP
        if outcome.report is not None:
            _say(_describe_next(outcome.report))
        for campaign_id, reason in outcome.paused.items():
            _say(f"calldeck run: campaign {campaign_id} was paused: {reason}")
        if as_json:
            summary = _summary(store, ids, outcome, time.monotonic() - started)
            print(json.dumps(summary, indent=2, default=str), flush=True)
        if outcome.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_PAUSED if outcome.paused else EXIT_OK
    finally:
        store.dispose()
