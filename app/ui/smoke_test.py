"""`calldeck demo --smoke-test`: the whole app exercised once, then a report.

It checks the database is at the packaged migration head, runs a small campaign on the
embedded emulator to its end, decodes one of its recordings with QtMultimedia, and shows
every page (a PNG of each with --screenshot DIR). The report goes to DIR/smoke-test.json;
a failed check makes the exit status 1. The installed package's test
(scripts/package-test.py) reads that report from a bundle run on a clean machine.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QUrl

from app import app_version
from app.ui.context import AppContext
from app.ui.main_window import MainWindow
from app.ui.operations import Change

log = logging.getLogger(__name__)

REPORT_NAME = "smoke-test.json"
CAMPAIGN_TIMEOUT_S = 90
DECODE_TIMEOUT_S = 20
PAGE_SETTLE_S = 0.3
# What the app imports only on some paths (a keyring, a team database, an LLM, a tunnel, a
# document dropped on the knowledge base, a spreadsheet, transcripts). Each is imported here,
# so a bundle that left one out, or a library broken by the build, fails this test, not a user.
ON_DEMAND_MODULES = (
    "keyring.backends.SecretService",  # and, through secretstorage, cryptography
    "psycopg",
    "psycopg_binary",  # its C implementation, with its own libpq (after psycopg, or it refuses)
    "openai",
    "ngrok",
    "pypdf",
    "docx",
    "openpyxl",
    "lxml.etree",
    "twilio.rest.api.v2010",
    "twilio.rest.intelligence.v2",
    "phonenumbers.timezone",
)


class SmokeTest:
    """Made before the window is shown, so that it sees the first paint."""

    def __init__(self, window: MainWindow, screenshot_dir: Path | None) -> None:
        self.window = window
        self.screenshot_dir = screenshot_dir
        self.report: dict = {"version": app_version(), "bundled": hasattr(sys, "_MEIPASS")}
        window.firstPainted.connect(self._on_first_paint)

    def _on_first_paint(self) -> None:
        self.report.setdefault("first_paint_at", time.time())  # epoch: the caller knows the start

    async def run(self, context: AppContext) -> bool:
        """Every check in turn, the report written, then the window closed, whatever happens."""
        try:
            self.report["libraries"] = _import_on_demand_modules()
            self.report["database"] = _database(context)
            self.report["campaign"] = await _campaign(context)
            recordings = self.report["campaign"]["recordings"]
            if not recordings:
                raise SmokeTestFailed("the campaign's calls left no recording")
            self.report["recording"] = await _decode(Path(recordings[0]))
            self.report["pages"] = await self._pages()
            self.report["passed"] = True
        except Exception as exc:
            log.exception("the smoke test failed")
            self.report["passed"] = False
            self.report["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            if self.screenshot_dir:
                text = json.dumps(self.report, indent=2, default=str)
                (self.screenshot_dir / REPORT_NAME).write_text(text, encoding="utf-8")
            self.window.close()
        return self.report["passed"]

    async def _pages(self) -> dict[str, str | None]:
        """Each page shown in turn: {page: its screenshot's file name, if one was asked for}."""
        shown = {}
        for index, name in enumerate(self.window.page_names()):
            self.window.show_page(name)
            await asyncio.sleep(PAGE_SETTLE_S)
            shown[name] = None
            if self.screenshot_dir:
                shown[name] = f"{index + 1:02d}-{name.lower().replace(' ', '-')}.png"
                self.window.grab().save(str(self.screenshot_dir / shown[name]))
        return shown


class SmokeTestFailed(Exception):
    pass


def _import_on_demand_modules() -> list[str]:
    failed = []
    for name in ON_DEMAND_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # an ImportError, or a library that no longer loads
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    if failed:
        raise SmokeTestFailed("these could not be imported: " + "; ".join(failed))
    return list(ON_DEMAND_MODULES)


def _database(context: AppContext) -> dict:
    from app.store.engine import shown_url
    from app.store.migrate import current_revision, packaged_head

    revision, head = current_revision(context.store.engine), packaged_head()
    if revision != head:
        raise SmokeTestFailed(f"the database is at revision {revision}, not {head}")
    return {"url": shown_url(context.store.url), "revision": revision}


async def _campaign(context: AppContext) -> dict:
    """A new small campaign, dialled by the window's own dialer until nobody is left."""
    from app.demo import add_smoke_test_campaign, recording_files
    from app.store.campaigns import summary_by_id

    if context.dialer is None:
        raise SmokeTestFailed("the dialer is not running")
    campaign_id = add_smoke_test_campaign(context.store)
    context.changes.publish(Change(campaigns=True, contacts_of=campaign_id))
    started = time.monotonic()
    await context.dialer.start_campaign(campaign_id)
    await asyncio.wait_for(context.dialer.run_until_done([campaign_id]), CAMPAIGN_TIMEOUT_S)
    with context.store.session() as session:
        summary = summary_by_id(session, campaign_id)
    if summary.done != summary.total:
        raise SmokeTestFailed(f"the campaign ended with {summary.done}/{summary.total} done")
    return {
        "name": summary.name,
        "state": summary.state,
        "contacts": summary.total,
        "done": summary.done,
        "counts": {status: n for status, n in summary.counts.items() if n},
        "seconds": round(time.monotonic() - started, 1),
        "recordings": [str(p) for p in recording_files(context.store, campaign_id)],
    }


async def _decode(path: Path) -> dict:
    """Decode *path* to PCM with QtMultimedia, and say which media backend library did it."""
    from PySide6.QtMultimedia import QAudioDecoder

    decoder = QAudioDecoder()
    if not decoder.isSupported():
        raise SmokeTestFailed("QtMultimedia has no backend to decode with (FFmpeg did not load)")
    frames = 0
    done = asyncio.get_running_loop().create_future()

    def on_buffer() -> None:
        nonlocal frames
        frames += decoder.read().frameCount()

    def on_error(*_args) -> None:
        if not done.done():
            done.set_exception(SmokeTestFailed(f"decoding {path.name}: {decoder.errorString()}"))

    decoder.bufferReady.connect(on_buffer)
    decoder.finished.connect(lambda: done.done() or done.set_result(None))
    decoder.error.connect(on_error)
    decoder.setSource(QUrl.fromLocalFile(str(path)))
    decoder.start()
    try:
        await asyncio.wait_for(done, DECODE_TIMEOUT_S)
    finally:
        decoder.stop()
    if frames == 0:
        raise SmokeTestFailed(f"decoding {path.name} gave no audio")
    return {"file": path.name, "frames": frames, "backend": _media_backend()}


def _media_backend() -> str | None:
    """The QtMultimedia backend plugin this process loaded (Linux: from its memory map)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    for line in maps.splitlines():
        if "mediaplugin" in line and "/" in line:
            return line[line.index("/") :]
    return None
