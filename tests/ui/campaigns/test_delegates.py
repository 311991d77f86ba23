"""The painted cells of the campaigns table: a horizontal progress bar with its text."""

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

from app.ui.campaigns.campaigns_model import ProgressRole
from app.ui.campaigns.delegates import ProgressDelegate


def _paint(qtbot, done: int, total: int) -> QImage:
    model = QStandardItemModel(1, 1)
    item = QStandardItem()
    item.setData((done, total), ProgressRole)
    model.setItem(0, 0, item)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = ProgressDelegate(view)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.widget = view
    option.rect = QRect(0, 0, 200, 30)
    image = QImage(200, 30, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    return image


def _column_filled(image: QImage, x: int, highlight: QColor) -> bool:
    """Whether the pixels near the top and the bottom of column x are the bar's fill."""

    def near(colour: QColor) -> bool:
        return (
            abs(colour.red() - highlight.red())
            + abs(colour.green() - highlight.green())
            + abs(colour.blue() - highlight.blue())
            < 120
        )

    return near(image.pixelColor(x, 9)) and near(image.pixelColor(x, 20))


def test_progress_fills_left_to_right_across_the_full_height(qtbot):
    image = _paint(qtbot, 13, 36)
    highlight = QTableView().palette().highlight().color()
    assert _column_filled(image, 12, highlight)  # the first third: filled, top and bottom
    assert not _column_filled(image, 180, highlight)  # the end: not filled
    empty = _paint(qtbot, 0, 24)
    assert not _column_filled(empty, 12, highlight)
    full = _paint(qtbot, 24, 24)
    assert _column_filled(full, 12, highlight) and _column_filled(full, 180, highlight)


def test_progress_text_is_drawn_centred_in_the_bar(qtbot):
    image = _paint(qtbot, 0, 36)
    text = [
        x
        for x in range(8, 192)
        for y in range(8, 22)
        if image.pixelColor(x, y).lightness() < 110  # the dark glyphs of "0 / 36"
    ]
    assert text, "no text drawn"
    assert abs((min(text) + max(text)) / 2 - 100) <= 12
