"""Icons and other files shipped in the top-level resources/ folder."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from app.paths import resources_dir


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resources_dir() / "icons" / f"{name}.svg"))
