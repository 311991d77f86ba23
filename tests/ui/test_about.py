"""The window title and the About box say the version, from the package metadata."""

from importlib.metadata import version

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.ui.app import build_context
from app.ui.main_window import MainWindow


def test_the_title_and_the_about_box_show_the_installed_version(qtbot, store, home):
    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == f"CallDeck {version('calldeck')}"
    qtbot.mouseClick(window.about_button, Qt.MouseButton.LeftButton)
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None and box.isVisible()
    assert version("calldeck") in box.text()
    assert str(home) in box.informativeText()
    assert f"Logs: {home / 'logs'}" in box.informativeText()
    assert "Licences: Qt, PySide6 and psycopg under the GNU LGPL v3" in box.informativeText()
    box.close()
