"""The Results page's logic: which campaign and call, saving edits, live refresh, transcripts.

The page only lays out widgets and forwards what the user does here; everything that touches
the database or the provider goes through this object, in short sessions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.results import edits
from app.results.calls import (
    CallDetail,
    call_detail,
    campaign_choices,
    campaign_dispositions,
    latest_call_id,
)
from app.results.series import calls_over_time
from app.results.stats import campaign_stats
from app.results.transcripts import needs_transcript, request_transcript
from app.store.engine import Store

log = logging.getLogger(__name__)

STATS_DELAY_MS = 250  # live events arrive in bursts: refresh the strip once per burst


class ResultsController(QObject):
    """Signals:
    campaignsChanged(object): [(id, name), ...] for the picker.
    statsChanged(object): the campaign_stats() dict (or None without a campaign).
    seriesChanged(object): its calls over time (a CallSeries, or None), right after.
    detailChanged(object): the selected call's CallDetail, or None.
    callChanged(int): a call was created or changed; the table should show it.
    notesSaved(str, object): who saved the notes and when (an aware datetime).
    conflict(object): an app.results.edits.EditConflict: another seat saved the same field.
    error(str): something the user should read.
    """

    campaignsChanged = Signal(object)
    statsChanged = Signal(object)
    seriesChanged = Signal(object)
    detailChanged = Signal(object)
    callChanged = Signal(int)
    notesSaved = Signal(str, object)
    conflict = Signal(object)
    error = Signal(str)

    def __init__(
        self,
        store: Store,
        *,
        provider_factory: Callable[[], Any] | None = None,
        your_name: Callable[[], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.provider_factory = provider_factory
        self.your_name = your_name  # None: app.settings.operator_name, read at each save
        self.campaign_id: int | None = None
        self.call_id: int | None = None
        self.detail: CallDetail | None = None
        self.transcript_tasks: dict[int, Any] = {}  # call id -> asyncio.Task in flight
        self._known_campaigns: set[int] = set()
        self._stats_timer = QTimer(self)
        self._stats_timer.setSingleShot(True)
        self._stats_timer.setInterval(STATS_DELAY_MS)
        self._stats_timer.timeout.connect(self.refresh_stats)

    # -- campaign ----------------------------------------------------------------------------
    def campaigns(self) -> list[tuple[int, str]]:
        with self.store.session() as session:
            return campaign_choices(session)

    def reload_campaigns(self) -> None:
        campaigns = self.campaigns()
        self._known_campaigns = {cid for cid, _ in campaigns}
        self.campaignsChanged.emit(campaigns)

    def set_campaign(self, campaign_id: int | None) -> None:
        if campaign_id == self.campaign_id:
            return
        self.campaign_id = campaign_id
        self.select_call(None)
        self.refresh_stats()

    def dispositions(self) -> list[str]:
        """The shown campaign's dispositions (for the filter)."""
        if self.campaign_id is None:
            return []
        with self.store.session() as session:
            return campaign_dispositions(session, self.campaign_id)

    def refresh_stats_soon(self) -> None:
        if not self._stats_timer.isActive():
            self._stats_timer.start()

    def refresh_stats(self) -> None:
        self._stats_timer.stop()
        if self.campaign_id is None:
            self.statsChanged.emit(None)
            self.seriesChanged.emit(None)
            return
        with self.store.session() as session:
            stats = campaign_stats(session, self.campaign_id)
            series = calls_over_time(session, self.campaign_id)
        self.statsChanged.emit(stats)
        self.seriesChanged.emit(series)

    # -- the selected call -------------------------------------------------------------------
    def select_call(self, call_id: int | None) -> None:
        self.call_id = call_id
        if call_id is not None:
            self._maybe_request_transcript(call_id)
        self.reload_detail()

    def reload_detail(self) -> None:
        detail = None
        if self.call_id is not None:
            with self.store.session.begin() as session:
                if edits.prefill_disposition(session, self.call_id):
                    self.callChanged.emit(self.call_id)
                    self.refresh_stats_soon()
                detail = call_detail(session, self.call_id)
        self.detail = detail
        self.detailChanged.emit(detail)

    def choose_disposition(self, name: str, base: str | None = None) -> None:
        """Set the shown call's disposition over *base* (default: the one it showed)."""
        if self.call_id is None:
            return
        call_id = self.call_id
        if base is None:
            shown = self.detail if self.detail and self.detail.row.id == call_id else None
            base = (shown.row.disposition or "") if shown else edits.ANY
        if not self._edit(
            call_id,
            lambda session, by: edits.set_disposition(session, call_id, name, base=base, by=by),
        ):
            return
        self.refresh_stats_soon()
        self.reload_detail()  # who set it, and when

    def save_notes(self, text: str, call_id: int | None = None, base: object = edits.ANY) -> None:
        """Save a call's notes as an edit of *base* (the text the editor started from)."""
        call_id = self.call_id if call_id is None else call_id
        if call_id is None:
            return
        saved = self._edit(
            call_id, lambda session, by: edits.save_notes(session, call_id, text, base=base, by=by)
        )
        if saved and call_id == self.call_id and saved.by and saved.at:
            self.notesSaved.emit(saved.by, saved.at)

    def _edit(self, call_id: int, write: Callable[[Any, str | None], edits.Version]):
        """Run one seat's edit; a conflict or an error is signalled, not raised."""
        by = self.your_name() if self.your_name else None
        try:
            with self.store.session.begin() as session:
                saved = write(session, by)
        except edits.EditConflict as conflict:
            self.conflict.emit(conflict)
            return None
        except edits.EditError as exc:
            self.error.emit(str(exc))
            return None
        self.callChanged.emit(call_id)
        return saved

    # -- changes other seats made (app.store.changes, through the Changes hub) ---------------
    def on_seat_changes(self, calls: frozenset[tuple[int, int]], campaigns: bool) -> None:
        # Once per poll, not per call: a deleted campaign's calls all name a campaign unknown.
        if campaigns or any(cid not in self._known_campaigns for cid, _ in calls):
            self.reload_campaigns()
        for campaign_id, call_id in sorted(calls):
            if campaign_id == self.campaign_id:
                self._on_live_change(campaign_id, call_id)

    # -- live updates from the dialer --------------------------------------------------------
    def on_call_ended(self, campaign_id: int, call_id: int) -> None:
        with self.store.session.begin() as session:
            edits.prefill_disposition(session, call_id)
        self._on_live_change(campaign_id, call_id)

    def on_contact_changed(self, campaign_id: int, contact_id: int, status: str) -> None:
        with self.store.session() as session:
            call_id = latest_call_id(session, contact_id)
        self._on_live_change(campaign_id, call_id)

    def _on_live_change(self, campaign_id: int, call_id: int | None) -> None:
        if campaign_id != self.campaign_id:
            if campaign_id not in self._known_campaigns:
                self.reload_campaigns()  # a campaign created since: offer it in the picker
            return
        if call_id is not None:
            self.callChanged.emit(call_id)
            if call_id == self.call_id:
                self.reload_detail()
        self.refresh_stats_soon()

    # -- transcripts -------------------------------------------------------------------------
    def _maybe_request_transcript(self, call_id: int) -> None:
        if self.provider_factory is None or call_id in self.transcript_tasks:
            return
        if needs_transcript(self.store, call_id) is None:
            return
        from app.ui.tasks import spawn

        task = spawn(
            request_transcript(self.store, self.provider_factory, call_id),
            on_error=lambda message: self.error.emit(f"Could not get the transcript: {message}"),
        )
        self.transcript_tasks[call_id] = task
        task.add_done_callback(lambda _t, cid=call_id: self._transcript_done(cid))

    def is_transcribing(self, call_id: int) -> bool:
        return call_id in self.transcript_tasks

    def _transcript_done(self, call_id: int) -> None:
        self.transcript_tasks.pop(call_id, None)
        if call_id == self.call_id:
            self.reload_detail()
