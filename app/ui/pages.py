"""What the main window asks of a page: its title, its main action, and a few hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QLineEdit

    from app.ui.context import AppContext


@dataclass(frozen=True)
class MainAction:
    """The button in the window's header while the page is shown."""

    label: str
    run: Callable[[], None]


class Page(Protocol):
    """A page of the main window (a QWidget that also has these). A page with edits that
    could be lost may also have `confirm_leave(proceed) -> bool`: True to let the window
    leave it now; False when it asks first and calls *proceed* once it may be left."""

    title: str
    main_action: MainAction | None

    def attach(self, context: AppContext) -> None:
        """The services (provider, dialer, bridge) are up: connect to what the page shows."""

    def on_shown(self) -> None:
        """The page became the current one."""

    def save_state(self, settings: QSettings) -> None: ...

    # Optional: a page with a search box has focus_search(), which the window's Ctrl+F calls.
    # def focus_search(self) -> None: ...

    def restore_state(self, settings: QSettings) -> None: ...


def focus_search_box(edit: QLineEdit) -> None:
    """Ctrl+F: into the search box, its text selected so typing replaces it."""
    edit.setFocus()
    edit.selectAll()
