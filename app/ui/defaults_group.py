"""Settings › Defaults: the team's defaults, kept in the database (per-user ones, such as the
window layout, are in QSettings).

The country numbers are read in, the account-wide calls-per-second cap, the calling window new
campaigns start from, the disposition list Results shows (in order: keys 1-9), and whether
calls are recorded with the notice the agent says. Each field is checked as it is typed, its
message beside it; Save writes them all, or none while one is wrong.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from app.domain.campaign_settings import CampaignSettings, SettingsError
from app.domain.phone import InvalidRegion, check_region
from app.domain.team_defaults import (
    CPS_MAX,
    CPS_MIN,
    DEFAULT_CPS,
    DO_NOT_CALL,
    DefaultsError,
    check_cps,
    check_disposition_name,
    check_dispositions,
    check_recording_notice,
)
from app.results.dispositions import disposition_usage, rename_disposition
from app.settings import get_setting, set_setting, team_dispositions
from app.ui.context import AppContext
from app.ui.imports.country import CountryPicker
from app.ui.operations import Change

ERROR_STYLE = "color:#a94442;"
ORIGINAL = Qt.ItemDataRole.UserRole  # a listed disposition's saved name (None: added here)


class _Message(QLabel):
    """A field's message, beside it; hidden while there is none, so it takes no room."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


def _problem(name: str, others: list[str]) -> str | None:
    try:
        check_disposition_name(name, others)
    except DefaultsError as exc:
        return str(exc)
    return None


class DefaultsGroup(QGroupBox):
    """The team's defaults; `save()` writes them after checking every one."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Defaults (for the whole team)", parent)
        self.context = context
        self.region = CountryPicker("US")
        self.region_message = _Message()
        self.cps = QDoubleSpinBox(minimum=CPS_MIN, maximum=CPS_MAX, singleStep=0.5, decimals=1)
        self.cps.setMaximumWidth(100)
        self.cps.setToolTip(f"Twilio's default for an account is {DEFAULT_CPS:g} call a second")
        self.window_start = QLineEdit(maxLength=5, placeholderText="08:00")
        self.window_end = QLineEdit(maxLength=5, placeholderText="21:00")
        self.window_days = QLineEdit(placeholderText="mon-sat, or mon,wed,fri")
        for field in (self.window_start, self.window_end):
            field.setMaximumWidth(70)
        self.window_message = _Message()
        self.dispositions = QListWidget()
        self.dispositions.setMaximumHeight(150)
        self.disposition_name = QLineEdit(placeholderText="A disposition's name")
        self.disposition_message = _Message()
        self.record = QCheckBox("Record calls (the recording is in Results)")
        self.notice = QLineEdit()
        self.notice_message = _Message()
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        self.save_button = QPushButton("Save defaults")
        self.save_button.clicked.connect(self.save)

        form = QFormLayout(self)
        form.addRow("Country for national numbers", self.region)
        form.addRow(self.region_message)
        form.addRow("Calls per second (account-wide)", self.cps)
        window = QHBoxLayout()
        for widget in (self.window_start, QLabel("to"), self.window_end, QLabel("on")):
            window.addWidget(widget)
        window.addWidget(self.window_days, 1)
        form.addRow("Calling hours for new campaigns", window)
        form.addRow(self.window_message)
        form.addRow("Dispositions (Results, keys 1-9)", self._disposition_editor())
        form.addRow(self.disposition_message)
        form.addRow(self.record)
        form.addRow("Recording notice", self.notice)
        form.addRow(self.notice_message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved, 1)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)

        self.region.editTextChanged.connect(self._check_region)
        for field in (self.window_start, self.window_end, self.window_days):
            field.textChanged.connect(self._check_window)
        self.disposition_name.textChanged.connect(self._check_name)
        self.dispositions.currentItemChanged.connect(self._on_selected)
        self.record.toggled.connect(self._check_notice)
        self.notice.textChanged.connect(self._check_notice)
        self.load()

    def _disposition_editor(self) -> QWidget:
        self.add_button = QPushButton("Add")
        self.rename_button = QPushButton("Rename")
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self.add_disposition)
        self.rename_button.clicked.connect(self.rename_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button.clicked.connect(self.remove_selected)
        editor = QWidget()
        grid = QGridLayout(editor)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.dispositions, 0, 0, 4, 1)
        grid.addWidget(self.up_button, 0, 1)
        grid.addWidget(self.down_button, 1, 1)
        grid.addWidget(self.remove_button, 2, 1)
        name_row = QHBoxLayout()
        name_row.addWidget(self.disposition_name, 1)
        name_row.addWidget(self.add_button)
        name_row.addWidget(self.rename_button)
        grid.addLayout(name_row, 4, 0, 1, 2)
        return editor

    # -- what is shown --------------------------------------------------------------------
    def load(self) -> None:
        with self.context.store.session() as session:
            self.region.set_region(get_setting(session, "default_region"))
            self.cps.setValue(float(get_setting(session, "calls_per_second")))
            self.window_start.setText(get_setting(session, "default_window_start"))
            self.window_end.setText(get_setting(session, "default_window_end"))
            self.window_days.setText(get_setting(session, "default_window_days"))
            names = team_dispositions(session)
            self.record.setChecked(bool(get_setting(session, "record_calls")))
            self.notice.setText(get_setting(session, "recording_notice") or "")
        self.dispositions.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setData(ORIGINAL, name)
            self.dispositions.addItem(item)
        self.dispositions.setCurrentRow(0)
        self.disposition_message.clear()

    def names(self) -> list[str]:
        return [self.dispositions.item(i).text() for i in range(self.dispositions.count())]

    # -- checked as typed -----------------------------------------------------------------
    def _check_region(self) -> str | None:
        """The region picked, or None with the message shown."""
        problem = None
        if self.region.findText(self.region.currentText()) < 0:
            problem = "Pick a country from the list (type a few letters to find it)."
        else:
            try:
                check_region(self.region.region())
            except InvalidRegion as exc:
                problem = f"Country: {exc}."
        self.region_message.setText(problem or "")
        return None if problem else self.region.region()

    def _check_window(self) -> CampaignSettings | None:
        try:
            window = CampaignSettings(
                window_start=self.window_start.text().strip(),
                window_end=self.window_end.text().strip(),
                window_days=self.window_days.text().strip(),
            ).validate()
        except SettingsError as exc:
            self.window_message.setText(f"Calling hours: {exc}")
            return None
        self.window_message.clear()
        return window

    def _check_name(self) -> None:
        """Add and Rename are enabled for a name the list can take; why not, beside them."""
        text, selected = self.disposition_name.text(), self._selected_name()
        for_add = _problem(text, self.names())
        for_rename = _problem(text, [n for n in self.names() if n != selected])
        self.add_button.setEnabled(for_add is None)
        self.rename_button.setEnabled(for_rename is None and selected not in (None, DO_NOT_CALL))
        both_refused = text.strip() and for_add and for_rename
        self.disposition_message.setText(for_add if both_refused else "")

    def _check_notice(self) -> str | None:
        self.notice.setEnabled(self.record.isChecked())
        try:
            text = check_recording_notice(self.notice.text(), self.record.isChecked())
        except DefaultsError as exc:
            self.notice_message.setText(str(exc))
            return None
        self.notice_message.clear()
        return text

    # -- the disposition list -------------------------------------------------------------
    def _selected_name(self) -> str | None:
        item = self.dispositions.currentItem()
        return item.text() if item is not None else None

    def _on_selected(self) -> None:
        name = self._selected_name()
        special = name == DO_NOT_CALL
        self.remove_button.setEnabled(name is not None and not special)
        self.remove_button.setToolTip(
            "“Do not call” stays: it keeps numbers off every campaign" if special else ""
        )
        self._check_name()

    def add_disposition(self) -> None:
        try:
            name = check_disposition_name(self.disposition_name.text(), self.names())
        except DefaultsError as exc:
            self.disposition_message.setText(str(exc))
            return
        self.dispositions.addItem(QListWidgetItem(name))
        self.dispositions.setCurrentRow(self.dispositions.count() - 1)
        self.disposition_name.clear()
        self._said_unsaved()

    def rename_selected(self) -> None:
        item = self.dispositions.currentItem()
        if item is None or item.text() == DO_NOT_CALL:
            return
        others = [n for n in self.names() if n != item.text()]
        try:
            item.setText(check_disposition_name(self.disposition_name.text(), others))
        except DefaultsError as exc:
            self.disposition_message.setText(str(exc))
            return
        self.disposition_name.clear()
        original = item.data(ORIGINAL)
        used = self._usage().get(original, 0) if original else 0
        note = f" Its {used} call(s) follow on Save." if used else ""
        self._said_unsaved(f"Renamed.{note}")

    def move_selected(self, step: int) -> None:
        row = self.dispositions.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.dispositions.count():
            return
        item = self.dispositions.takeItem(row)
        self.dispositions.insertItem(target, item)
        self.dispositions.setCurrentRow(target)
        self._said_unsaved()

    def remove_selected(self) -> None:
        item = self.dispositions.currentItem()
        if item is None:
            return
        if item.text() == DO_NOT_CALL:
            self.disposition_message.setText(
                f"{DO_NOT_CALL!r} stays in the list: it keeps numbers off calls."
            )
            return
        original = item.data(ORIGINAL)
        used = self._usage().get(original, 0) if original else 0
        if used:
            self.disposition_message.setText(
                f"{used} call(s) are marked {original!r}: rename it instead (the calls follow), "
                "so none loses its disposition."
            )
            return
        self.dispositions.takeItem(self.dispositions.row(item))
        self._said_unsaved()

    def _usage(self) -> dict[str, int]:
        with self.context.store.session() as session:
            return disposition_usage(session)

    def _said_unsaved(self, text: str = "") -> None:
        self.disposition_message.clear()
        self.saved.setText(f"{text} Not saved yet.".strip())

    # -- Save -----------------------------------------------------------------------------
    def save(self) -> bool:
        region, window, notice = self._check_region(), self._check_window(), self._check_notice()
        try:
            names = check_dispositions(self.names())
            cps = check_cps(self.cps.value())
        except DefaultsError as exc:
            self.saved.setText(str(exc))
            return False
        if region is None or window is None or notice is None:
            self.saved.setText("Nothing saved: correct the field marked in red first.")
            return False
        renames = [
            (item.data(ORIGINAL), item.text())
            for item in map(self.dispositions.item, range(self.dispositions.count()))
            if item.data(ORIGINAL) and item.data(ORIGINAL) != item.text()
        ]
        with self.context.store.session.begin() as session:
            set_setting(session, "default_region", region)
            set_setting(session, "calls_per_second", cps)
            set_setting(session, "default_window_start", window.window_start)
            set_setting(session, "default_window_end", window.window_end)
            set_setting(session, "default_window_days", window.window_days)
            set_setting(session, "dispositions", names)
            set_setting(session, "record_calls", self.record.isChecked())
            set_setting(session, "recording_notice", notice)
            moved = sum(rename_disposition(session, old, new) for old, new in renames)
        if self.context.dialer is not None:  # the running dialer takes the new cap
            self.context.dialer.set_cps(cps)
        self.load()
        self.saved.setText("Saved." + (f" {moved} call(s) took the new names." if moved else ""))
        self.saved.setStyleSheet("")
        # Results re-reads its dispositions; the Campaigns page its calls (renamed ones).
        self.context.changes.publish(Change(campaigns=True))
        return True
