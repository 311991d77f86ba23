"""The first rows of a file, as read, with the mapped columns marked in the header."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt

from app.contacts.mapping import ColumnMapping
from app.contacts.reading import ContactTable

PREVIEW_ROWS = 20


class PreviewModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: ContactTable | None = None
        self._mapping = ColumnMapping(phone=None)

    def set_table(self, table: ContactTable | None, mapping: ColumnMapping | None) -> None:
        self.beginResetModel()
        self._table = table
        self._mapping = mapping or ColumnMapping(phone=None)
        self.endResetModel()

    def set_mapping(self, mapping: ColumnMapping) -> None:
        self._mapping = mapping
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return min(len(self._table.rows), PREVIEW_ROWS)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return len(self._table.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._table is None:
            return None
        cell = self._table.rows[index.row()].cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return " ⏎ ".join(cell.splitlines()) if "\n" in cell or "\r" in cell else cell
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._table is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            if 0 <= section < self.rowCount():
                return f"line {self._table.rows[section].line}"
            return None
        if not 0 <= section < self.columnCount():
            return None
        header = self._table.headers[section]
        if header == self._mapping.phone:
            return f"☎ {header} (phone)"
        if header == self._mapping.name:
            return f"{header} (name)"
        return header
