"""What the dialer's parts share: the store, the provider, the clock and the event hub."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.dialer.connectivity import Connectivity
from app.dialer.events import EventHub
from app.domain.clock import Clock
from app.store.engine import Store
from app.store.writer import Writer
from app.telephony.base import Provider

if TYPE_CHECKING:  # the agent runtime loads with the relay server, not with the dialer
    from app.dialer.agent_calls import AgentCalls
    from app.dialer.callbacks import CallbackInbox
    from app.telephony.callback_routes import CallbackRoutes


@dataclass
class DialerStats:
    """Counted for `calldeck run`'s summary and the benchmark."""

    calls_placed: int = 0
    pacing_lateness_s: deque[float] = field(default_factory=lambda: deque(maxlen=200_000))


@dataclass
class DialerContext:
    store: Store
    writer: Writer  # the per-call writes (plain SQL on SQLite)
    provider: Provider
    clock: Clock
    hub: EventHub
    recordings_dir: Path
    poll_interval_s: float
    simulated: bool = False  # the provider is the emulator: every call is marked simulated
    # The voice agent's relay; None only for a dialer without an agent runtime (its own
    # tests), whose calls <Say> the greeting. *agent_refusal* says why campaigns cannot run.
    agent_calls: AgentCalls | None = None
    agent_refusal: str | None = None
    # Status/recording/AMD callbacks, when Twilio can reach this computer: the routes give
    # each create its URLs, the inbox hands what arrives to each call's attempt.
    callbacks: CallbackRoutes | None = None
    inbox: CallbackInbox | None = None
    stats: DialerStats = field(default_factory=DialerStats)
    connectivity: Connectivity = field(default_factory=Connectivity)
