"""Where CallDeck keeps its data: --home, else $CALLDECK_HOME, else the platform's data dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def data_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The folder chosen; open_store creates it (and refuses a file) when the store opens."""
    chosen = home or os.environ.get("CALLDECK_HOME")
    return Path(chosen) if chosen else Path(platformdirs.user_data_dir("CallDeck", appauthor=False))


PRIVATE_UMASK = 0o077


def keep_files_private() -> None:
    """Everything CallDeck writes (database, logs, reject reports, backups, exports) holds
    contacts' numbers and names: created 0600 in 0700 folders whatever the user's umask."""
    os.umask(PRIVATE_UMASK)


def recordings_dir(home: Path) -> Path:
    path = home / "recordings"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def demo_numbers_file(home: Path) -> Path:
    """The demo account's numbers (bought, verified, released), kept by the embedded emulator
    so demo mode is the same across launches and commands."""
    return home / "demo-account-numbers.json"


def exports_dir(home: Path) -> Path:
    path = home / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def documents_dir(home: Path) -> Path:
    """Where exports are offered first: the user's Documents folder, else the data folder's
    exports/ (a system without one)."""
    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else exports_dir(home)


def resources_dir() -> Path:
    """The top-level resources/ folder (icons, agent templates), also inside a bundle."""
    bundled = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks data files here
    return Path(bundled) / "resources" if bundled else Path(__file__).parents[1] / "resources"


def agent_templates_dir() -> Path:
    return resources_dir() / "agents"
