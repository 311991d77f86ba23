"""What every handler group shares: the account, the call engine and the emulator settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.telephony.emulator.faults import FaultPlan
from app.telephony.emulator.lifecycle import CallEngine
from app.telephony.emulator.outcomes import Scenario
from app.telephony.emulator.state import Account


class ApiBase:
    """Attributes the handler mixins rely on; EmulatorApp sets them."""

    account: Account
    engine: CallEngine
    faults: FaultPlan
    scenario: Scenario
    speed: float
    media_dir: Path
    base_url: str
    media_renders: int
    _media_locks: dict[str, asyncio.Lock]
