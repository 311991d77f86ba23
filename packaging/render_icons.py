"""Renders resources/icons/app.svg to the PNG sizes of the hicolor icon theme, into
resources/icons/hicolor/NxN/calldeck.png (committed; run again after changing the SVG):

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
"""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(ICONS / "app.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = ICONS / "hicolor" / f"{size}x{size}" / "calldeck.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(target))


if __name__ == "__main__":
    main()
