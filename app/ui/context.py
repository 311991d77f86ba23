"""What every page needs: the store, the data dir, the provider, the dialer, the change hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.ui.operations import Changes

if TYPE_CHECKING:  # SQLAlchemy loads after the window's first paint (see main_window)
    from app.store.engine import Store


@dataclass
class AppContext:
    """Pages read the services from here when they use them (they are filled in after the
    first paint, and attach() tells the pages they are up); nobody keeps copies."""

    store: Store
    home: Path
    demo_mode: bool
    account_sid: str | None = None
    provider: Any = None  # app.telephony.base.Provider
    dialer: Any = None  # app.dialer.service.DialerService
    bridge: Any = None  # app.ui.dialer_bridge.DialerBridge
    emulator: Any = None  # EmulatorThread in demo mode
    changes: Changes = field(default_factory=Changes)  # what operations changed
