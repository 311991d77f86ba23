"""Calls over time per outcome (app.results.series.CallSeries): stacked bands on a time axis,
one per outcome, with a legend. The top edge is all calls per bucket; a band's height is its
outcome's share. It reads the same with 20 calls (a band one call high, changing colour) as
with 20,000, where separate lines per outcome would zigzag across each other."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from PySide6.QtCharts import (
    QAreaSeries,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from app.results.series import DAY, HOUR, OUTCOMES, CallSeries

LINE_COLOURS = {
    "Answered": "#198754",
    "No answer": "#fd7e14",
    "Busy": "#6f42c1",
    "Failed": "#dc3545",
    "In progress": "#0d6efd",
}
BAND_ALPHA = 200  # a little of the grid shows through
Y_TICKS = 3  # 0, middle, top: both intervals must be whole numbers of calls


def nice_top(highest: int) -> int:
    """The y-axis top: twice a 1-2-5 step, so the middle tick is a whole number too."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if 2 * step * magnitude >= highest:
                return 2 * step * magnitude
        magnitude *= 10


def _small(font, factor: float = 0.8, floor: float = 6.5):
    font.setPointSizeF(max(floor, font.pointSizeF() * factor))
    return font


class CallsOverTimeChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        dark = QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
        if dark:
            chart.setTheme(QChart.ChartTheme.ChartThemeDark)
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.setBackgroundRoundness(4)
        chart.setTitleFont(_small(chart.titleFont(), 0.85, 7.0))
        legend = chart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        legend.setFont(_small(legend.font()))
        legend.setMarkerShape(legend.MarkerShape.MarkerShapeRectangle)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.x_axis = QDateTimeAxis()
        self.x_axis.setTickCount(4)
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setTickCount(Y_TICKS)
        for axis in (self.x_axis, self.y_axis):
            axis.setLabelsFont(_small(axis.labelsFont()))
            axis.setTitleFont(_small(axis.titleFont()))
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        # Each band lies between its upper edge and the band below's (the first, zero).
        self.bands: dict[str, QAreaSeries] = {}
        self.edges: dict[str, QLineSeries] = {}
        self._zero = QLineSeries(self)
        below = self._zero
        for label, _statuses in OUTCOMES:
            upper = QLineSeries(self)
            band = QAreaSeries(upper, below)
            band.setName(label)
            colour = QColor(LINE_COLOURS[label])
            band.setPen(QPen(colour, 1))
            colour.setAlpha(BAND_ALPHA)
            band.setBrush(colour)
            band.hovered.connect(self._hovered)
            chart.addSeries(band)
            band.attachAxis(self.x_axis)
            band.attachAxis(self.y_axis)
            self.bands[label], self.edges[label] = band, upper
            below = upper
        self.series: CallSeries | None = None
        self.set_series(None)

    def set_series(self, series: CallSeries | None) -> None:
        self.series = series
        chart = self.chart()
        if series is None or not series.starts:
            chart.setTitle("Calls over time: none yet")
            for edge in (self._zero, *self.edges.values()):
                edge.clear()
            for band in self.bands.values():
                band.setVisible(False)
            now = QDateTime.currentDateTime()
            self.x_axis.setFormat("HH:mm")
            self.x_axis.setRange(now.addSecs(-3 * 3600), now)
            self.y_axis.setRange(0, nice_top(0))
            return
        chart.setTitle(f"Calls per {series.step_label}, by outcome")
        step_ms = int(series.step.total_seconds() * 1000)
        # Each bucket a flat step from its start to the next one's: no slopes between
        # buckets that would suggest calls at times nobody called.
        xs = [x for start in series.starts for x in (_ms(start), _ms(start) + step_ms)]
        # One replace() instead of an append() per point: each append re-lays it out.
        self._zero.replace([QPointF(x, 0) for x in xs])
        stacked = [0] * len(series.starts)
        for label, edge in self.edges.items():
            counts = series.lines[label]
            stacked = [top + n for top, n in zip(stacked, counts, strict=True)]
            edge.replace([QPointF(x, stacked[i // 2]) for i, x in enumerate(xs)])
            self.bands[label].setVisible(any(counts))  # never happened: no band, no legend
        highest = max(stacked, default=0)
        first, last = xs[0], xs[-1]
        self.x_axis.setFormat(_axis_format(series, last - first))
        self.x_axis.setRange(
            QDateTime.fromMSecsSinceEpoch(first), QDateTime.fromMSecsSinceEpoch(last)
        )
        self.y_axis.setRange(0, nice_top(highest + (1 if highest < 4 else 0)))

    def point_count(self) -> int:
        """Buckets drawn (every band has one point per bucket)."""
        return len(self.series.starts) if self.series else 0

    def visible_bands(self) -> list[str]:
        return [label for label, band in self.bands.items() if band.isVisible()]

    def band_top(self, label: str, index: int) -> float:
        """The upper edge of *label*'s band at bucket *index*: its calls and those below."""
        return self.edges[label].at(2 * index).y()

    def _hovered(self, point: QPointF, state: bool) -> None:
        if not state or self.series is None:
            QToolTip.hideText()
            return
        at = QDateTime.fromMSecsSinceEpoch(round(point.x())).toLocalTime()
        starts = [_ms(start) for start in self.series.starts]
        index = max(0, bisect_right(starts, point.x()) - 1)  # the bucket the pointer is in
        counts = ", ".join(
            f"{name}: {self.series.lines[name][index]:,}"
            for name in self.series.lines
            if self.series.lines[name][index]
        )
        when = at.toString("ddd d MMM" if self.series.step == DAY else "ddd d MMM HH:mm")
        QToolTip.showText(QCursor.pos(), f"{when}\n{counts or 'no calls'}", self)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _axis_format(series: CallSeries, span_ms: int) -> str:
    if series.step == DAY:
        return "d MMM"
    if series.step == HOUR or span_ms > 20 * 3_600_000:
        return "ddd HH:mm"
    return "HH:mm"
