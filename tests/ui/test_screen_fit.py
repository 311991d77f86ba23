"""Dialogs and the main window stay inside the screen (offscreen's screen is 800x600)."""

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QPushButton

from app.demo import seed_demo
from app.ui.campaigns.dialog import CampaignDialog
from app.ui.context import AppContext
from app.ui.imports.file_dialog import ImportDialog
from app.ui.imports.paste_dialog import PasteNumbersDialog
from app.ui.screen_fit import available_area, fit_window_rect, window_size


def _inside_screen(qtbot, dialog) -> QRect:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    area = available_area(dialog)
    assert area.height() < 805  # the screen is shorter than the natural form
    frame = dialog.frameGeometry()
    assert area.contains(frame), (frame, area)
    return area


def _button_in_view(dialog, text: str) -> None:
    button = next(b for b in dialog.findChildren(QPushButton) if b.text() == text)
    assert button.isVisible()
    top_left = button.mapTo(dialog, button.rect().topLeft())
    bottom_right = button.mapTo(dialog, button.rect().bottomRight())
    assert dialog.rect().contains(top_left) and dialog.rect().contains(bottom_right)


def test_new_campaign_dialog_scrolls_its_form_and_keeps_the_buttons_on_screen(qtbot, store, home):
    seed_demo(store)
    dialog = CampaignDialog(AppContext(store=store, home=home, demo_mode=True))
    area = _inside_screen(qtbot, dialog)
    assert dialog.height() <= area.height()
    assert dialog.body.verticalScrollBar().maximum() > 0  # the form scrolls
    for text in ("Cancel", "Save as draft", "Schedule for", "Start now"):
        _button_in_view(dialog, text)
    assert dialog.body.isAncestorOf(dialog.name)
    assert not dialog.body.isAncestorOf(dialog.error)


def test_import_dialogs_are_capped_to_the_screen(qtbot, store, home, tmp_path):
    seed_demo(store)
    csv = tmp_path / "people.csv"
    csv.write_text("phone,name\n+14155550100,Ann\n")
    for dialog in (
        ImportDialog(store, 1, [csv], home=home),
        PasteNumbersDialog(store, 1, home=home, text="+14155550100"),
    ):
        _inside_screen(qtbot, dialog)
        assert dialog.body.isAncestorOf(dialog.summary)
        _button_in_view(dialog, "Cancel")
        dialog.reject()


def test_window_size_is_at_most_ninety_percent_of_the_screen():
    area = QRect(0, 0, 1366, 768)
    assert window_size(area, QSize(1280, 800)) == QSize(1229, 691)
    assert window_size(QRect(0, 0, 2560, 1440), QSize(1280, 800)) == QSize(1280, 800)


def test_a_saved_geometry_larger_than_the_screen_is_shrunk_and_moved_inside():
    area = QRect(0, 24, 1366, 744)
    fitted = fit_window_rect(QRect(300, 200, 1920, 1000), area)
    assert area.contains(fitted) and fitted.size() == QSize(1366, 744)
    assert fit_window_rect(QRect(10, 40, 800, 600), area) == QRect(10, 40, 800, 600)


def _main_window_inside_screen(qtbot, window) -> None:
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    area = available_area(window)
    assert area.contains(window.frameGeometry()), (window.frameGeometry(), area)
    assert window.statusBar().isVisible()
    bar = window.statusBar()
    assert area.contains(QRect(bar.mapToGlobal(bar.rect().topLeft()), bar.size()))


def test_the_main_window_opens_inside_the_screen(qtbot, store, home):
    from app.ui.app import build_context
    from app.ui.main_window import MainWindow

    window = MainWindow(build_context(store, home))
    area = available_area(window)
    assert window.width() <= area.width() and window.height() <= area.height()
    _main_window_inside_screen(qtbot, window)


def test_at_1366x768_the_window_takes_90_percent_and_shows_every_page_action(
    qtbot, store, home, monkeypatch
):
    from PySide6.QtCore import QSettings

    from app.ui import main_window
    from app.ui.app import build_context

    seed_demo(store)
    QSettings().remove("window/geometry")  # a first start: other tests' windows saved theirs
    monkeypatch.setattr(main_window, "available_area", lambda widget: QRect(0, 0, 1366, 768))
    window = main_window.MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    assert window.size() == QSize(1229, 691)
    window.show()
    qtbot.waitExposed(window)
    for name in window.page_names():
        window.show_page(name)
        qtbot.wait(10)
        for button in window.findChildren(QPushButton):
            if button.isVisibleTo(window) and button.window() is window:
                label, shown = button.text(), button
                scroll = _scroll_area_of(button)
                if scroll is not None:  # reachable by scrolling down, never cut sideways
                    inside = button.mapTo(scroll.widget(), button.rect().bottomRight())
                    assert inside.x() <= scroll.viewport().width(), (name, label)
                    shown = scroll
                corner = shown.mapTo(window, shown.rect().bottomRight())
                assert window.rect().contains(corner), (name, label, corner)


def _scroll_area_of(widget):
    from PySide6.QtWidgets import QScrollArea

    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def test_a_saved_geometry_bigger_than_the_screen_is_fitted_on_restore(qtbot, store, home):
    from PySide6.QtCore import QSettings

    from app.ui.app import build_context
    from app.ui.main_window import MainWindow

    big = MainWindow()
    qtbot.addWidget(big)
    big.setMinimumSize(0, 0)
    big.setMaximumSize(4000, 4000)
    big.setGeometry(400, 300, 1920, 1200)
    QSettings().setValue("window/geometry", big.saveGeometry())
    try:
        window = MainWindow(build_context(store, home))
        _main_window_inside_screen(qtbot, window)
    finally:
        QSettings().remove("window/geometry")
