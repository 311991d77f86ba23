"""Calls over time as a small QtCharts line: per ten minutes for a short run, else per hour."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

HOUR_MS = 3_600_000
FINE_SPAN_MS = 6 * HOUR_MS  # up to this span, show the ten-minute buckets as they are
Y_TICKS = 3  # 0, middle, top: both intervals must be whole numbers of calls


def nice_top(highest: int) -> int:
    """The y-axis top: twice a 1-2-5 step, so the middle tick is a whole number too."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if 2 * step * magnitude >= highest:
                return 2 * step * magnitude
        magnitude *= 10


class CallsOverTimeChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.legend().hide()
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.setBackgroundRoundness(4)
        chart.setTitle("Calls per hour")
        font = chart.titleFont()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        chart.setTitleFont(font)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.series = QLineSeries()
        self.series.setPointsVisible(True)
        self.series.setPen(QPen(QColor("#0d6efd"), 2))
        chart.addSeries(self.series)
        self.x_axis = QDateTimeAxis()
        self.x_axis.setFormat("HH:mm")
        self.x_axis.setTickCount(4)
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setTickCount(Y_TICKS)
        for axis in (self.x_axis, self.y_axis):
            labels = axis.labelsFont()
            labels.setPointSizeF(max(6.5, labels.pointSizeF() * 0.8))
            axis.setLabelsFont(labels)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)
        self.set_points([])

    def set_points(self, points: list[dict], bucket_minutes: int = 10) -> None:
        """points: [{"at": ISO-8601, "calls": n}, ...] oldest first (campaign_stats shape)."""
        values = self._values(points)
        step_ms = bucket_minutes * 60_000
        if values and values[-1][0] - values[0][0] > FINE_SPAN_MS:
            values = _per_hour(values)
            step_ms = HOUR_MS
        self.chart().setTitle(
            "Calls per hour" if step_ms == HOUR_MS else f"Calls per {bucket_minutes} min"
        )
        # One replace() instead of an append() per point: each append re-lays the chart out.
        self.series.replace([QPointF(ms, n) for ms, n in values])
        if values:
            # Leave a bucket of room either side, so no point sits on the frame.
            first, last = values[0][0] - step_ms, values[-1][0] + step_ms
            span_days = (last - first) / (24 * HOUR_MS)
            self.x_axis.setFormat("d MMM" if span_days > 2 else "HH:mm")
            self.x_axis.setRange(
                QDateTime.fromMSecsSinceEpoch(first), QDateTime.fromMSecsSinceEpoch(last)
            )
            self.y_axis.setRange(0, nice_top(max(n for _, n in values) + 1))
        else:
            self.chart().setTitle("Calls over time")
            now = QDateTime.currentDateTime()
            self.x_axis.setRange(now.addSecs(-3 * 3600), now)
            self.y_axis.setRange(0, nice_top(0))

    @staticmethod
    def _values(points: list[dict]) -> list[tuple[int, int]]:
        values = []
        for point in points:
            try:
                at = datetime.fromisoformat(point["at"])
            except (KeyError, ValueError):
                continue
            values.append((int(at.timestamp() * 1000), int(point["calls"])))
        return values

    def point_count(self) -> int:
        return self.series.count()


def _per_hour(values: list[tuple[int, int]]) -> list[tuple[int, int]]:
    hours: dict[int, int] = {}
    for ms, n in values:
        hour = ms - ms % HOUR_MS
        hours[hour] = hours.get(hour, 0) + n
    return sorted(hours.items())
