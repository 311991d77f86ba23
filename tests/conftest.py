"""Shared fixtures: an offscreen Qt, a throwaway data dir and store, a qasync loop."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import keyring
import pytest
from hypothesis import settings
from keyring.backend import KeyringBackend

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The PostgreSQL cluster (started on first use) and a fresh database per test.
from tests.store.pg import pg_cluster, pg_url  # noqa: E402, F401

REPO = Path(__file__).resolve().parents[1]


class MemoryKeyring(KeyringBackend):
    """Tests never touch the developer's real keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch) -> MemoryKeyring:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session", autouse=True)
def isolated_qsettings(tmp_path_factory) -> None:
    """QSettings (window geometry, splitters) go to a temp dir, not the user's config."""
    try:
        from PySide6.QtCore import QCoreApplication, QSettings
    except ImportError:  # pragma: no cover - PySide6 is a hard dependency
        return
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("qs"))
    )
    QCoreApplication.setOrganizationName("CallDeckTests")
    QCoreApplication.setApplicationName("CallDeckTests")


@pytest.fixture(autouse=True)
def user_config(tmp_path, monkeypatch) -> Path:
    """Each user's own settings (their name) go to a temp dir, not the developer's config."""
    path = tmp_path / "user-config"
    monkeypatch.setenv("CALLDECK_USER_CONFIG", str(path))
    return path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("CALLDECK_HOME", str(path))
    monkeypatch.delenv("CALLDECK_DB", raising=False)
    return path


@pytest.fixture
def store(home):
    from app.store.engine import open_store

    opened = open_store(home)
    yield opened
    opened.dispose()


@pytest.fixture(autouse=True)
def main_thread_gc(request):
    """Qt tests collect garbage on the GUI thread only, as the app does (see main_thread_gc)."""
    if "qapp" not in request.fixturenames:
        yield
        return
    from app.ui.main_thread_gc import MainThreadCollector

    collector = MainThreadCollector(request.getfixturevalue("qapp"))
    collector.install()
    yield
    collector.uninstall()
    collector.deleteLater()


FAST = 200.0  # emulator speed factor: a 20 s call lasts 0.1 s


@pytest.fixture
def make_emulator(tmp_path):
    """Start real emulators on their own threads (no CPS cap unless asked); stopped after."""
    from app.telephony.emulator import EmulatorThread

    started = []

    def make(**kwargs):
        kwargs.setdefault("speed", FAST)
        kwargs.setdefault("call_log", tmp_path / f"calls-{len(started)}.jsonl")
        kwargs.setdefault("cps", 0)
        emu = EmulatorThread(**kwargs)
        emu.start()
        emu.call_log = kwargs["call_log"]
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def qloop(qapp):
    """A qasync loop on the test's QApplication; leftover tasks are cancelled and awaited."""
    import qasync

    # As in the app (app/ui/app.py): a window closing must not quit the loop. Left at Qt's
    # default, a window of an earlier test closing mid-test can stop this loop early (seen
    # once: "Event loop stopped before Future completed").
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)


# CI runs the same examples every time: a red build must be reproducible, not a coin toss.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def create_api_key(emulator) -> tuple[str, str]:
    """A new API key on *emulator*'s account (Keys.json, as in the Twilio Console): SID, secret."""
    import requests

    resp = requests.post(
        f"{emulator.base_url}/2010-04-01/Accounts/{emulator.account_sid}/Keys.json",
        data={"FriendlyName": "CallDeck tests"},
        auth=(emulator.account_sid, emulator.auth_token),
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["sid"], resp.json()["secret"]
