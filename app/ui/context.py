"""What every page needs: the store, the data dir, the mode, the change hub, and (once
started) the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.ui.operations import Changes

if TYPE_CHECKING:  # SQLAlchemy loads after the window's first paint (see main_window)
    from app.services import Connection, Services
    from app.store.engine import Store


@dataclass
class AppContext:
    """Pages read the services from here when they use them (they are filled in after the
    first paint, and attach() tells the pages they are up); nobody keeps copies."""

    store: Store
    home: Path
    demo_mode: bool
    account_sid: str | None = None
    connection: Connection | None = None  # None: calls cannot go anywhere (see setup_error)
    setup_error: str | None = None
    services: Services | None = None  # app.services, after the first paint
    bridge: Any = None  # app.ui.dialer_bridge.DialerBridge
    changes: Changes = field(default_factory=Changes)  # what operations changed

    @property
    def provider(self):
        return self.services.provider if self.services else None

    @property
    def dialer(self):
        return self.services.dialer if self.services else None

    @property
    def emulator(self):
        return self.services.emulator if self.services else None
