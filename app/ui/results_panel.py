"""The Results page as a main-window Page (ResultsPage itself takes the store, not a context)."""

from __future__ import annotations

from app.ui.context import AppContext
from app.ui.operations import Change
from app.ui.pages import MainAction
from app.ui.results.page import ResultsPage


class ResultsPanel(ResultsPage):
    title = "Results"

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context.store, home=context.home, provider_factory=lambda: context.provider
        )
        label, run = ResultsPage.main_action(self)
        self.main_action = MainAction(label, run)
        context.changes.changed.connect(self._on_changed)

    def attach(self, context: AppContext) -> None:
        """The dialer is up: ended calls and changed contacts update the table and stats."""
        context.bridge.contactChanged.connect(self.on_contact_changed)
        context.bridge.callEnded.connect(self.on_call_ended)

    def _on_changed(self, change: Change) -> None:
        if change.everything:
            self.reread_everything()
            return
        if change.calls:  # another seat's edits and calls, hidden or not (no campaign list)
            self.on_seat_changes(change.calls, campaigns=False)
        # Shown, re-read the campaign list and the stats now; hidden, on_shown does it.
        if (change.campaigns or change.contacts_of is not None) and self.isVisible():
            self.on_shown()
