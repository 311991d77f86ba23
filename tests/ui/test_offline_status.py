"""Twilio unreachable: the status bar and the running campaign's row say so, then stop."""

from __future__ import annotations

from types import SimpleNamespace

from app.demo import seed_demo
from app.dialer.connectivity import OFFLINE_MESSAGE
from app.dialer.events import DialerStatus, EventHub
from app.store.models import Campaign
from app.ui.app import build_context
from app.ui.campaigns.campaigns_model import NEXT_RUN_COLUMN
from app.ui.dialer_bridge import DialerBridge
from app.ui.main_window import MainWindow


class HubOnly:
    def __init__(self) -> None:
        self.hub = EventHub()
        self.agent_refusal = None

    def subscribe(self, callback):
        return self.hub.subscribe(callback)

    def next_dial(self, campaign_id):
        return None


def test_status_bar_and_campaign_row_say_twilio_cannot_be_reached(qtbot, store, home):
    seed_demo(store)
    with store.session.begin() as session:
        running = session.query(Campaign).order_by(Campaign.id).first()
        running.state = "running"
        running_id = running.id
    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    dialer = HubOnly()
    context = window.context
    context.bridge = DialerBridge(dialer)
    context.services = SimpleNamespace(dialer=dialer, provider=None, emulator=None)
    window.attach_services(context)
    model = window.campaigns.model
    model.refresh()
    row = model.row_of(running_id)
    others = [r for r in range(model.rowCount()) if r != row]

    def next_run(r: int) -> str:
        return model.data(model.index(r, NEXT_RUN_COLUMN))

    before = [next_run(r) for r in others]
    dialer.hub.publish(DialerStatus(2, 3, None, OFFLINE_MESSAGE, unreachable=OFFLINE_MESSAGE))
    qtbot.waitUntil(lambda: window.dialer_label.text() == OFFLINE_MESSAGE, timeout=2000)
    assert next_run(row) == f"⚠ {OFFLINE_MESSAGE}"
    assert [next_run(r) for r in others] == before  # only running campaigns are held
    window.grab().save(str(home / "offline.png"))

    dialer.hub.publish(DialerStatus(2, 3, 1.0, "Dialing 2 of 3 lines · next call in 1 s"))
    qtbot.waitUntil(lambda: window.dialer_label.text().startswith("Dialing"), timeout=2000)
    assert OFFLINE_MESSAGE not in next_run(row)
