"""The line above a campaign's contacts that says which agent version its calls use:
"Agent version 2 — newer version 3 available  [Move]". Moving runs the agent's scenarios
against the newer version first; a running campaign is warned when they fail."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.store.agent_pins import VersionPin, move_to_newest, version_pin
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.operations import Change, in_transaction, run_op


class VersionBar(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.pin: VersionPin | None = None
        self.question = None  # the open "the suite fails: move anyway?" box
        self.label = QLabel()
        self.move_button = QPushButton("Move to the newer version")
        self.move_button.clicked.connect(self.check_and_move)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.move_button)
        self.show_campaign(None)

    def show_campaign(self, campaign_id: int | None) -> None:
        self.pin = None
        if campaign_id is not None:
            with self.context.store.session() as session:
                self.pin = version_pin(session, campaign_id)
        self.label.setText(self.text(self.pin))
        self.setVisible(bool(self.label.text()))
        self.move_button.setVisible(self.pin is not None and self.pin.newer_available)
        self.move_button.setEnabled(True)

    @staticmethod
    def text(pin: VersionPin | None) -> str:
        if pin is None or pin.newest is None:
            return ""
        if pin.pinned is None:
            return f"Calls will use agent version {pin.newest} (the newest; kept once started)"
        if pin.newer_available:
            return f"Agent version {pin.pinned} — newer version {pin.newest} available"
        return f"Agent version {pin.pinned} (the newest)"

    def check_and_move(self) -> None:
        """Run the agent's scenarios on the newer version (a worker thread), then move."""
        pin = self.pin
        if pin is None or pin.newest_id is None:
            return
        self.move_button.setEnabled(False)
        self.label.setText(f"Testing version {pin.newest} with the agent's scenarios…")
        store, version_id = self.context.store, pin.newest_id

        def check(_progress, _cancel):
            from app.agents.scenario_library import suite_of_version
            from app.agents.suite import run_suite

            with store.session() as session:
                definition, scenarios = suite_of_version(session, version_id)
            return run_suite(definition, scenarios)

        run_op(
            self,
            check,
            kind="thread",
            on_success=lambda suite: self._checked(pin, suite),
            on_error=self._check_failed,
        )

    def _checked(self, pin: VersionPin, suite) -> None:
        if suite.ok or not pin.running:
            self.move(pin.campaign_id)
            return
        self.show_campaign(pin.campaign_id)
        failed = ", ".join(run.scenario.name for run in suite.runs if not run.passed)
        self.question = confirm(
            self,
            "Move a running campaign",
            f"Version {pin.newest} fails {suite.failed} of the agent's {len(suite.runs)} "
            f"scenarios ({failed}). The campaign is running: its next calls would use it. "
            "Move anyway?",
            lambda: self.move(pin.campaign_id),
        )

    def _check_failed(self, message: str) -> None:
        self.label.setText(message)
        self.move_button.setEnabled(True)

    def move(self, campaign_id: int) -> None:
        run_op(
            self,
            in_transaction(self.context.store, lambda s: move_to_newest(s, campaign_id)),
            kind="now",
            change=Change(campaigns=True),
            changes=self.context.changes,
            on_success=lambda _number: self.show_campaign(campaign_id),
        )
