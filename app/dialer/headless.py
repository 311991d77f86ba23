"""`calldeck run`: the dialer without a window.

Without --until-done it keeps going until the selected campaigns are completed or paused,
waiting through calling windows and retry delays; with it, it returns as soon as nobody is
dialable now, saying when the next retry or window opens.
`--emulator` with no URL starts an embedded emulator (speed from $CALLDECK_EMULATOR_SPEED, 1
by default).

Exit codes: 0 done; 2 cannot start (no account, unknown campaign, ...); 130 interrupted.
Ctrl-C once: no new dials from that moment (campaign states stay as they are, so the next run
carries on); calls in progress are followed to their end and their results stored. Ctrl-C
again: stop at once; calls still in progress are reconciled by the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.dialer.events import CallEnded, CampaignStateChanged, DialerEvent, DialerStatus
from app.dialer.lock import DialerBusy, DialerLock, lock_path_for
from app.dialer.service import DialerService, DoneReport
from app.domain.media_state import RecordingState
from app.domain.status import CampaignState
from app.paths import recordings_dir
from app.settings import get_setting
from app.store import campaigns as campaign_store
from app.store.engine import Store, open_store
from app.store.models import Call, Campaign

log = logging.getLogger(__name__)

EXIT_OK, EXIT_SETUP, EXIT_INTERRUPTED = 0, 2, 130
STATUS_EVERY_S = 5.0


class SetupError(Exception):
    """The run cannot start; the message says what to do."""


@dataclass
class Connection:
    provider: object
    label: str
    emulator: object | None = None


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _connect(store: Store, emulator: str | bool | None) -> Connection:
    from app.telephony.twilio_provider import TwilioProvider

    if emulator is True:
        from app.telephony.emulator import EmulatorThread

        speed = float(os.environ.get("CALLDECK_EMULATOR_SPEED", "1"))
        emu = EmulatorThread(speed=speed)
        emu.start()
        provider = TwilioProvider(emu.account_sid, emu.auth_token, base_url=emu.base_url)
        return Connection(provider, f"embedded emulator at {emu.base_url} (simulated calls)", emu)
    if isinstance(emulator, str) and emulator:
        sid, token = os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN")
        if not sid or not token:
            raise SetupError(
                "--emulator URL needs the emulator's credentials in TWILIO_ACCOUNT_SID and "
                "TWILIO_AUTH_TOKEN (the emulator prints them when it starts)."
            )
        return Connection(
            TwilioProvider(sid, token, base_url=emulator), f"emulator at {emulator} (simulated)"
        )
    from app.secrets import get_auth_token, mask_sid

    with store.session() as session:
        sid = get_setting(session, "twilio_account_sid")
    if not sid:
        raise SetupError(
            "No Twilio account is set up. Add one in Settings (or run with --emulator for "
            "simulated calls)."
        )
    token = get_auth_token(sid)
    if not token:
        raise SetupError(
            f"The auth token for Twilio account {mask_sid(sid)} is not in the keyring. "
            "Enter it again in Settings."
        )
    return Connection(TwilioProvider(sid, token), f"Twilio account {mask_sid(sid)} (live calls)")


def _check_no_other_dialer(store: Store) -> None:
    probe = DialerLock(lock_path_for(store.url))
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


def _summary(
    store: Store,
    ids: list[int] | None,
    report: DoneReport | None,
    placed: int,
    interrupted: bool,
    elapsed: float,
) -> dict:
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
            rows.append({"id": c.id, "name": c.name, "state": c.state, "counts": counts, **results})
    next_at = report.next_dial_at if report else None
    return {
        "campaigns": rows,
        "calls_placed": placed,
        "interrupted": interrupted,
        "elapsed_s": round(elapsed, 2),
        "next_dial_at": next_at.isoformat() if next_at else None,
        "next_reason": report.next_reason if report else "",
    }


class _Progress:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._last_status = 0.0

    def __call__(self, event: DialerEvent) -> None:
        if isinstance(event, CampaignStateChanged):
            _say(f"campaign {event.campaign_id}: {event.state} — {event.message}")
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
    conn: Connection,
    ids: list[int] | None,
    cps: float | None,
    until_done: bool,
) -> tuple[DoneReport | None, int, bool]:
    with store.session() as session:
        poll = float(get_setting(session, "poll_interval_s") or 2.0)
    service = DialerService(
        store,
        conn.provider,
        recordings_dir=recordings_dir(store_home(store)),
        cps=cps,
        poll_interval_s=poll,
    )
    service.restrict_to(ids)
    service.subscribe(_Progress(store))
    interrupted = asyncio.Event()
    hard_stop = asyncio.Event()

    def on_sigint() -> None:
        if interrupted.is_set():
            _say("Stopping now; calls in progress will be reconciled by the next run.")
            hard_stop.set()
            return
        interrupted.set()
        service.hold()
        _say("Ctrl-C: no new calls. Waiting for calls in progress (Ctrl-C again to stop now).")

    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    report: DoneReport | None = None
    try:
        await service.start()
        while True:
            done = asyncio.ensure_future(service.run_until_done(ids))
            stopper = asyncio.ensure_future(hard_stop.wait())
            await asyncio.wait({done, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not done.done():
                done.cancel()
                break
            report = done.result()
            if until_done or interrupted.is_set():
                break
            running = [
                cid
                for cid, state in report.states.items()
                if state in (CampaignState.RUNNING, CampaignState.SCHEDULED)
                and (ids is not None or state == CampaignState.RUNNING)
            ]
            if not running or report.next_dial_at is None:
                break
            _say(_describe_next(report))
            wait = max(1.0, (report.next_dial_at - service.clock.now()).total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(hard_stop.wait(), min(wait, 60.0))
            if hard_stop.is_set():
                break
            service.wake()
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        await service.stop()
        await conn.provider.close()
    return report, service.calls_placed, interrupted.is_set()


def store_home(store: Store) -> Path:
    database = store.engine.url.database
    if store.engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        return Path(database).parent
    from app.paths import data_home

    return data_home()


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
    conn: Connection | None = None
    try:
        try:
            # Everything that can refuse the run is checked before a campaign is started.
            _check_no_other_dialer(store)
            conn = _connect(store, emulator)
            ids = _select_campaigns(store, campaign)
        except (SetupError, campaign_store.CampaignError, DialerBusy) as exc:
            _say(f"calldeck run: {exc}")
            return EXIT_SETUP
        _say(f"Dialing through the {conn.label}.")
        try:
            report, placed, interrupted = asyncio.run(_run(store, conn, ids, cps, until_done))
        except DialerBusy as exc:
            _say(f"calldeck run: {exc}")
            return EXIT_SETUP
        if report is not None:
            _say(_describe_next(report))
        if as_json:
            summary = _summary(store, ids, report, placed, interrupted, time.monotonic() - started)
            print(json.dumps(summary, indent=2, default=str), flush=True)
        return EXIT_INTERRUPTED if interrupted else EXIT_OK
    finally:
        if conn is not None and conn.emulator is not None:
            conn.emulator.stop()
        store.dispose()
