"""A campaign's contacts as a table over ids: rows are fetched in blocks when first shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.phone import format_national
from app.store import contacts as contact_store
from app.store.contacts import ContactFilter, ContactRecord
from app.store.engine import Store
from app.ui.block_cache import BlockCache
from app.ui.campaigns.badges import BADGE_TEXT, badge_colour, status_label

Index = QModelIndex | QPersistentModelIndex

BLOCK_SIZE = 200
MAX_CACHED_BLOCKS = 50
VARIABLE_SAMPLE = 200  # rows read to discover the contact-variable columns


@dataclass(frozen=True)
class ContactRow:
    phone: str
    national: str
    name: str
    status: str
    attempts: int
    last_outcome: str
    next_attempt_at: datetime | None
    fields: dict[str, Any]


FIXED_COLUMNS = ["Phone", "Name", "Status", "Attempts", "Last outcome", "Next attempt"]


class ContactsTableModel(QAbstractTableModel):
    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self._campaign_id: int | None = None
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._cache: BlockCache[ContactRow] = BlockCache(
            self._fetch_block, block_size=BLOCK_SIZE, max_blocks=MAX_CACHED_BLOCKS
        )
        self._variables: list[str] = []

    # -- loading -----------------------------------------------------------------------------
    def set_campaign(
        self, campaign_id: int | None, *, status: str | None = None, search: str = ""
    ) -> None:
        self.beginResetModel()
        self._campaign_id = campaign_id
        self._cache.forget()
        self._row_of = None
        self._ids = []
        self._variables = []
        if campaign_id is not None:
            with self._store.session() as session:
                self._ids = contact_store.contact_ids(
                    session, campaign_id, ContactFilter(status=status, search=search)
                )
                self._variables = contact_store.contact_variables(
                    session, campaign_id, sample=VARIABLE_SAMPLE
                )
        self.endResetModel()

    def contact_id(self, row: int) -> int:
        return self._ids[row]

    def refresh_contact(self, contact_id: int) -> None:
        """A contact changed: forget its cached block and repaint its row."""
        if self._row_of is None:
            self._row_of = {cid: row for row, cid in enumerate(self._ids)}
        row = self._row_of.get(contact_id)
        if row is None:
            return
        self._cache.forget(row)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _row(self, row: int) -> ContactRow:
        return self._cache.row(self._ids, row)

    def _fetch_block(self, ids: list[int]) -> list[ContactRow]:
        with self._store.session() as session:
            records = contact_store.contact_records(session, ids)
        return [_contact_row(records.get(cid)) for cid in ids]

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(FIXED_COLUMNS) + len(self._variables)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        if 0 <= section < len(FIXED_COLUMNS):
            return FIXED_COLUMNS[section]
        if 0 <= section - len(FIXED_COLUMNS) < len(self._variables):
            return self._variables[section - len(FIXED_COLUMNS)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            row = self._row(index.row())
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return self._row(index.row()).phone
        if role == Qt.ItemDataRole.BackgroundRole and column == 2:
            return badge_colour(self._row(index.row()).status)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return BADGE_TEXT
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: ContactRow, column: int) -> str | int | None:
        match column:
            case 0:
                return row.national
            case 1:
                return row.name
            case 2:
                return status_label(row.status) if row.status else ""
            case 3:
                return row.attempts
            case 4:
                return row.last_outcome
            case 5:
                return (
                    row.next_attempt_at.astimezone().strftime("%a %H:%M")
                    if row.next_attempt_at
                    else ""
                )
        variable = column - len(FIXED_COLUMNS)
        if 0 <= variable < len(self._variables):
            value = row.fields.get(self._variables[variable])
            return "" if value is None else str(value)
        return None


def _contact_row(record: ContactRecord | None) -> ContactRow:
    if record is None:  # deleted since the ids were read
        return ContactRow("", "", "(deleted)", "", 0, "", None, {})
    if record.last_call_status is not None:
        error = record.last_call_error
        outcome = status_label(record.last_call_status) + (f" — {error}" if error else "")
    elif record.on_dnc_list:
        outcome = "Will not be called: on the do-not-call list"
    else:
        outcome = ""
    extension = f" ext. {record.extension}" if record.extension else ""
    return ContactRow(
        record.phone,
        format_national(record.phone) + extension,
        record.name,
        record.status,
        record.attempts,
        outcome,
        record.next_attempt_at,
        record.fields,
    )
