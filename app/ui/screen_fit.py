"""Keep windows and dialogs inside the screen they open on (a 1366x768 laptop included).

Dialogs lay their form out in a ScrollBody, so the form scrolls while the buttons under it
stay visible, and fit_dialog (called from their showEvent) caps them to the screen's
available geometry. The main window uses window_size / fit_window_rect.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

# Room left for a window manager's title bar and borders, which are not known before showing.
FRAME_ALLOWANCE = QSize(16, 48)


def available_area(widget: QWidget | None = None) -> QRect:
    """The available geometry (without panels and docks) of the screen *widget* is on."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)


def dialog_limit(widget: QWidget) -> QSize:
    """The largest client size a dialog on *widget*'s screen may have, frame included."""
    area = available_area(widget).size()
    return QSize(
        max(area.width() - FRAME_ALLOWANCE.width(), 200),
        max(area.height() - FRAME_ALLOWANCE.height(), 200),
    )


def fit_dialog(dialog: QWidget, preferred: QSize | None = None) -> None:
    """Size *dialog* to *preferred* (default: its size hint), but never past the screen."""
    limit = dialog_limit(dialog)
    dialog.setMaximumSize(limit)
    wanted = (preferred or dialog.sizeHint()).expandedTo(dialog.size())
    dialog.resize(wanted.boundedTo(limit).expandedTo(dialog.minimumSizeHint().boundedTo(limit)))


def window_size(area: QRect, preferred: QSize, fraction: float = 0.9) -> QSize:
    """*preferred*, shrunk to at most *fraction* of *area* (and never larger than it)."""
    cap = QSize(int(area.width() * fraction), int(area.height() * fraction))
    return preferred.boundedTo(cap).boundedTo(area.size())


def fit_window_rect(rect: QRect, area: QRect) -> QRect:
    """*rect* shrunk to fit *area* and moved inside it (a saved geometry on a smaller screen)."""
    size = rect.size().boundedTo(area.size())
    fitted = QRect(rect.topLeft(), size)
    if fitted.right() > area.right():
        fitted.moveRight(area.right())
    if fitted.bottom() > area.bottom():
        fitted.moveBottom(area.bottom())
    if fitted.left() < area.left():
        fitted.moveLeft(area.left())
    if fitted.top() < area.top():
        fitted.moveTop(area.top())
    return fitted


class ScrollBody(QScrollArea):
    """A frameless, vertically scrolling area whose size hint is its content's full size,
    so the dialog opens at its natural size when the screen has room for it."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)

    def sizeHint(self) -> QSize:
        content = self.widget().sizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        frame = 2 * self.frameWidth()
        return QSize(content.width() + bar + frame, content.height() + frame)

    def minimumSizeHint(self) -> QSize:
        content = self.widget().minimumSizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(content.width() + bar, min(content.height(), 160))
