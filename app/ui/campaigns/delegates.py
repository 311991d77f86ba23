"""Painted cells: a progress bar, and the per-row Start/Pause and Results buttons."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionProgressBar,
)

from app.domain.status import PAUSABLE_STATES
from app.ui.campaigns.campaigns_model import ProgressRole, StateRole


class ProgressDelegate(QStyledItemDelegate):
    def paint(self, painter, option, index: QModelIndex) -> None:
        done, total = index.data(ProgressRole) or (0, 0)
        widget = option.widget
        bar = QStyleOptionProgressBar()
        if widget is not None:
            bar.initFrom(widget)
        bar.palette = option.palette
        bar.fontMetrics = option.fontMetrics
        bar.rect = option.rect.adjusted(4, 4, -4, -4)
        bar.minimum, bar.maximum = 0, max(total, 1)
        bar.progress = min(done, bar.maximum)
        bar.text = f"{done:,} / {total:,}"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        # Qt 6 has no orientation field: without State_Horizontal the bar fills bottom-up.
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)


def start_pause_label(state: str) -> str:
    return "Pause" if state in PAUSABLE_STATES else "Start"


class ActionsDelegate(QStyledItemDelegate):
    """Signals:
    startPauseClicked(int): the row whose Start/Pause button was clicked.
    resultsClicked(int): the row whose Results button was clicked.
    """

    startPauseClicked = Signal(int)
    resultsClicked = Signal(int)

    BUTTON_WIDTH = 72

    def _rects(self, rect: QRect) -> tuple[QRect, QRect]:
        r = rect.adjusted(3, 3, -3, -3)
        first = QRect(r.left(), r.top(), self.BUTTON_WIDTH, r.height())
        second = QRect(first.right() + 4, r.top(), self.BUTTON_WIDTH, r.height())
        return first, second

    def paint(self, painter, option, index: QModelIndex) -> None:
        state = index.data(StateRole) or ""
        for rect, text in zip(
            self._rects(option.rect), (start_pause_label(state), "Results"), strict=True
        ):
            button = QStyleOptionButton()
            button.rect = rect
            button.text = text
            button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
            QApplication.style().drawControl(QStyle.ControlElement.CE_PushButton, button, painter)

    @classmethod
    def width(cls) -> int:
        """The column width that shows both buttons whole."""
        return cls.BUTTON_WIDTH * 2 + 14

    def sizeHint(self, option, index: QModelIndex) -> QSize:
        return QSize(self.width(), 30)

    def editorEvent(self, event, model, option, index: QModelIndex) -> bool:
        if (
            event.type() != QEvent.Type.MouseButtonRelease
            or event.button() != Qt.MouseButton.LeftButton
        ):
            return False
        start_pause, results = self._rects(option.rect)
        position = event.position().toPoint()
        if start_pause.contains(position):
            self.startPauseClicked.emit(index.row())
            return True
        if results.contains(position):
            self.resultsClicked.emit(index.row())
            return True
        return False
