"""The campaigns table: one row per campaign id, its summary read when the model refreshes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.status import ContactStatus
from app.store.campaigns import CampaignSummary, list_campaigns
from app.store.engine import Store
from app.ui.campaigns.badges import BADGE_TEXT, badge_colour, status_label

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
REASON_COLOUR = QColor("#a94442")


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%a %d %b %H:%M") if moment else ""


class CampaignsTableModel(QAbstractTableModel):
    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self._ids: list[int] = []
        self._rows: dict[int, CampaignSummary] = {}
        self._paused_because: dict[int, str] = {}  # why the dialer paused a campaign, and the fix

    def note_paused(self, campaign_id: int, reason: str) -> None:
        """The dialer paused a campaign for *reason* (which says the fix): shown until it runs."""
        self._paused_because[campaign_id] = reason

    def note_state(self, campaign_id: int, state: str) -> None:
        if state != "paused":
            self._paused_because.pop(campaign_id, None)

    def paused_because(self, campaign_id: int) -> str | None:
        summary = self._rows.get(campaign_id)
        if summary is None or summary.state != "paused":
            return None
        return self._paused_because.get(campaign_id)

    def refresh(self) -> None:
        """Re-read every campaign; rows keep their place when the set of campaigns is unchanged."""
        with self._store.session() as session:
            summaries = list_campaigns(session)
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
        reason = self.paused_because(s.id)
        if reason and column in (STATE_COLUMN, NEXT_RUN_COLUMN):
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Paused by CallDeck: {reason}"
            if role == Qt.ItemDataRole.ForegroundRole and column == NEXT_RUN_COLUMN:
                return REASON_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole and column == NEXT_RUN_COLUMN:
            return "Scheduled start, or the earliest retry"
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
            return s.state.capitalize()
        if column == PROGRESS_COLUMN:
            return f"{s.done} / {s.total}"
        if 5 <= column < 5 + len(COUNT_STATUSES):
            return s.counts.get(COUNT_STATUSES[column - 5], 0)
        if column == NEXT_RUN_COLUMN:
            if reason := self.paused_because(s.id):
                return f"⚠ {reason}"
            return _when(s.start_at if s.state == "scheduled" else s.next_attempt_at)
        if column == ACTIONS_COLUMN:
            return ""
        return None
