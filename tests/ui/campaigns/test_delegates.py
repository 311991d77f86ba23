"""The painted cells of the campaigns table: a horizontal progress bar with its text."""

from PySide6.QtCore import QRect, Qt
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


def test_row_buttons_are_on_screen_at_1366x768_and_stay_put(qtbot, store, home, monkeypatch):
    from PySide6.QtCore import QSettings
    from sqlalchemy import update

    from app.demo import seed_demo
    from app.store.models import Agent, Campaign
    from app.ui import main_window
    from app.ui.app import build_context
    from app.ui.campaigns.campaigns_model import ACTIONS_COLUMN, NAME_COLUMN
    from app.ui.campaigns.delegates import ActionsDelegate

    seed_demo(store)
    QSettings().remove("window/geometry")  # a first start at 1366x768 (90 %: 1229x691)
    monkeypatch.setattr(main_window, "available_area", lambda widget: QRect(0, 0, 1366, 768))
    window = main_window.MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    table = window.campaigns.table
    header = table.horizontalHeader()

    def buttons_rect() -> QRect:
        return table.visualRect(table.model().index(0, ACTIONS_COLUMN))

    before = buttons_rect()
    assert before.width() >= 2 * ActionsDelegate.BUTTON_WIDTH + 4 + 6  # both buttons whole
    assert table.viewport().rect().contains(before)  # whole, without scrolling
    assert header.sectionViewportPosition(ACTIONS_COLUMN) == header.sectionSize(NAME_COLUMN)
    with store.session.begin() as session:
        session.execute(
            update(Agent)
            .where(Agent.name == "Appointment reminder")
            .values(name="A much, much longer agent name than before")
        )
        session.execute(update(Campaign).values(name=Campaign.name + " with a long suffix added"))
    window.campaigns.refresh()
    qtbot.wait(50)
    assert buttons_rect() == before  # other columns grew; the buttons did not move
    name = table.model().index(0, NAME_COLUMN)
    assert name.data(Qt.ItemDataRole.ToolTipRole) == name.data()  # an elided name in full
