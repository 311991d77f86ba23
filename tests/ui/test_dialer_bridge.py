"""DialerBridge turns dialer events into Qt signals on the GUI thread."""

from __future__ import annotations

import threading

from app.dialer.events import (
    CallEnded,
    CampaignStateChanged,
    ContactChanged,
    DialerStatus,
    EventHub,
)
from app.ui.dialer_bridge import DialerBridge


class HubOnly:
    """Just the subscribe() half of DialerService."""

    def __init__(self) -> None:
        self.hub = EventHub()

    def subscribe(self, callback):
        return self.hub.subscribe(callback)


def test_each_event_becomes_its_signal(qtbot):
    dialer = HubOnly()
    bridge = DialerBridge(dialer)
    status = DialerStatus(2, 5, 4.0, "Dialing 2 of 5 lines · next call in 4 s")
    with qtbot.waitSignal(bridge.contactChanged) as contact:
        dialer.hub.publish(ContactChanged(1, 7, "calling"))
    assert contact.args == [1, 7, "calling"]
    with qtbot.waitSignal(bridge.callEnded) as ended:
        dialer.hub.publish(CallEnded(1, 3, 7))
    assert ended.args == [1, 3]
    with qtbot.waitSignal(bridge.campaignStateChanged) as state:
        dialer.hub.publish(CampaignStateChanged(1, "paused", "Paused"))
    assert state.args == [1, "paused", "Paused"]
    with qtbot.waitSignal(bridge.statusChanged) as changed:
        dialer.hub.publish(status)
    assert changed.args == [status]


def test_events_from_another_thread_arrive_on_the_gui_thread(qtbot):
    dialer = HubOnly()
    bridge = DialerBridge(dialer)
    seen = []
    bridge.contactChanged.connect(lambda *args: seen.append((threading.get_ident(), args)))
    worker = threading.Thread(target=lambda: dialer.hub.publish(ContactChanged(2, 9, "busy")))
    with qtbot.waitSignal(bridge.contactChanged):
        worker.start()
        worker.join()
    assert seen == [(threading.get_ident(), (2, 9, "busy"))]


def test_detach_stops_the_signals(qtbot):
    dialer = HubOnly()
    bridge = DialerBridge(dialer)
    bridge.detach()
    with qtbot.assertNotEmitted(bridge.contactChanged, wait=50):
        dialer.hub.publish(ContactChanged(1, 1, "calling"))


def test_a_real_dialer_run_on_the_qasync_loop(qloop, qtbot, store, tmp_path):
    """The GUI's setup: the service on the qasync loop, the bridge feeding widgets."""
    from app.dialer import DialerService
    from app.domain.clock import LoopClock
    from tests.dialer.fakes import FakeProvider
    from tests.dialer.helpers import make_campaign, phones

    make_campaign(store, "GUI", phones(3, "078"), concurrency=3, per_minute=6000, max_attempts=1)
    clock = LoopClock()
    provider = FakeProvider(clock, time_scale=0.005)
    service = DialerService(
        store, provider, recordings_dir=tmp_path, cps=1000, poll_interval_s=0.01
    )
    bridge = DialerBridge(service)
    statuses, states = [], []
    bridge.contactChanged.connect(lambda cid, contact, status: statuses.append(status))
    bridge.campaignStateChanged.connect(lambda cid, state, message: states.append(state))

    async def go():
        await service.start()
        await service.run_until_done()
        await service.stop()

    qloop.run_until_complete(go())
    qtbot.waitUntil(lambda: "completed" in states, timeout=2000)
    assert sorted(s for s in statuses if s != "calling" and s != "connected") == [
        "busy",
        "completed",
        "failed",
    ]
