"""The transcript as a chat: agent on the left, callee on the right, each turn with its time.

Clicking a turn asks the player to seek there; the turn being played is outlined; find marks
the matching turns and steps through them.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.results.calls import Turn
from app.ui.results.calls_model import clock

OFFSET_ROLE = Qt.ItemDataRole.UserRole + 1  # ms
SPEAKER_ROLE = Qt.ItemDataRole.UserRole + 2
PLAYING_ROLE = Qt.ItemDataRole.UserRole + 3
MATCH_ROLE = Qt.ItemDataRole.UserRole + 4

BUBBLE_SHARE = 0.8  # of the row width
PADDING = 8
MARGIN = 6
COLOURS = {"agent": "#e7f0ff", "callee": "#e6f4ea"}
MATCH_COLOUR = "#fff1a8"
PLAYING_COLOUR = "#0d6efd"
TEXT_COLOUR = "#1f2328"
META_COLOUR = "#57606a"


class ChatBubbleDelegate(QStyledItemDelegate):
    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    def _bubble_width(self) -> int:
        return max(120, int((self._view.viewport().width() - 2 * MARGIN) * BUBBLE_SHARE))

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        body = QFont(option.font)
        meta = QFont(option.font)
        meta.setPointSizeF(max(7.0, body.pointSizeF() * 0.85))
        meta.setBold(True)
        return body, meta

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        body, meta = self._fonts(option)
        text_width = self._bubble_width() - 2 * PADDING
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        text_height = (
            QFontMetrics(body)
            .boundingRect(QRect(0, 0, text_width, 100_000), Qt.TextFlag.TextWordWrap, text)
            .height()
        )
        height = QFontMetrics(meta).height() + text_height + 2 * PADDING + 2 + 2 * (MARGIN // 2)
        return QSize(self._view.viewport().width(), height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        body, meta = self._fonts(option)
        speaker = index.data(SPEAKER_ROLE)
        width = self._bubble_width()
        row = option.rect.adjusted(MARGIN, MARGIN // 2, -MARGIN, -(MARGIN // 2))
        left = row.left() if speaker == "agent" else row.right() - width + 1
        bubble = QRect(left, row.top(), width, row.height())
        fill = QColor(MATCH_COLOUR if index.data(MATCH_ROLE) else COLOURS.get(speaker, "#eeeeee"))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if index.data(PLAYING_ROLE):
            painter.setPen(QPen(QColor(PLAYING_COLOUR), 2))
        elif option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), 1.5))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble.adjusted(1, 1, -1, -1), 10, 10)
        inner = bubble.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        who = "Agent" if speaker == "agent" else "Callee"
        offset_ms = index.data(OFFSET_ROLE) or 0
        painter.setFont(meta)
        painter.setPen(QColor(META_COLOUR))
        meta_height = QFontMetrics(meta).height()
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width(), meta_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"{who} · {clock(offset_ms / 1000)}",
        )
        painter.setFont(body)
        painter.setPen(QColor(TEXT_COLOUR))
        painter.drawText(
            inner.adjusted(0, meta_height + 2, 0, 0),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            index.data(Qt.ItemDataRole.DisplayRole) or "",
        )
        painter.restore()


class TranscriptView(QWidget):
    """Signals:
    seekRequested(int): the user clicked a turn; the player should play from this ms offset.
    """

    seekRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find in transcript (Ctrl+F twice)")
        self.find_edit.setClearButtonEnabled(True)
        self.match_label = QLabel()
        self.list = QListWidget()
        self.list.setObjectName("transcript")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setWordWrap(True)
        self.list.setItemDelegate(ChatBubbleDelegate(self.list))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: palette(placeholder-text); padding: 12px;")

        find_row = QHBoxLayout()
        find_row.setContentsMargins(0, 0, 0, 0)
        find_row.addWidget(self.find_edit, 1)
        find_row.addWidget(self.match_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(find_row)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)

        self._matches: list[int] = []
        self._match_at = -1
        self._playing_row = -1
        self._shown: tuple[list[Turn], str | None] | None = None
        self.list.itemClicked.connect(self._on_clicked)
        self.find_edit.textChanged.connect(self.find)
        self.find_edit.returnPressed.connect(self.find_next)
        self.set_turns([], "No transcript for this call.")

    # -- content -----------------------------------------------------------------------------
    def set_turns(self, turns: list[Turn], message: str | None = None) -> None:
        if (turns, message) == self._shown:
            return  # a live refresh of the same call: keep the find state and the scroll
        self._shown = (list(turns), message)
        self.list.clear()
        self._playing_row = -1
        for turn in turns:
            item = QListWidgetItem(turn.text)
            item.setData(OFFSET_ROLE, int(round(turn.offset_s * 1000)))
            item.setData(SPEAKER_ROLE, turn.speaker)
            item.setToolTip(f"Click to play from {clock(turn.offset_s)}")
            self.list.addItem(item)
        shown = message if not turns else None
        self.message.setText(shown or "")
        self.message.setVisible(bool(shown))
        self.list.setVisible(bool(turns))
        self.find_edit.setEnabled(bool(turns))
        self.find(self.find_edit.text())

    def turn_count(self) -> int:
        return self.list.count()

    def playing_row(self) -> int:
        return self._playing_row

    def set_position(self, ms: int) -> None:
        """Outline the turn being played: the last one that starts at or before *ms*."""
        row = -1
        for i in range(self.list.count()):
            if self.list.item(i).data(OFFSET_ROLE) <= ms:
                row = i
            else:
                break
        if row == self._playing_row:
            return
        if self._playing_row >= 0 and self._playing_row < self.list.count():
            self.list.item(self._playing_row).setData(PLAYING_ROLE, False)
        self._playing_row = row
        if row >= 0:
            item = self.list.item(row)
            item.setData(PLAYING_ROLE, True)
            self.list.scrollToItem(item, QAbstractItemView.ScrollHint.EnsureVisible)

    # -- find --------------------------------------------------------------------------------
    def focus_find(self) -> None:
        self.find_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_edit.selectAll()

    def find(self, text: str) -> None:
        needle = text.strip().casefold()
        self._matches = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            hit = bool(needle) and needle in item.text().casefold()
            item.setData(MATCH_ROLE, hit)
            if hit:
                self._matches.append(i)
        self._match_at = -1
        if self._matches:
            self.find_next()
        else:
            self.match_label.setText("No match" if needle else "")

    def find_next(self) -> None:
        if not self._matches:
            return
        self._match_at = (self._match_at + 1) % len(self._matches)
        item = self.list.item(self._matches[self._match_at])
        self.list.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.match_label.setText(f"{self._match_at + 1} of {len(self._matches)}")

    def matches(self) -> list[int]:
        return list(self._matches)

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.seekRequested.emit(int(item.data(OFFSET_ROLE)))
