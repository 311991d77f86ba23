"""The Campaigns page: campaigns on top, the selected campaign's contacts below."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.status import PAUSABLE_STATES, ContactStatus
from app.settings import account_in_use
from app.store.campaigns import CampaignError, campaign_region, record_start_or_pause
from app.store.start_checks import start_refusal
from app.ui.campaigns.badges import status_label
from app.ui.campaigns.campaigns_model import (
    ACTIONS_COLUMN,
    NAME_COLUMN,
    PROGRESS_COLUMN,
    CampaignsTableModel,
)
from app.ui.campaigns.contacts_model import ContactsTableModel
from app.ui.campaigns.delegates import ActionsDelegate, ProgressDelegate
from app.ui.campaigns.list_commands import ListCommands
from app.ui.campaigns.removal import Removals
from app.ui.campaigns.version_bar import VersionBar
from app.ui.context import AppContext
from app.ui.drop_zone import DropTarget, DropZone
from app.ui.messages import confirm, show_error
from app.ui.operations import Change, in_transaction, run_op
from app.ui.pages import MainAction, focus_search_box
from app.ui.tables import row_table
from app.ui.undo import UndoBar

CONTACT_COLUMN_WIDTHS = [150, 180, 100, 70, 220, 110]
NAME_WIDTH = 180  # the campaigns table's Name column; longer names elide (the tooltip has them)
IMPORT_FILTER = "Contact lists (*.csv *.tsv *.txt *.xlsx *.xls *.ods);;All files (*)"
# The campaign dialog may also add the caller-ID it was given to the phone numbers.
CAMPAIGN_SAVED = Change(campaigns=True, numbers=True)


class CampaignsPage(ListCommands, QWidget):
    """Signals:
    resultsRequested(int): the user wants the Results of this campaign.
    """

    resultsRequested = Signal(int)
    title = "Campaigns"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.start_question: QMessageBox | None = None  # contacts lack a {{variable}}: start?
        self.main_action = MainAction("New campaign", self.new_campaign)
        self.model = CampaignsTableModel(context.store, self, next_dial=self._next_dial)
        self.contacts_model = ContactsTableModel(context.store, self)
        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.refresh)

        self.table = row_table(self.model)
        self.table.setObjectName("campaignsTable")
        self.table.setAlternatingRowColors(True)
        self.table.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self.table))
        self.actions_delegate = ActionsDelegate(self.table)
        self.table.setItemDelegateForColumn(ACTIONS_COLUMN, self.actions_delegate)
        self.actions_delegate.startPauseClicked.connect(self.toggle_row)
        self.actions_delegate.resultsClicked.connect(
            lambda row: self.resultsRequested.emit(self.model.campaign_id(row))
        )
        self.table.setWordWrap(False)
        self._size_columns()
        self.table.selectionModel().currentRowChanged.connect(self._on_campaign_selected)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.setToolTip(
            "Double-click a campaign to change its pacing, hours or retries; drop a contact "
            "list on a campaign to add to it"
        )
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._campaign_menu)
        self.row_drops = DropTarget(self.table.viewport())
        self.row_drops.dropped.connect(self._on_table_drop)
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self._delete_selected_campaign)
        self.undo_bar = UndoBar()
        self.removals = Removals(self, context, self.undo_bar)

        self.empty_state = self._build_empty_state()
        self.top = QStackedWidget()
        self.top.addWidget(self.empty_state)
        self.top.addWidget(self.table)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.top)
        self.splitter.addWidget(self._build_contacts_panel())
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.splitter)
        self._window_drops: DropTarget | None = None
        self.model.refresh()
        self.top.setCurrentWidget(self.table if self.model.rowCount() else self.empty_state)
        self._painted = False
        context.changes.changed.connect(self._on_changed)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            # The first campaign's contacts load once the window is on screen, not before.
            self._painted = True
            QTimer.singleShot(0, self, self.refresh)
            self._take_window_drops()

    def _take_window_drops(self) -> None:
        """A list dropped anywhere else on the window asks which campaign it is for."""
        window = self.window()
        if window is not self and self._window_drops is None:
            self._window_drops = DropTarget(window)
            self._window_drops.dropped.connect(
                lambda paths, text, _at: self.drop_anywhere(paths, text)
            )

    # -- building ----------------------------------------------------------------------------
    def _size_columns(self) -> None:
        """The row buttons sit right after the name, both at fixed widths: they are on screen
        at any window width, and stay put while the count columns grow with their numbers."""
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(40)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(NAME_COLUMN, NAME_WIDTH)
        header.setSectionResizeMode(ACTIONS_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(ACTIONS_COLUMN, self.actions_delegate.width())
        header.moveSection(header.visualIndex(ACTIONS_COLUMN), header.visualIndex(NAME_COLUMN) + 1)
        header.setSectionResizeMode(PROGRESS_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS_COLUMN, 130)

    def _build_empty_state(self) -> QWidget:
        widget = QWidget()
        text = QLabel(
            "<h2>No campaigns yet</h2>"
            "<p>A campaign calls a list of contacts with one of your agents, from one of your "
            "phone numbers, at the pace you choose.</p>"
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        new = QPushButton("New campaign")
        new.clicked.connect(self.new_campaign)
        demo = QPushButton("Open the demo")
        demo.clicked.connect(self.open_demo)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(new)
        buttons.addWidget(demo)
        buttons.addStretch(1)
        layout = QVBoxLayout(widget)
        layout.addStretch(1)
        layout.addWidget(text)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return widget

    def _build_contacts_panel(self) -> QWidget:
        panel = QWidget()
        self.contacts_title = QLabel("Select a campaign to see its contacts")
        self.status_filter = QComboBox()
        self.status_filter.addItem("All statuses", None)
        for status in ContactStatus:
            self.status_filter.addItem(status_label(status.value), status.value)
        self.status_filter.currentIndexChanged.connect(self._reload_contacts)
        self._contacts_of: int | None = None  # the campaign the search was typed in
        self.search = QLineEdit(placeholderText="Search name or number", clearButtonEnabled=True)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._reload_contacts)
        self.search.textChanged.connect(self._search_timer.start)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self.import_files)
        self.paste_button = QPushButton("Paste numbers…")
        self.paste_button.clicked.connect(lambda: self.paste_numbers())
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.remove_menu = QMenu(self.remove_button)
        self.remove_menu.aboutToShow.connect(self._fill_remove_menu)
        self.remove_button.setMenu(self.remove_menu)
        bar = QHBoxLayout()
        bar.addWidget(self.contacts_title, 1)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.search)
        bar.addWidget(self.import_button)
        bar.addWidget(self.paste_button)
        bar.addWidget(self.remove_button)

        self.contacts_table = QTableView()
        self.contacts_table.setModel(self.contacts_model)
        self.contacts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.contacts_table.setAlternatingRowColors(True)
        self.contacts_table.verticalHeader().setDefaultSectionSize(24)
        self.contacts_table.horizontalHeader().setStretchLastSection(True)
        self.contacts_table.setWordWrap(False)
        self.contact_drops = DropTarget(self.contacts_table.viewport())
        self.contact_drops.dropped.connect(self._on_contacts_drop)
        remove_key = QShortcut(QKeySequence.StandardKey.Delete, self.contacts_table)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self.remove_selected_contacts)
        self.drop_zone = DropZone()
        self.drop_zone.filesDropped.connect(self._import_paths)
        self.drop_zone.textDropped.connect(lambda text: self.paste_numbers(text=text))
        self.contacts_stack = QStackedWidget()
        self.contacts_stack.addWidget(self.drop_zone)
        self.contacts_stack.addWidget(self.contacts_table)

        self.version_bar = VersionBar(self.context)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.version_bar)
        layout.addWidget(self.contacts_stack, 1)
        self._set_contact_controls_enabled(False)
        return panel

    # -- the main window's hooks -------------------------------------------------------------
    def attach(self, context: AppContext) -> None:
        """The dialer is up: its events repaint rows as calls progress."""
        context.bridge.contactChanged.connect(self.on_contact_changed)
        context.bridge.campaignStateChanged.connect(self.on_campaign_state_changed)
        context.bridge.campaignPausedBecause.connect(self.model.note_paused)
        context.bridge.statusChanged.connect(self.on_dialer_status)

    def focus_search(self) -> None:
        focus_search_box(self.search)

    def on_shown(self) -> None:
        pass  # kept current by the dialer's events and by changes

    def _on_changed(self, change: Change) -> None:
        # Campaign rows show agent names and caller-IDs: any of the three changes them.
        if change.campaigns or change.agents or change.numbers:
            self.refresh()
        if change.contacts_of is not None and change.contacts_of == self.selected_campaign_id():
            self._reload_contacts()

    # -- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected_campaign_id()
        self.model.refresh()
        self.top.setCurrentWidget(self.table if self.model.rowCount() else self.empty_state)
        if selected is not None:
            self.select_campaign(selected)
        elif self.model.rowCount() and self.table.currentIndex().row() < 0:
            self.table.selectRow(0)

    def selected_campaign_id(self) -> int | None:
        row = self.table.currentIndex().row()
        return self.model.campaign_id(row) if 0 <= row < self.model.rowCount() else None

    def select_campaign(self, campaign_id: int) -> None:
        row = self.model.row_of(campaign_id)
        if row is not None and row != self.table.currentIndex().row():
            self.table.selectRow(row)

    def _on_campaign_selected(self, _current, _previous) -> None:
        campaign_id = self.selected_campaign_id()
        if campaign_id != self._contacts_of:
            # Another campaign: all its contacts, not the last campaign's search among them.
            self._contacts_of = campaign_id
            self._search_timer.stop()
            with QSignalBlocker(self.search):
                self.search.clear()
        self._reload_contacts()

    def _reload_contacts(self) -> None:
        campaign_id = self.selected_campaign_id()
        self._set_contact_controls_enabled(campaign_id is not None)
        self.version_bar.show_campaign(campaign_id)
        self.contacts_model.set_campaign(
            campaign_id, status=self.status_filter.currentData(), search=self.search.text()
        )
        # Fixed widths: sizing to contents would read every one of 100,000 rows.
        for column, width in enumerate(CONTACT_COLUMN_WIDTHS):
            self.contacts_table.setColumnWidth(column, width)
        if campaign_id is None:
            self.contacts_title.setText("Select a campaign to see its contacts")
            self.contacts_stack.setCurrentWidget(self.drop_zone)
            return
        summary = self.model.summary(self.model.row_of(campaign_id))
        self.contacts_title.setText(f"<b>{summary.name}</b> — {summary.total:,} contacts")
        filtered = bool(self.status_filter.currentData() or self.search.text().strip())
        has_rows = self.contacts_model.rowCount() > 0 or filtered
        self.contacts_stack.setCurrentWidget(self.contacts_table if has_rows else self.drop_zone)

    def _set_contact_controls_enabled(self, enabled: bool) -> None:
        for widget in (
            self.status_filter,
            self.search,
            self.import_button,
            self.paste_button,
            self.remove_button,
        ):
            widget.setEnabled(enabled)
        self.drop_zone.setEnabled(enabled)

    # -- live updates from the dialer ----------------------------------------------------
    def on_contact_changed(self, campaign_id: int, contact_id: int, status: str) -> None:
        if campaign_id == self.selected_campaign_id():
            self.contacts_model.refresh_contact(contact_id)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def on_dialer_status(self, status) -> None:
        self.model.note_unreachable(status.unreachable)

    def on_campaign_state_changed(self, campaign_id: int, state: str, message: str) -> None:
        self.model.note_state(campaign_id, state)
        self.refresh()

    # -- actions ---------------------------------------------------------------------------
    def toggle_row(self, row: int) -> None:
        summary = self.model.summary(row)
        self.start_or_pause(summary.id, pausing=summary.state in PAUSABLE_STATES)

    def start_or_pause(self, campaign_id: int, *, pausing: bool) -> None:
        warnings = [] if pausing else self._variable_warnings(campaign_id)
        if warnings:  # "this is Sunny from ." : say so before dialling
            self.start_question = confirm(
                self,
                "Some contacts lack what the agent says",
                "\n\n".join(warnings) + "\n\nStart anyway?",
                lambda: self._run_start_or_pause(campaign_id, pausing),
            )
            return
        self._run_start_or_pause(campaign_id, pausing)

    def _variable_warnings(self, campaign_id: int) -> list[str]:
        from app.agents.variables import campaign_variable_warnings

        with self.context.store.session() as session:
            return campaign_variable_warnings(session, campaign_id)

    def _run_start_or_pause(self, campaign_id: int, pausing: bool) -> None:
        run_op(
            self,
            self._start_or_pause(campaign_id, pausing),
            change=Change(campaigns=True),
            changes=self.context.changes,
            on_error=self._error,
        )

    async def _start_or_pause(self, campaign_id: int, pausing: bool) -> None:
        dialer = self.context.dialer
        if not pausing:
            with self.context.store.session() as session:
                account = account_in_use(session, dialer.agent_refusal if dialer else None)
                refusal = start_refusal(session, campaign_id, account)
            if refusal is not None:  # before any call: Twilio would refuse them all
                raise CampaignError(str(refusal))
        if dialer is None:  # not up (yet): record the intent, it acts on it when it starts
            in_transaction(
                self.context.store,
                lambda session: record_start_or_pause(session, campaign_id, pausing=pausing),
            )()
        elif pausing:
            await dialer.pause_campaign(campaign_id)
        else:
            await dialer.start_campaign(campaign_id)

    def _next_dial(self, campaign_id: int):
        dialer = self.context.dialer
        return dialer.next_dial(campaign_id) if dialer is not None else None

    def _error(self, message: str) -> None:
        show_error(self, "CallDeck", message)

    def new_campaign(self, files: list | None = None, text: str = "") -> None:
        from app.ui.campaigns.dialog import CampaignDialog

        dialog = CampaignDialog(self.context, parent=self)
        if files:
            dialog.set_files(files)
        if text:
            dialog.paste.setPlainText(text)
        dialog.created.connect(self._on_created)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_double_click(self, index) -> None:
        if index.column() != ACTIONS_COLUMN:  # a double-click on a button is two clicks
            self.edit_campaign(self.model.campaign_id(index.row()))

    def edit_campaign(self, campaign_id: int) -> None:
        from app.ui.campaigns.dialog import CampaignDialog

        dialog = CampaignDialog(self.context, campaign_id=campaign_id, parent=self)
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_saved(self, _campaign_id: int) -> None:
        self._wake_dialer()  # new limits take effect at once
        self.context.changes.publish(CAMPAIGN_SAVED)

    def _wake_dialer(self) -> None:
        if self.context.dialer is not None:
            self.context.dialer.wake()

    def _on_created(self, campaign_id: int, files: list, pasted: str, start_now: bool) -> None:
        self.context.changes.publish(CAMPAIGN_SAVED)
        self.select_campaign(campaign_id)
        # One dialog for the files and the pasted numbers together.
        if files:
            dialog = self._import_paths(files, campaign_id=campaign_id, pasted=pasted)
        elif pasted:
            dialog = self.paste_numbers(text=pasted, campaign_id=campaign_id)
        else:
            dialog = None
        if start_now and dialog is None:
            self.start_or_pause(campaign_id, pausing=False)
        elif start_now:  # start once the contacts are in; not if the import was cancelled

            def start(count: int, cid: int = campaign_id) -> None:
                if count > 0:
                    self.start_or_pause(cid, pausing=False)

            dialog.imported.connect(start)

    def open_demo(self) -> None:
        """Add the demo's campaigns; in live mode only once the user knows what that means."""
        if self.context.demo_mode:
            self._seed_demo()
            return
        self.demo_question = confirm(
            self,
            "Open the demo",
            "The demo adds two campaigns of made-up contacts with test numbers (555), their "
            "two agents and the demo caller-ID to this workspace.\n\n"
            "You are in live mode: starting a demo campaign would place real calls through "
            "your Twilio account. Add them anyway?",
            self._seed_demo,
        )

    def _seed_demo(self) -> None:
        from app.demo import seed_demo

        run_op(
            self,
            lambda: seed_demo(self.context.store),
            kind="now",
            change=Change(agents=True, numbers=True, campaigns=True),
            changes=self.context.changes,
            on_error=self._error,
        )

    def offer_import(self, paths: list[Path]) -> None:
        """Import *paths* into the selected campaign (the first, when none is), or into a new
        one when there is no campaign yet; the import dialog shows them before anything is
        added."""
        if self.selected_campaign_id() is None and self.model.rowCount() > 0:
            self.table.selectRow(0)
        if self.selected_campaign_id() is None:
            self.new_campaign(files=paths)
        else:
            self._import_paths(paths)

    def import_files(self) -> None:
        if self.selected_campaign_id() is None:
            self._error("Select or create a campaign first, then import its contacts.")
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import contacts", str(Path.home()), IMPORT_FILTER
        )
        if paths:
            self._import_paths(paths)

    def _import_paths(self, paths: list, *, campaign_id: int | None = None, pasted: str = ""):
        from app.ui.imports.file_dialog import ImportDialog

        campaign_id = campaign_id or self.selected_campaign_id()
        if campaign_id is None:
            return None
        region = self._region(campaign_id)
        dialog = ImportDialog(
            self.context.store,
            campaign_id,
            [Path(p) for p in paths],
            region=region,
            home=self.context.home,
            changes=self.context.changes,
            parent=self,
            pasted=pasted,
        )
        dialog.imported.connect(self._after_import)
        dialog.finished.connect(dialog.deleteLater)  # it holds the file's rows: free them
        dialog.open()
        return dialog

    def paste_numbers(self, *, text: str = "", campaign_id: int | None = None):
        from app.ui.imports.paste_dialog import PasteNumbersDialog

        campaign_id = campaign_id or self.selected_campaign_id()
        if campaign_id is None:
            return None
        region = self._region(campaign_id)
        dialog = PasteNumbersDialog(
            self.context.store,
            campaign_id,
            region=region,
            home=self.context.home,
            changes=self.context.changes,
            parent=self,
            text=text,
        )
        dialog.imported.connect(self._after_import)
        dialog.finished.connect(dialog.deleteLater)  # it holds the file's rows: free them
        dialog.open()
        return dialog

    def _region(self, campaign_id: int) -> str:
        with self.context.store.session() as session:
            return campaign_region(session, campaign_id)

    def _after_import(self, _count: int) -> None:
        # The rows refresh on the import's change; a running campaign picks up its new
        # contacts now rather than on its next turn.
        self._wake_dialer()

    # -- layout persistence ------------------------------------------------------------------
    def save_state(self, settings: QSettings) -> None:
        settings.setValue("campaigns/splitter", self.splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("campaigns/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
