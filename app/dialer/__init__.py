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
