"""The agents as a table over ids: name, published version, whether the draft changed.

Ids are read at once (an account has tens of agents, not thousands); rows are read by id the
first time they show and again when the list is told an agent changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.agents.library import AgentListing, agent_ids, agent_listings
from app.store.engine import Store

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Agent", "Published", "Draft")
AGENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _cell(listing: AgentListing, column: int) -> str:
    if column == 0:
        return listing.name
    if column == 1:
        return f"v{listing.published_version}" if listing.published_version else "not yet"
    return "changed" if listing.draft_changed else ""


class AgentListModel(QAbstractTableModel):
    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self._ids: list[int] = []
        self._rows: dict[int, AgentListing] = {}

    def reload(self) -> None:
        self.beginResetModel()
        with self._store.session() as session:
            self._ids = agent_ids(session)
        self._rows.clear()
        self.endResetModel()

    def agent_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, agent_id: int) -> int | None:
        return self._ids.index(agent_id) if agent_id in self._ids else None

    def _listing(self, row: int) -> AgentListing | None:
        agent_id = self._ids[row]
        if agent_id not in self._rows:
            with self._store.session() as session:
                self._rows.update(agent_listings(session, [agent_id]))
        return self._rows.get(agent_id)

    # -- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        if role == AGENT_ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        listing = self._listing(index.row())
        return None if listing is None else _cell(listing, index.column())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None
