"""Every page and dialog on a 1366x768 laptop: each window fits the screen's available
geometry, and every button in it is visible and not clipped (or inside a form that scrolls).

The offscreen screen is 800x600, so the screen the windows fit themselves to is patched to a
1366x768 laptop's available area (a 30 px panel at the bottom).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QWidget

from app.demo import seed_demo
from app.store.campaigns import list_campaigns
from app.ui import main_window, screen_fit
from app.ui.about import show_about
from app.ui.app import build_context
from app.ui.campaigns.dialog import CampaignDialog
from app.ui.campaigns.drop_choice import CampaignChoiceDialog
from app.ui.imports.file_dialog import ImportDialog
from app.ui.imports.paste_dialog import PasteNumbersDialog
from app.ui.live_calls import ask_before_closing, tell_resuming
from app.ui.messages import confirm, show_error
from app.ui.undo import confirm_loss
from tests.ui.imports.helpers import TIMEOUT_MS

LAPTOP = QRect(0, 0, 1366, 738)


@pytest.fixture
def laptop(monkeypatch):
    for module in (screen_fit, main_window):
        monkeypatch.setattr(module, "available_area", lambda widget=None: QRect(LAPTOP))
    return LAPTOP


@pytest.fixture
def context(store, home):
    seed_demo(store)
    return build_context(store, home)


def assert_fits(qtbot, window: QWidget, where: str = "") -> int:
    """*window* fits the laptop's screen and shows each of its buttons whole; returns how
    many buttons were checked."""
    if not window.isVisible():
        window.show()
    qtbot.waitExposed(window)
    qtbot.wait(10)  # the posted layout requests: a form's scroll bar settles
    where = where or window.windowTitle() or window.objectName()
    size = window.frameGeometry().size()
    assert size.width() <= LAPTOP.width() and size.height() <= LAPTOP.height(), (where, size)
    checked = 0
    for button in window.findChildren(QAbstractButton):
        if button.window() is not window or not button.isVisibleTo(window):
            continue
        in_tab_bar = button.parentWidget() is not None and button.parentWidget().inherits("QTabBar")
        if in_tab_bar or button.objectName() == "qt_tableview_cornerbutton":
            continue  # a tab bar's scroll arrows, a table's select-all corner: not actions
        _assert_whole(button, window, f"{where}: {button.text() or button.objectName()}")
        checked += 1
    return checked


def _assert_whole(button: QAbstractButton, window: QWidget, label: str) -> None:
    """Not clipped by any parent up to the window, except by a form that scrolls up and down
    (then it must still fit sideways in the form's viewport)."""
    assert button.width() > 0 and button.height() > 0, label
    target: QWidget = button  # what must be whole inside each parent up the chain
    parent = button.parentWidget()
    while parent is not None:
        rect = QRect(target.mapTo(parent, QPoint(0, 0)), target.size())
        scroll = parent.parentWidget()
        if isinstance(scroll, QScrollArea) and parent is scroll.viewport():
            assert rect.left() >= 0 and rect.right() < parent.width(), (label, "cut sideways")
            target, parent = scroll, scroll.parentWidget()  # reachable by scrolling
            continue
        assert parent.rect().contains(rect), (label, type(parent).__name__, rect, parent.rect())
        if parent is window:
            break
        parent = parent.parentWidget()


@pytest.mark.parametrize("size", ["minimum", "default"])
def test_every_page_shows_its_buttons_on_a_laptop(qtbot, laptop, context, size):
    from PySide6.QtCore import QSettings

    QSettings().remove("window/geometry")
    window = main_window.MainWindow(context)
    qtbot.addWidget(window)
    if size == "minimum":
        window.resize(window.minimumSize())
    window.show()
    qtbot.waitExposed(window)
    assert window.statusBar().isVisible()
    for name in window.page_names():
        window.show_page(name)
        qtbot.wait(10)
        assert assert_fits(qtbot, window, f"{name} at {window.size().toTuple()}") > 0


def _open(qtbot, make: Callable[[], QWidget]) -> QWidget:
    widget = make()
    qtbot.addWidget(widget)
    return widget


def test_every_dialog_shows_its_buttons_on_a_laptop(qtbot, laptop, context, tmp_path):
    parent = main_window.MainWindow(context)
    qtbot.addWidget(parent)
    parent.show()
    csv = tmp_path / "people.csv"
    csv.write_text("phone,name\n+14155550100,Ann\n12345,Bad\n" + "+1415555,Short\n" * 40)
    long_text = "A campaign called “Spring renewals — West coast follow-ups”. " * 4
    store = context.store
    with store.session() as session:
        campaigns = list_campaigns(session)

    dialogs: list[tuple[str, Callable[[], QWidget]]] = [
        ("new campaign", lambda: CampaignDialog(context, parent=parent)),
        ("edit campaign", lambda: CampaignDialog(context, campaign_id=1, parent=parent)),
        ("import a file", lambda: ImportDialog(store, 1, [csv], home=context.home)),
        (
            "paste numbers",
            lambda: PasteNumbersDialog(store, 1, home=context.home, text="+14155550100\n"),
        ),
        ("drop: which campaign", lambda: CampaignChoiceDialog("people.csv", campaigns)),
        ("about", lambda: show_about(parent, str(context.home))),
        ("error", lambda: show_error(parent, "Export", long_text)),
        ("confirm", lambda: confirm(parent, "Buy a number", long_text, lambda: None)),
        (
            "confirm a loss",
            lambda: confirm_loss(parent, "Delete", long_text, "Delete 12,345 contacts", print),
        ),
        (
            "calls in progress",
            lambda: ask_before_closing(parent, 3, on_finish=print, on_leave=print),
        ),
        ("resuming", lambda: tell_resuming(parent, ["Spring renewals", "Winter"], print)),
    ]
    for label, make in dialogs:
        dialog = _open(qtbot, make)
        assert assert_fits(qtbot, dialog, label) >= 1, label
        dialog.close()

    # The import summary, with its table of rows not imported, still fits.
    dialog = _open(qtbot, lambda: ImportDialog(store, 1, [csv], home=context.home))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=TIMEOUT_MS)
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS):
        dialog.start_import()
    assert dialog.summary.rejects_table.isVisibleTo(dialog)
    assert assert_fits(qtbot, dialog, "import summary") >= 2
    dialog.close()
