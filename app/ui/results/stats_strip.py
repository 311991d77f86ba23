"""The stats strip over the Results page: the campaign at a glance, updated live."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.results.calls_model import clock
from app.ui.results.chart import CallsOverTimeChart

CHART_HEIGHT = 180  # title, lines, time axis and legend; the page still fits 1366x768
BAR_COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d"]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


class Tile(QFrame):
    """A big number with a caption under it."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, value: str, tooltip: str = "") -> None:
        self.value.setText(value)
        self.setToolTip(tooltip)


class DispositionBar(QWidget):
    """One horizontal bar split by disposition, with a legend line under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parts: list[tuple[str, int]] = []
        self._undisposed = 0
        self.setMinimumHeight(18)

    def set_counts(self, dispositions: dict[str, int], undisposed: int) -> None:
        self._parts = list(dispositions.items())
        self._undisposed = undisposed
        lines = [f"{name}: {n}" for name, n in self._parts]
        lines.append(f"No disposition yet: {undisposed}")
        self.setToolTip("\n".join(lines))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, 18)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        total = sum(n for _, n in self._parts) + self._undisposed
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.Button))  # light or dark
        painter.drawRoundedRect(rect, 4, 4)
        if not total:
            return
        x = rect.left()
        for i, (_, n) in enumerate(self._parts):
            width = rect.width() * n / total
            painter.setBrush(QColor(BAR_COLOURS[i % len(BAR_COLOURS)]))
            painter.drawRect(QRectF(x, rect.top(), width, rect.height()))
            x += width


class StatsStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls = Tile("calls placed")
        self.reached = Tile("contacts reached")
        self.answer_rate = Tile("answer rate")
        self.human_voicemail = Tile("person / voicemail")
        self.talk = Tile("average talk time")
        self.total_talk = Tile("total talk time")
        self.disposition_bar = DispositionBar()
        self.disposition_legend = QLabel()
        self.disposition_legend.setWordWrap(True)
        self.disposition_legend.setTextFormat(Qt.TextFormat.RichText)
        self.statuses = QLabel()
        self.statuses.setStyleSheet("color: palette(placeholder-text);")
        self.statuses.setWordWrap(True)
        self.chart = CallsOverTimeChart()
        self.chart.setMinimumSize(300, CHART_HEIGHT)
        self.chart.setMaximumHeight(CHART_HEIGHT)

        tiles = QGridLayout()
        tiles.setSpacing(6)
        for i, tile in enumerate(self._tiles()):
            tiles.addWidget(tile, i // 3, i % 3)
        dispositions = QVBoxLayout()
        dispositions.setSpacing(4)
        dispositions.addWidget(QLabel("<b>Dispositions</b>"))
        dispositions.addWidget(self.disposition_bar)
        dispositions.addWidget(self.disposition_legend)
        dispositions.addWidget(self.statuses)
        dispositions.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tiles, 3)
        layout.addLayout(dispositions, 2)
        layout.addWidget(self.chart, 2)
        self.set_stats(None)

    def _tiles(self) -> tuple[Tile, ...]:
        return (
            self.calls,
            self.reached,
            self.answer_rate,
            self.human_voicemail,
            self.talk,
            self.total_talk,
        )

    def set_stats(self, stats: dict[str, Any] | None) -> None:
        if not stats:
            for tile in self._tiles():
                tile.set("—")
            self.disposition_bar.set_counts({}, 0)
            self.disposition_legend.setText("")
            self.statuses.setText("")
            self.chart.set_series(None)
            return
        self.calls.set(f"{stats['total_calls']:,}", f"{stats['finished_calls']:,} finished")
        self.reached.set(
            f"{stats['contacts_reached']:,} of {stats['total_contacts']:,}",
            "contacts whose call was answered, of all contacts",
        )
        self.answer_rate.set(
            percent(stats["answer_rate"]),
            f"{stats['answered_calls']:,} answered of {stats['finished_calls']:,} finished calls",
        )
        self.human_voicemail.set(
            f"{stats['human']:,} / {stats['voicemail']:,}",
            f"answered by a person: {stats['human']:,}; by voicemail: {stats['voicemail']:,}",
        )
        self.talk.set(clock(stats["talk_time_avg_s"]) or "—")
        self.total_talk.set(clock(stats["talk_time_total_s"]) or "0:00")
        self.disposition_bar.set_counts(stats["dispositions"], stats["undisposed_calls"])
        legend = [
            f'<span style="color:{BAR_COLOURS[i % len(BAR_COLOURS)]}">■</span>&nbsp;'
            + html.escape(name).replace(" ", "&nbsp;")
            + f"&nbsp;{n:,}"
            for i, (name, n) in enumerate(stats["dispositions"].items())
        ]
        self.disposition_legend.setText(" &nbsp; ".join(legend) or "None yet")
        parts = [
            f"{n:,} {status.replace('_', ' ')}"
            for status, n in stats["contacts_by_status"].items()
            if n
        ]
        self.statuses.setText("Contacts: " + " · ".join(parts) if parts else "No contacts")
