"""The campaigns table: one row per campaign id, its summary read when the model refreshes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette

from app.domain.status import CampaignState, ContactStatus
from app.store.campaigns import CampaignSummary, list_campaigns
from app.store.engine import Store
from app.ui.campaigns.badges import BADGE_TEXT, badge_colour, status_label
from app.ui.contrast import text_colour

Index = QModelIndex | QPersistentModelIndex

COUNT_STATUSES = [s.value for s in ContactStatus]
COLUMNS = (
    ["Name", "Agent", "Caller-ID", "State", "Progress"]
    + [status_label(s) for s in COUNT_STATUSES]
    + ["Next run", "Actions"]
)
NAME_COLUMN = COLUMNS.index("Name")
NEXT_RUN_COLUMN = COLUMNS.index("Next run")
PROGRESS_COLUMN = COLUMNS.index("Progress")
STATE_COLUMN = COLUMNS.index("State")
ACTIONS_COLUMN = COLUMNS.index("Actions")
ProgressRole = Qt.ItemDataRole.UserRole + 1  # (done, total)
StateRole = Qt.ItemDataRole.UserRole + 2
REASON_COLOUR = "#a94442"  # lightened on a dark palette (app.ui.contrast)


# The dialer's view of a campaign's next dial: (when, why, whose local time) or None.
NextDial = Callable[[int], "tuple[datetime, str, str] | None"]
NEXT_RUN_COLUMN = COLUMNS.index("Next run")


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%a %d %b %H:%M") if moment else ""


def next_run(
    s: CampaignSummary, next_dial: NextDial | None, now: datetime | None = None
) -> tuple[str, str]:
    """The Next run cell and its tooltip. Only a scheduled or running campaign has one, and
    never a time already past: a running campaign's comes from the dialer (calling hours in
    the contacts' time zones, retries), else from its retries, else it is dialling now."""
    now = now or datetime.now(UTC)
    if s.state == CampaignState.SCHEDULED:
        return _when(s.start_at), "Scheduled start"
    if s.state != CampaignState.RUNNING:
        if s.state == CampaignState.PAUSED:
            return "", "Paused: nothing is dialled until you press Start"
        return "", ""
    ahead = next_dial(s.id) if next_dial is not None else None
    if ahead is not None and ahead[0] > now:
        when, why, local = ahead
        if why == "window":
            return _when(when), f"Outside calling hours: they open at {local}"
        return _when(when), "The earliest retry or callback"
    if s.counts.get(ContactStatus.QUEUED.value):
        return "Now", "Contacts are waiting to be dialled"
    if s.next_attempt_at is not None and s.next_attempt_at > now:
        return _when(s.next_attempt_at), "The earliest retry or callback"
    return "", ""


class CampaignsTableModel(QAbstractTableModel):
    def __init__(self, store: Store, parent=None, *, next_dial: NextDial | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._next_dial = next_dial
        self._ids: list[int] = []
        self._rows: dict[int, CampaignSummary] = {}
        self.show_archived = False
        self._paused_because: dict[int, str] = {}  # why the dialer paused a campaign, and the fix
        self._unreachable: str | None = None  # Twilio cannot be reached: running rows say so

    def note_paused(self, campaign_id: int, reason: str) -> None:
        """The dialer paused a campaign for *reason* (which says the fix): shown until it runs."""
        self._paused_because[campaign_id] = reason

    def note_state(self, campaign_id: int, state: str) -> None:
        if state != "paused":
            self._paused_because.pop(campaign_id, None)

    def note_unreachable(self, message: str | None) -> None:
        """The dialer cannot reach Twilio (*message*) or can again (None): running rows say so."""
        if message == self._unreachable:
            return
        self._unreachable = message
        if self._ids:
            column = NEXT_RUN_COLUMN
            self.dataChanged.emit(self.index(0, column), self.index(len(self._ids) - 1, column))

    def held_because(self, campaign_id: int) -> str | None:
        """Why a running campaign places no calls now, or None."""
        summary = self._rows.get(campaign_id)
        if summary is None or summary.state != "running":
            return None
        return self._unreachable

    def paused_because(self, campaign_id: int) -> str | None:
        summary = self._rows.get(campaign_id)
        if summary is None or summary.state != "paused":
            return None
        return self._paused_because.get(campaign_id)

    def summaries(self) -> list[CampaignSummary]:
        return [self._rows[i] for i in self._ids]

    def refresh(self) -> None:
        """Re-read every campaign; rows keep their place when the set of campaigns is unchanged."""
        with self._store.session() as session:
            summaries = list_campaigns(session, archived=None if self.show_archived else False)
        ids = [s.id for s in summaries]
        if ids == self._ids:
            self._rows = {s.id: s for s in summaries}
            if ids:
                self.dataChanged.emit(self.index(0, 0), self.index(len(ids) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self._ids = ids
        self._rows = {s.id: s for s in summaries}
        self.endResetModel()

    def campaign_id(self, row: int) -> int:
        return self._ids[row]

    def summary(self, row: int) -> CampaignSummary:
        return self._rows[self._ids[row]]

    def row_of(self, campaign_id: int) -> int | None:
        try:
            return self._ids.index(campaign_id)
        except ValueError:
            return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        s = self._rows[self._ids[index.row()]]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(s, column)
        if role == ProgressRole:
            return (s.done, s.total)
        if role == StateRole:
            return s.state
        if role == Qt.ItemDataRole.BackgroundRole and column == STATE_COLUMN:
            return badge_colour(s.state)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATE_COLUMN:
            return BADGE_TEXT
        if role == Qt.ItemDataRole.ToolTipRole and column == NAME_COLUMN:
            return s.name  # the column has a fixed width: a long name elides
        if (held := self.held_because(s.id)) and column in (STATE_COLUMN, NEXT_RUN_COLUMN):
            if role == Qt.ItemDataRole.ToolTipRole:
                return held
            if role == Qt.ItemDataRole.ForegroundRole and column == NEXT_RUN_COLUMN:
                return REASON_COLOUR
        reason = self.paused_because(s.id)
        if reason and column in (STATE_COLUMN, NEXT_RUN_COLUMN):
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Paused by CallDeck: {reason}"
            if role == Qt.ItemDataRole.ForegroundRole and column == NEXT_RUN_COLUMN:
                return QColor(text_colour(REASON_COLOUR, QPalette.ColorRole.Base))
        if role == Qt.ItemDataRole.ToolTipRole and column == NEXT_RUN_COLUMN:
            return next_run(s, self._next_dial)[1] or None
        if role == Qt.ItemDataRole.ToolTipRole and column == PROGRESS_COLUMN and s.awaiting:
            return f"{s.done:,} done; {s.awaiting:,} more waiting for a retry or a callback"
        if 5 <= column < 5 + len(COUNT_STATUSES):
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.ForegroundRole and not s.counts.get(
                COUNT_STATUSES[column - 5]
            ):
                return QColor("#9aa0a6")  # zeros recede so live counts stand out
        return None

    def _display(self, s: CampaignSummary, column: int) -> Any:
        if column == 0:
            return s.name
        if column == 1:
            return s.agent or "—"
        if column == 2:
            return s.caller_id or "—"
        if column == STATE_COLUMN:
            return "Archived" if s.archived else s.state.capitalize()
        if column == PROGRESS_COLUMN:
            return f"{s.done:,} / {s.total:,}"
        if 5 <= column < 5 + len(COUNT_STATUSES):
            return f"{s.counts.get(COUNT_STATUSES[column - 5], 0):,}"  # 10,979, not 10979
        if column == NEXT_RUN_COLUMN:
            if reason := self.paused_because(s.id) or self.held_because(s.id):
                return f"⚠ {reason}"
            return next_run(s, self._next_dial)[0]
        if column == ACTIONS_COLUMN:
            return ""
        return None
