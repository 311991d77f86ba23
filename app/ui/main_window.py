"""The main window: a navigation rail, the page stack, and an always-on status bar.

It paints before the database is open: the window built without an AppContext is a shell
(rail, title, "Opening…"), and attach(context) fills in the pages. Opening the store means
importing SQLAlchemy, about half of start-up, so the user sees the window that much sooner.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSignalBlocker, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
    QPaintEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.secrets import mask_sid
from app.ui.about import show_about, window_title
from app.ui.context import AppContext
from app.ui.contrast import text_colour
from app.ui.live_calls import ask_before_closing, finishing_message
from app.ui.pages import Page
from app.ui.resources import icon
from app.ui.screen_fit import available_area, fit_window_rect, window_size

if TYPE_CHECKING:
    from app.ui.campaigns.page import CampaignsPage


@dataclass(frozen=True)
class PageSpec:
    """A rail entry; the page's module is imported when the page is first shown."""

    name: str
    icon: str
    module: str
    cls: str

    def build(self, context: AppContext) -> Page:
        return getattr(importlib.import_module(self.module), self.cls)(context)


PAGE_SPECS = [
    PageSpec("Campaigns", "campaigns", "app.ui.campaigns.page", "CampaignsPage"),
    PageSpec("Agents", "agents", "app.ui.agents.page", "AgentsPage"),
    PageSpec("Phone numbers", "numbers", "app.ui.numbers_page", "NumbersPage"),
    PageSpec("Results", "results", "app.ui.results_panel", "ResultsPanel"),
    PageSpec("Do not call", "dnc", "app.ui.dnc_page", "DncPage"),
    PageSpec("Settings", "settings", "app.ui.settings_page", "SettingsPage"),
]
PAGES = [spec.name for spec in PAGE_SPECS]
PREFERRED_SIZE = QSize(1280, 800)
# Small enough for a 1366x768 laptop (at 90 %, 1229x691), big enough for every page's actions.
MINIMUM_SIZE = QSize(960, 600)


class MainWindow(QMainWindow):
    """Signals:
    closing: the user closed the window; the app stops its services, then quits.
    firstPainted: the window has been painted once (the shell, when there is no context yet).
    """

    closing = Signal()
    firstPainted = Signal()

    def __init__(self, context: AppContext | None = None) -> None:
        super().__init__()
        self.context: AppContext | None = None
        self.setObjectName("mainWindow")
        self.setWindowTitle(window_title())
        self.setWindowIcon(icon("app"))
        size = window_size(available_area(self), PREFERRED_SIZE)
        self.setMinimumSize(MINIMUM_SIZE.boundedTo(size))  # a small screen still fits it
        self.resize(size)
        self._pages: dict[str, Page] = {}
        self._services_attached = False
        self._painted = False
        self._close_when_idle = False  # "Finish the calls in progress" was chosen
        self._leave_confirmed = False  # closing needs no more questions
        self.close_question: QMessageBox | None = None
        self.resume_notice: QMessageBox | None = None  # campaigns resuming at start (app.py)

        self.nav = QListWidget()
        self.nav.setObjectName("navRail")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(170)
        self.nav.setEnabled(False)  # until attach(): there are no pages to go to yet
        # Help: About (version, data folder, logs, licences) and the folders a support
        # question asks for, one click away.
        self.help_button = QPushButton("Help")
        self.help_button.setObjectName("helpButton")
        self.help_button.setFlat(True)
        self.help_menu = QMenu(self.help_button)
        self.help_menu.addAction("About CallDeck…", self.show_about)
        # Bound methods, not lambdas: a lambda holding self would keep the window alive.
        self.help_menu.addAction("Open the logs folder", self.open_logs_folder)
        self.help_menu.addAction("Open the data folder", self.open_data_folder)
        self.help_button.setMenu(self.help_menu)
        self.stack = QStackedWidget()
        for spec in PAGE_SPECS:
            self.nav.addItem(QListWidgetItem(icon(spec.icon), spec.name))
        self.opening_label = QLabel("Opening your campaigns…")
        self.opening_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.opening_label.setWordWrap(True)
        self.opening_label.setEnabled(False)  # drawn muted
        self.stack.addWidget(self.opening_label)

        self.title = QLabel(PAGES[0])
        self.title.setObjectName("pageTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.main_action_button = QPushButton()
        self.main_action_button.setDefault(True)
        self.main_action_button.hide()
        self.main_action_button.clicked.connect(self._run_main_action)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.main_action_button)

        right = QVBoxLayout()
        right.addLayout(header)
        right.addWidget(self.stack, 1)
        rail = QVBoxLayout()
        rail.addWidget(self.nav, 1)
        rail.addWidget(self.help_button)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(rail)
        body.addLayout(right, 1)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_shortcuts()
        self._restore_geometry()
        if context is not None:
            self.attach(context)

    def attach(self, context: AppContext) -> None:
        """The database is open: build the pages (the first now, the others when first shown)."""
        if self.context is not None:
            raise RuntimeError("the window already has its pages")
        self.context = context
        self.show_mode(context)
        self.campaigns.resultsRequested.connect(self._open_results)
        self.nav.setEnabled(True)
        with QSignalBlocker(self.nav):  # the row may be 0 already, which would not signal
            self.nav.setCurrentRow(0)
        self._on_nav(0)
        self.nav.currentRowChanged.connect(self._on_nav)
        self.stack.removeWidget(self.opening_label)
        self.opening_label.deleteLater()

    def show_startup_error(self, message: str) -> None:
        """The database could not be opened: say so where the pages would be."""
        self.opening_label.setText(message)
        self.opening_label.setEnabled(True)
        self.opening_label.setStyleSheet(f"color:{text_colour('#a94442')};")
        self.dialer_label.setText("Not started")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.fit_to_screen()  # again, now that the window frame's size is known

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.firstPainted.emit()

    # -- layout pieces ---------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.mode_label = QLabel()
        self.mode_label.setObjectName("modeLabel")
        self.calls_label = QLabel("0 calls in progress")
        self.dialer_label = QLabel("Starting the dialer…")
        self.notice_label = QLabel()  # why the dialer paused a campaign, until it runs again
        self.notice_label.setStyleSheet(f"color:{text_colour('#a94442')};")
        self._notice_for: int | None = None
        bar.addWidget(self.mode_label)
        bar.addWidget(self.calls_label)
        bar.addWidget(self.notice_label, 1)
        bar.addPermanentWidget(self.dialer_label)

    def show_mode(self, context: AppContext) -> None:
        if context.demo_mode:
            self.mode_label.setText("  Demo mode (simulated calls)  ")
            self.mode_label.setStyleSheet("background:#fff3cd;color:#7a5a00;border-radius:3px;")
        else:
            self.mode_label.setText(
                f"  Live — Twilio account {mask_sid(context.account_sid or '')}  "
            )
            self.mode_label.setStyleSheet("background:#d4edda;color:#155724;border-radius:3px;")

    def _build_shortcuts(self) -> None:
        new_campaign = QAction("New campaign", self)
        new_campaign.setShortcut(QKeySequence.StandardKey.New)
        new_campaign.triggered.connect(self._new_campaign)
        import_action = QAction("Import…", self)
        import_action.setShortcut(QKeySequence("Ctrl+I"))
        import_action.triggered.connect(self._import)
        self.quit_action = QAction("Quit", self)
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        if QKeySequence("Ctrl+Q") not in quit_keys:
            quit_keys.append(QKeySequence("Ctrl+Q"))  # Windows has no standard Quit key
        self.quit_action.setShortcuts(quit_keys)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        # close(), not quit(): closeEvent saves the layout and the app stops its services.
        self.quit_action.triggered.connect(self.close)
        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        about = QAction("About CallDeck", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        self.addActions([new_campaign, import_action, find, self.quit_action, about])

    # -- navigation ------------------------------------------------------------------------
    def page_names(self) -> list[str]:
        return list(PAGES)

    def page(self, name: str) -> Page:
        """The page called *name*, built on first use."""
        if name not in self._pages:
            if self.context is None:
                raise RuntimeError("the window has no pages before attach()")
            page = PAGE_SPECS[PAGES.index(name)].build(self.context)
            self._pages[name] = page
            self.stack.addWidget(page)
            page.restore_state(QSettings())
            if self._services_attached:
                page.attach(self.context)
        return self._pages[name]

    @property
    def campaigns(self) -> CampaignsPage:
        return self.page("Campaigns")

    @property
    def agents(self):
        return self.page("Agents")

    @property
    def numbers(self):
        return self.page("Phone numbers")

    @property
    def results(self):
        return self.page("Results")

    @property
    def settings(self):
        return self.page("Settings")

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(self.page_names().index(name))

    def _on_nav(self, row: int) -> None:
        name = self.page_names()[row]
        if not self._may_leave_page(lambda: self.show_page(name)):
            return
        page = self.page(name)
        self.stack.setCurrentWidget(page)
        self.title.setText(page.title)
        action = page.main_action
        self.main_action_button.setVisible(action is not None)
        if action is not None:
            self.main_action_button.setText(action.label)
        page.on_shown()

    def _may_leave_page(self, proceed) -> bool:
        """A page with unsaved edits (one with confirm_leave) may ask first; then the rail
        stays on it and *proceed* runs once the user has saved or discarded."""
        current = self.stack.currentWidget()
        confirm_leave = getattr(current, "confirm_leave", None)
        if confirm_leave is None or current not in self._pages.values() or confirm_leave(proceed):
            return True
        self.nav.blockSignals(True)
        name = next(n for n, page in self._pages.items() if page is current)
        self.nav.setCurrentRow(self.page_names().index(name))
        self.nav.blockSignals(False)
        return False

    def _run_main_action(self) -> None:
        current = self.stack.currentWidget()
        action = current.main_action if current in self._pages.values() else None
        if action is not None:
            action.run()

    def _focus_search(self) -> None:
        current = self.stack.currentWidget()
        focus_search = getattr(current, "focus_search", None)
        if current in self._pages.values() and focus_search is not None:
            focus_search()

    def _new_campaign(self) -> None:
        if self.context is None:
            return
        self.show_page("Campaigns")
        self.campaigns.new_campaign()

    def _import(self) -> None:
        if self.context is None:
            return
        self.show_page("Campaigns")
        self.campaigns.import_files()

    def offer_import(self, paths: list[Path]) -> None:
        """Files the app was opened with (the desktop's "Open with CallDeck")."""
        if self.context is None:
            return
        self.show_page("Campaigns")
        self.campaigns.offer_import(paths)

    def show_about(self) -> None:
        show_about(self, str(self.context.home) if self.context else None)

    def open_logs_folder(self) -> None:
        if self.context is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.context.home / "logs")))

    def open_data_folder(self) -> None:
        if self.context is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.context.home)))

    def _open_results(self, campaign_id: int) -> None:
        self.show_page("Results")
        self.results.set_campaign(campaign_id)

    # -- services --------------------------------------------------------------------------
    def attach_services(self, context: AppContext) -> None:
        context.bridge.statusChanged.connect(self._on_dialer_status)
        context.bridge.campaignStateChanged.connect(self._on_campaign_state)
        context.bridge.campaignPausedBecause.connect(self._on_campaign_paused)
        self._services_attached = True
        for page in self._pages.values():
            page.attach(context)

    def _on_dialer_status(self, status) -> None:
        active = status.active_calls
        self.calls_label.setText(f"{active} call{'s' if active != 1 else ''} in progress")
        self.dialer_label.setText(
            finishing_message(active) if self._close_when_idle else status.message
        )
        self.dialer_label.setStyleSheet("")  # a start-up error shown before is over
        if self._close_when_idle and active == 0:
            self._leave_now()

    def _on_campaign_paused(self, campaign_id: int, reason: str) -> None:
        from app.store.campaigns import CampaignError, summary_by_id

        try:
            with self.context.store.session() as session:
                name = summary_by_id(session, campaign_id).name
        except CampaignError:
            return  # deleted meanwhile
        self._notice_for = campaign_id
        self.notice_label.setText(f"{name} paused: {reason}")

    def _on_campaign_state(self, campaign_id: int, state: str, _message: str) -> None:
        if campaign_id == self._notice_for and state != "paused":
            self._notice_for = None
            self.notice_label.clear()

    def show_service_error(self, message: str) -> None:
        self.dialer_label.setText(f"Dialer not running: {message}")
        self.dialer_label.setStyleSheet(f"color:{text_colour('#a94442')};")

    # -- persistence of the layout ---------------------------------------------------------
    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Shrink and move the window into its screen (a geometry saved on a bigger one)."""
        if self.isMaximized() or self.isFullScreen():
            return
        area = available_area(self)
        fitted = fit_window_rect(self.frameGeometry(), area)
        if fitted != self.frameGeometry():
            frame = self.frameGeometry().size() - self.geometry().size()
            self.resize(fitted.size() - frame)
            self.move(fitted.topLeft())

    # -- closing while calls are live ------------------------------------------------------
    def _active_calls(self) -> int:
        dialer = self.context.dialer if self.context is not None else None
        return dialer.status().active_calls if dialer is not None and dialer.running else 0

    def _finish_then_close(self) -> None:
        """No new calls; the window closes itself when the last live call ends."""
        self.context.dialer.hold()
        self._close_when_idle = True
        active = self._active_calls()
        if active == 0:
            self._leave_now()
        else:
            self.dialer_label.setText(finishing_message(active))

    def _leave_now(self) -> None:
        self._leave_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._leave_confirmed and not self._may_leave_page(self.close):
            event.ignore()
            return
        active = 0 if self._leave_confirmed else self._active_calls()
        if active:
            event.ignore()
            self.close_question = ask_before_closing(
                self, active, on_finish=self._finish_then_close, on_leave=self._leave_now
            )
            return
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        for page in self._pages.values():
            page.save_state(settings)
        event.accept()
        self.closing.emit()
