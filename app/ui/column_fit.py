"""A table column that takes the width the others leave, but never less than a minimum.

QHeaderView's Stretch mode shrinks a column down to the header's minimumSectionSize (shared
by every column), so in a narrow pane a name column became "Sa…". This one keeps its own
minimum; below it the table scrolls sideways instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView


class StretchWithMinimum(QObject):
    """Keeps *column* of *table* at max(minimum, the viewport width the other columns leave)."""

    def __init__(self, table: QTableView, column: int, minimum: int) -> None:
        super().__init__(table)
        self.table = table
        self.column = column
        self.minimum = minimum
        self._fitting = False
        table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        table.viewport().installEventFilter(self)
        self.fit()

    def width_for(self, viewport_width: int) -> int:
        header = self.table.horizontalHeader()
        others = header.length() - header.sectionSize(self.column)
        return max(self.minimum, viewport_width - others)

    def fit(self) -> None:
        """Size the column now (also after a header restoreState, which brings back modes)."""
        if self._fitting:
            return
        self._fitting = True
        try:
            header = self.table.horizontalHeader()
            header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(self.column, self.width_for(self.table.viewport().width()))
        finally:
            self._fitting = False

    def _on_section_resized(self, index: int, _old: int, _new: int) -> None:
        if index != self.column:
            self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False
