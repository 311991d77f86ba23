"""The campaign runner (plain asyncio): DialerService and the events it publishes.

Use it from the thread of the loop it runs on (the qasync loop in the GUI, a plain loop in
`calldeck run`)::

    service = DialerService(store, provider, recordings_dir=recordings_dir(home),
                            cps=None, poll_interval_s=2.0)
    unsubscribe = service.subscribe(callback)   # ContactChanged | CallEnded |
                                                # CampaignStateChanged | DialerStatus
    await service.start()            # reconcile what a previous run left open, then schedule
    await service.start_campaign(id) # or pause_campaign(id); raises CampaignError for the user
    service.wake()                   # after editing a campaign: limits/windows apply at once
    service.set_cps(2.0)             # account-wide calls per second (None: follow Settings)
    report = await service.run_until_done([id])  # nothing dialable now, all results stored
    await service.stop()             # live calls are reconciled by the next start()

`app.headless.run_headless` is `calldeck run`; `app.ui.dialer_bridge.DialerBridge`
turns the events into Qt signals.

Inside, `DialerService` is a facade over its parts:

- `scheduler.Scheduler`: plans, runs, the pacer, what is due now, completion, the status line;
- `attempt.CallAttempt`: one live call attempt (dial → follow → apply → results, or give the
  contact back); it releases its line exactly once. `errors.action_for` is the one table
  from a failed create's error to what happens to the attempt;
- `recovery.Recovery`: at start, one CallAttempt per call a previous run left open or without
  results (`search.find_created_call` finds what a lost create made; never redials);
- `live_call.LiveCall`: the one record of a call in flight, from claim to results;
- the database by job: `plans` (what the scheduler reads), `writes` (the plain-SQL per-call
  writes), `failures` (ORM writes for attempts that end in an error), `recovery_queries`.

Each call's TwiML comes from `app.agents.twiml`.
"""

from app.dialer.events import (
    CallEnded,
    CampaignStateChanged,
    ContactChanged,
    DialerEvent,
    DialerStatus,
)
from app.dialer.service import DialerService, DoneReport

__all__ = [
    "CallEnded",
    "CampaignStateChanged",
    "ContactChanged",
    "DialerEvent",
    "DialerService",
    "DialerStatus",
    "DoneReport",
]
