"""A campaign's calls as a table over ids.

Ids arrive in pages (canFetchMore/fetchMore) in the order the database sorts them, so opening a
campaign with a million calls reads one page; rows are read in blocks the first time they show.
New and changed calls are inserted or repainted in place, so selection and scroll stay put.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from app.domain.phone import format_national
from app.results.agent_results import outcome_label
from app.results.calls import (
    DEFAULT_SORT,
    CallFilter,
    CallRow,
    call_ids,
    call_matches,
    call_rows,
)
from app.store.engine import Store
from app.ui.block_cache import BlockCache
from app.ui.campaigns.badges import BADGE_TEXT, badge_colour, status_label

Index = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 2000  # ids read per fetchMore
BLOCK_SIZE = 200  # rows read at a time
MAX_CACHED_BLOCKS = 50

# (header, sort key in app.results.calls.SORT_COLUMNS)
COLUMNS = [
    ("Contact", "contact"),
    ("Number", "phone"),
    ("Status", "status"),
    ("Attempt", "attempt"),
    ("Started", "started"),
    ("Duration", "duration"),
    ("Answered by", "answered_by"),
    ("Disposition", "disposition"),
    ("Notes", "notes"),
]
CALL_ID_ROLE = Qt.ItemDataRole.UserRole + 1

ANSWERED_BY_LABELS = {
    "human": "Person",
    "machine_start": "Machine",
    "machine_end_beep": "Voicemail",
    "machine_end_silence": "Voicemail",
    "machine_end_other": "Voicemail",
    "fax": "Fax",
    "unknown": "Unknown",
}


def _shows_outcome(call: CallRow) -> bool:
    return not call.disposition and bool(call.outcome)


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class CallsTableModel(QAbstractTableModel):
    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self._campaign_id: int | None = None
        self._filter = CallFilter()
        self._sort = DEFAULT_SORT
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._exhausted = True
        self._cache: BlockCache[CallRow | None] = BlockCache(
            self._fetch_block, block_size=BLOCK_SIZE, max_blocks=MAX_CACHED_BLOCKS
        )

    # -- what is shown -----------------------------------------------------------------------
    @property
    def campaign_id(self) -> int | None:
        return self._campaign_id

    @property
    def call_filter(self) -> CallFilter:
        return self._filter

    def set_campaign(self, campaign_id: int | None) -> None:
        self._campaign_id = campaign_id
        self._reload()

    def set_filter(self, flt: CallFilter) -> None:
        if flt != self._filter:
            self._filter = flt
            self._reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        wanted = (COLUMNS[column][1], order == Qt.SortOrder.DescendingOrder)
        if wanted != self._sort:
            self._sort = wanted
            self._reload()

    def _reload(self) -> None:
        self.beginResetModel()
        self._ids = []
        self._row_of = None
        self._cache.forget()
        self._exhausted = self._campaign_id is None
        if self._campaign_id is not None:
            self._ids = self._read_ids(0, PAGE_SIZE)
            self._exhausted = len(self._ids) < PAGE_SIZE
        self.endResetModel()

    def _read_ids(self, offset: int, limit: int) -> list[int]:
        assert self._campaign_id is not None
        sort, descending = self._sort
        with self._store.session() as session:
            return call_ids(
                session,
                self._campaign_id,
                self._filter,
                sort=sort,
                descending=descending,
                offset=offset,
                limit=limit,
            )

    # -- ids <-> rows ------------------------------------------------------------------------
    def call_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, call_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {cid: row for row, cid in enumerate(self._ids)}
        return self._row_of.get(call_id)

    def loaded_ids(self) -> list[int]:
        return list(self._ids)

    # -- live updates ------------------------------------------------------------------------
    def refresh_call(self, call_id: int) -> None:
        """A call was created or changed: repaint, insert or drop its row as the filter says."""
        if self._campaign_id is None:
            return
        row = self.row_of(call_id)
        with self._store.session() as session:
            matches = call_matches(session, call_id, self._campaign_id, self._filter)
        if row is not None:
            if not matches:
                self._remove_row(row)
                return
            self._forget_blocks()
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        if matches:
            self._insert(call_id)

    def _insert(self, call_id: int) -> None:
        # Where the database would put it among the loaded ids. A new call usually sorts
        # first (newest first is the default), so try that before reading the loaded range.
        if self._read_ids(0, 1) == [call_id]:
            position = 0
        else:
            fresh = self._read_ids(0, len(self._ids) + 1)
            if call_id not in fresh:
                self._exhausted = False  # it sorts after what is loaded: fetchMore brings it
                return
            position = fresh.index(call_id)
        self.beginInsertRows(QModelIndex(), position, position)
        self._ids.insert(position, call_id)
        self._row_of = None
        self._forget_blocks()
        self.endInsertRows()

    def _remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._ids[row]
        self._row_of = None
        self._forget_blocks()
        self.endRemoveRows()

    def _forget_blocks(self) -> None:
        # Rows shift on insert/remove; blocks are cheap to read again.
        self._cache.forget()

    # -- lazy paging -------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted or self._campaign_id is None:
            return
        page = self._read_ids(len(self._ids), PAGE_SIZE)
        self._exhausted = len(page) < PAGE_SIZE
        more = [i for i in page if self.row_of(i) is None]  # a live insert may have moved one
        if not more:
            return
        start = len(self._ids)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self._ids.extend(more)
        self._row_of = None
        self.endInsertRows()

    def _row(self, row: int) -> CallRow | None:
        return self._cache.row(self._ids, row)

    def _fetch_block(self, ids: list[int]) -> list[CallRow | None]:
        with self._store.session() as session:
            found = call_rows(session, ids)
        return [found.get(i) for i in ids]  # None: deleted since the ids were read

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section][0]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == CALL_ID_ROLE:
            return self._ids[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.TextAlignmentRole,
            Qt.ItemDataRole.FontRole,
        ):
            return None
        call = self._row(index.row())
        if call is None:
            return (
                "(deleted)" if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 else None
            )
        key = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(call, key)
        if key == "disposition" and _shows_outcome(call):
            return self._outcome_look(call, role)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "phone":
                return call.phone
            if key == "started":
                return call.created_at.isoformat(timespec="seconds")
            if key == "answered_by":
                return call.answered_by
            if key == "status":
                return call.reason
            return None
        if role == Qt.ItemDataRole.BackgroundRole and key == "status":
            return badge_colour(call.status)
        if role == Qt.ItemDataRole.ForegroundRole and key == "status":
            return BADGE_TEXT
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("attempt", "duration"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and key == "contact":
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _outcome_look(call: CallRow, role: int) -> Any:
        """A call without a disposition shows the agent's outcome there, set apart (italic,
        the placeholder colour) so that it never reads as the supervisor's choice."""
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"No disposition yet. The voice agent's outcome: {outcome_label(call.outcome)}"
        return None

    @staticmethod
    def _display(call: CallRow, key: str) -> str:
        if key == "contact":
            return call.name or "—"
        if key == "phone":
            return format_national(call.phone)
        if key == "status":
            return status_label(call.status)
        if key == "attempt":
            return str(call.attempt)
        if key == "started":
            return call.created_at.astimezone().strftime("%d %b %H:%M")
        if key == "duration":
            return clock(call.duration_s)
        if key == "answered_by":
            return ANSWERED_BY_LABELS.get(call.answered_by or "", call.answered_by or "")
        if key == "disposition":
            return call.disposition or outcome_label(call.outcome)
        if key == "notes":
            return "✎" if call.has_notes else ""
        return ""
