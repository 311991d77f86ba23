"""Calls over time per outcome (app.results.series.CallSeries): one line per outcome on a
time axis, with a legend, whether the campaign made 20 calls or 20,000."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
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
POINTS_UP_TO = 40  # fewer buckets than this: draw each as a dot too, so one call shows
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
        self.lines: dict[str, QLineSeries] = {}
        for label, _statuses in OUTCOMES:
            line = QLineSeries()
            line.setName(label)
            line.setPen(QPen(QColor(LINE_COLOURS[label]), 2))
            line.hovered.connect(
                lambda point, state, label=label: self._hovered(label, point, state)
            )
            chart.addSeries(line)
            line.attachAxis(self.x_axis)
            line.attachAxis(self.y_axis)
            self.lines[label] = line
        self.series: CallSeries | None = None
        self.set_series(None)

    def set_series(self, series: CallSeries | None) -> None:
        self.series = series
        chart = self.chart()
        if series is None or not series.starts:
            chart.setTitle("Calls over time: none yet")
            for line in self.lines.values():
                line.clear()
            now = QDateTime.currentDateTime()
            self.x_axis.setFormat("HH:mm")
            self.x_axis.setRange(now.addSecs(-3 * 3600), now)
            self.y_axis.setRange(0, nice_top(0))
            self.y_axis.setTitleText("")
            return
        chart.setTitle(f"Calls per {series.step_label}, by outcome")
        xs = [_ms(start) for start in series.starts]
        highest = 0
        for label, line in self.lines.items():
            counts = series.lines[label]
            # One replace() instead of an append() per point: each append re-lays it out.
            line.replace([QPointF(x, n) for x, n in zip(xs, counts, strict=True)])
            line.setPointsVisible(len(xs) < POINTS_UP_TO)
            line.setVisible(any(counts))  # an outcome that never happened: no line, no legend
            highest = max(highest, max(counts, default=0))
        step_ms = int(series.step.total_seconds() * 1000)
        # Leave half a bucket of room either side, so no point sits on the frame.
        first, last = xs[0] - step_ms // 2, xs[-1] + step_ms // 2
        self.x_axis.setFormat(_axis_format(series, last - first))
        self.x_axis.setRange(
            QDateTime.fromMSecsSinceEpoch(first), QDateTime.fromMSecsSinceEpoch(last)
        )
        self.y_axis.setRange(0, nice_top(highest + (1 if highest < 4 else 0)))

    def point_count(self) -> int:
        """Buckets drawn (every line has one point per bucket)."""
        return len(self.series.starts) if self.series else 0

    def visible_lines(self) -> list[str]:
        return [label for label, line in self.lines.items() if line.isVisible()]

    def _hovered(self, label: str, point: QPointF, state: bool) -> None:
        if not state or self.series is None:
            QToolTip.hideText()
            return
        at = QDateTime.fromMSecsSinceEpoch(round(point.x())).toLocalTime()
        index = min(
            range(len(self.series.starts)),
            key=lambda i: abs(_ms(self.series.starts[i]) - point.x()),
        )
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
