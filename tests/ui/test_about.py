"""The window title and the About box say the version, from the package metadata."""

from importlib.metadata import version

from PySide6.QtWidgets import QMessageBox

from app.ui.app import build_context
from app.ui.main_window import MainWindow


def test_the_title_and_the_about_box_show_the_installed_version(qtbot, store, home):
    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == f"CallDeck {version('calldeck')}"
    about, logs, data = window.help_menu.actions()  # the rail's Help button opens this menu
    assert window.help_button.menu() is window.help_menu
    assert about.text() == "About CallDeck…"
    about.trigger()
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None and box.isVisible()
    assert version("calldeck") in box.text()
    assert str(home) in box.informativeText()
    assert f"Logs: {home / 'logs'}" in box.informativeText()
    assert "Licences: Qt, PySide6 and psycopg under the GNU LGPL v3" in box.informativeText()
    box.close()


def test_help_opens_the_logs_and_data_folders(qtbot, store, home, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened_urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened_urls.append(url) or True)
    window = MainWindow(build_context(store, home))
    qtbot.addWidget(window)
    _about, logs, data = window.help_menu.actions()
    logs.trigger()
    data.trigger()
    assert [url.toLocalFile() for url in opened_urls] == [str(home / "logs"), str(home)]
