"""Start-up and shutdown of the GUI: QApplication + qasync loop, services after first paint."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import traceback
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication, QMessageBox

from app.ui.context import AppContext
from app.ui.live_calls import tell_resuming
from app.ui.main_thread_gc import MainThreadCollector
from app.ui.main_window import MainWindow
from app.ui.smoke_test import SmokeTest

log = logging.getLogger(__name__)


def _log_to_file(home: Path) -> None:
    logs = home / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(logs / "calldeck.log", maxBytes=2_000_000, backupCount=3)
    except OSError as exc:  # the window will say what is wrong with the data folder
        log.warning("cannot write the log file in %s: %s", logs, exc)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


class ErrorReporter:
    """Logs uncaught errors and shows them without blocking the loop (no exec())."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._boxes: list[QMessageBox] = []

    def excepthook(self, exc_type, exc, tb) -> None:
        log.error("uncaught error", exc_info=(exc_type, exc, tb))
        self.show(f"{exc_type.__name__}: {exc}", "".join(traceback.format_exception(exc)))

    def loop_handler(self, loop, context: dict) -> None:
        exc = context.get("exception")
        log.error("asyncio error: %s", context.get("message"), exc_info=exc)
        if exc is not None:
            self.show(f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)))

    def show(self, text: str, detail: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "CallDeck ran into a problem",
            text,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setInformativeText("The details are in the log file (Settings › Open logs folder).")
        box.setDetailedText(detail)
        box.finished.connect(lambda _=0, b=box: self._boxes.remove(b))
        self._boxes.append(box)
        box.show()


FIRST_PAINT_WAIT_S = 1.0  # a window that is never exposed (minimised) must not stall start-up


def open_context(home: Path, db_url: str | None = None) -> AppContext:
    """Open the database (migrating it) and read what the pages need."""
    from app.store.engine import open_store

    store = open_store(home, db_url)
    try:
        return build_context(store, home)
    except Exception:
        store.dispose()
        raise


def build_context(store, home: Path) -> AppContext:
    """Where calls go: the account in Settings, or demo mode when there is none."""
    from app.services import SetupError, choose_connection
    from app.settings import get_setting

    try:
        connection = choose_connection(store, demo_when_unconfigured=True)
    except SetupError as exc:  # an account without its token: live, but nothing dials
        with store.session() as session:
            account_sid = get_setting(session, "twilio_account_sid")
        return AppContext(
            store=store, home=home, demo_mode=False, account_sid=account_sid, setup_error=str(exc)
        )
    return AppContext(
        store=store,
        home=home,
        demo_mode=connection.simulated,
        account_sid=connection.account_sid,
        connection=connection,
    )


def watch_other_seats(context: AppContext, window: MainWindow):
    """Other GUIs and `calldeck run` on the same database: their changes reach the pages."""
    from app.ui.seat_feed import SeatWatcher

    seats = SeatWatcher(context.store, context.changes, window)
    seats.start()
    return seats


async def start_services(context: AppContext, window: MainWindow) -> None:
    """After the first paint: the services (app.services), the bridge, then the dialer."""
    from app.services import SetupError, open_services
    from app.ui.dialer_bridge import DialerBridge

    if context.connection is None:
        raise SetupError(context.setup_error or "no Twilio account")
    context.services = await open_services(context.store, context.connection)
    if context.bridge is None:
        context.bridge = DialerBridge(context.dialer)
        window.attach_services(context)
    else:  # services started again (the account changed): the pages keep their bridge
        context.bridge.attach(context.dialer)
    resuming = running_campaigns(context)
    await context.dialer.start()
    window.resume_notice = tell_resuming(
        window,
        [name for _, name in resuming],
        lambda: asyncio.ensure_future(pause_campaigns(context, [cid for cid, _ in resuming])),
    )


def running_campaigns(context: AppContext) -> list[tuple[int, str]]:
    """(id, name) of the campaigns left running when CallDeck last closed: they resume."""
    from app.domain.status import CampaignState
    from app.store.campaigns import list_campaigns

    with context.store.session() as session:
        campaigns = list_campaigns(session)
    return [(c.id, c.name) for c in campaigns if c.state == CampaignState.RUNNING]


async def pause_campaigns(context: AppContext, campaign_ids: list[int]) -> None:
    for campaign_id in campaign_ids:
        try:
            await context.dialer.pause_campaign(campaign_id)
        except Exception:  # deleted meanwhile, or the dialer stopped: the rest still pause
            log.exception("could not pause campaign %s", campaign_id)


async def try_start_services(context: AppContext, window: MainWindow) -> None:
    """start_services, with the window staying usable and the status bar saying what failed."""
    from app.services import SetupError

    try:
        await start_services(context, window)
    except SetupError as exc:  # expected: e.g. the token is not in the keyring
        log.warning("the dialer is not running: %s", exc)
        window.show_service_error(str(exc))
    except Exception as exc:
        log.exception("could not start the dialer")
        window.show_service_error(str(exc))


def follow_the_account(context: AppContext, window: MainWindow) -> None:
    """When Settings connects an account, gives a missing token, or switches between live and
    demo (Change(account=True)), calls go the new way at once, without a restart."""
    switching = asyncio.Lock()  # two quick changes: the second waits for the first

    async def switch() -> None:
        async with switching:
            await switch_services(context, window)

    def on_change(change) -> None:
        if change.account:
            asyncio.ensure_future(switch())

    context.changes.changed.connect(on_change)


async def switch_services(context: AppContext, window: MainWindow) -> None:
    """Stop the services, if they go somewhere else now, and start them for where calls go
    now (Settings refuses the switch while calls are in progress)."""
    from app.services import SetupError, choose_connection
    from app.settings import get_setting

    try:
        connection = choose_connection(context.store, demo_when_unconfigured=True)
        problem = None
    except SetupError as exc:  # live without its token: nothing dials, never the old way
        connection, problem = None, str(exc)
    if context.services is not None and context.services.connection == connection:
        return
    await stop_services(context)
    context.services = None
    context.connection = connection
    context.setup_error = problem
    context.demo_mode = connection.simulated if connection else False
    with context.store.session() as session:
        context.account_sid = get_setting(session, "twilio_account_sid")
    window.show_mode(context)
    await try_start_services(context, window)
    if context.services is not None:
        await refresh_numbers(context)


async def refresh_numbers(context: AppContext) -> None:
    """Read the caller-IDs of the account now in use, so campaigns are checked against it."""
    from app.store.numbers import replace_account_numbers
    from app.telephony.errors import ProviderError
    from app.ui.operations import Change

    try:
        numbers = await context.provider.list_numbers()
    except ProviderError as exc:  # the Phone numbers page offers Refresh
        log.warning("could not read the account's numbers: %s", exc)
        return
    with context.store.session.begin() as session:
        replace_account_numbers(session, numbers)
    context.changes.publish(Change(numbers=True))


async def stop_services(context: AppContext) -> None:
    if context.services is not None:
        await context.services.close()


def run_gui(
    *,
    home: Path,
    db_url: str | None = None,
    smoke_test: bool = False,
    screenshot_dir: Path | None = None,
    open_files: Sequence[Path] = (),
) -> int:
    """The app until its window is closed; *open_files*: contact files to offer to import."""
    _log_to_file(home)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CallDeck")
    app.setOrganizationName("CallDeck")
    app.setQuitOnLastWindowClosed(False)  # the loop ends after the services have stopped
    previous_hook = sys.excepthook
    collector = MainThreadCollector(app)
    collector.install()
    try:
        window = MainWindow()  # a shell until the database is open
        smoke = SmokeTest(window, screenshot_dir) if smoke_test else None
        reporter = ErrorReporter(window)
        sys.excepthook = reporter.excepthook
        return qasync.run(
            _run_window(
                window,
                reporter,
                collector,
                home=home,
                db_url=db_url,
                smoke=smoke,
                open_files=list(open_files),
            )
        )
    finally:
        sys.excepthook = previous_hook
        collector.uninstall()


async def _run_window(
    window: MainWindow,
    reporter: ErrorReporter,
    collector: MainThreadCollector,
    *,
    home: Path,
    db_url: str | None,
    smoke: SmokeTest | None,
    open_files: list[Path],
) -> int:
    """Show the window, open the database after its first paint, then run until closed."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(reporter.loop_handler)
    closed = asyncio.Event()
    window.closing.connect(closed.set)
    painted = loop.create_future()
    window.firstPainted.connect(lambda: painted.done() or painted.set_result(None))
    window.show()
    # The window is on screen before SQLAlchemy loads (half of start-up).
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(painted, FIRST_PAINT_WAIT_S)
    if closed.is_set():
        return 0  # closed before anything was opened
    context: AppContext | None = None
    try:
        context = open_context(home, db_url)
        window.attach(context)
        seats = watch_other_seats(context, window)
    except Exception as exc:
        log.exception("could not open the database")
        reason = getattr(exc, "orig", None) or exc  # the driver's words, not SQLAlchemy's wrapper
        window.show_startup_error(
            f"CallDeck could not open its database: {reason}.\n"
            "Check the data folder (--home) or the database URL (--db); "
            "the details are in the log file."
        )
        if context is not None:
            context.store.dispose()
        if smoke is not None:
            window.close()
        await closed.wait()
        return 1
    try:
        window.repaint()  # the campaigns, on screen before the services' imports
        await asyncio.sleep(0)  # a close clicked meanwhile is seen before services start
        if closed.is_set():
            return 0
        await try_start_services(context, window)
        if context.services is not None:  # the caller-IDs campaigns are checked against
            asyncio.ensure_future(refresh_numbers(context))
        follow_the_account(context, window)
        if open_files:
            window.offer_import(open_files)
        collector.freeze()  # start-up is over: what exists now is here to stay
        checks = asyncio.ensure_future(smoke.run(context)) if smoke is not None else None
        await closed.wait()
        await stop_services(context)
        return 1 if checks is not None and checks.done() and not checks.result() else 0
    finally:
        seats.stop()
        context.store.dispose()
