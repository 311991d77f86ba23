"""The About box: the version (from the package metadata, see app.app_version) and what
this copy of CallDeck runs on, for a support question."""

from __future__ import annotations

import html
import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from app import app_version
from app.ui.resources import icon

LICENCES = (
    "Licences: Qt, PySide6 and psycopg under the GNU LGPL v3; SQLAlchemy, Alembic, the Twilio SDK, "
    "openpyxl and aiohttp under the MIT or Apache 2.0 licences; phonenumbers under the "
    "Apache 2.0 licence. Each package's licence file is installed with it."
)


def window_title() -> str:
    return f"CallDeck {app_version()}"


def show_about(parent: QWidget, data_folder: str | None = None) -> QMessageBox:
    """Opened, not exec()'d: the event loop (and the dialer) keep running behind it."""
    box = QMessageBox(parent)
    box.setWindowTitle("About CallDeck")
    box.setIconPixmap(icon("app").pixmap(64, 64))
    box.setText(f"<b>CallDeck {app_version()}</b>")
    lines = [
        "Outbound call campaigns for the supervisor of a small call team.",
        f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}"
        + (" · installed bundle" if hasattr(sys, "_MEIPASS") else ""),
    ]
    if data_folder:
        lines.append(f"Data folder: {html.escape(data_folder)}")
        lines.append(f"Logs: {html.escape(str(Path(data_folder) / 'logs'))}")
    lines.append(LICENCES)
    box.setInformativeText("<br>".join(lines))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setObjectName("aboutBox")
    box.finished.connect(box.deleteLater)
    box.open()
    return box
