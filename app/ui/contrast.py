"""WCAG contrast, and coloured text that stays readable on the light and the dark palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

AA_NORMAL_TEXT = 4.5  # WCAG 2 level AA for body text


def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast_ratio(first: QColor | str, second: QColor | str) -> float:
    lighter, darker = sorted(
        (relative_luminance(QColor(first)), relative_luminance(QColor(second))), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(colour: str, background: QColor) -> str:
    """*colour*, lightened (on a dark *background*) or darkened (on a light one) step by step
    until it reads at AA: red stays red, only lighter or darker."""
    text = QColor(colour)
    for _ in range(20):
        if contrast_ratio(text, background) >= AA_NORMAL_TEXT:
            break
        hue, saturation, lightness, _alpha = text.getHslF()
        if relative_luminance(background) < 0.5:
            lightness = min(1.0, lightness + 0.05)
        else:
            lightness = max(0.0, lightness - 0.05)
        text = QColor.fromHslF(max(hue, 0.0), saturation, lightness)
    return text.name()


def text_colour(colour: str, on: QPalette.ColorRole = QPalette.ColorRole.Window) -> str:
    """A warning or error colour for text on the window (or on a table's Base), readable in
    the palette in use."""
    return readable_on(colour, QApplication.palette().color(on))
