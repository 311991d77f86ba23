"""New / edit campaign: agent, caller-ID, contacts, pacing, calling hours, retries, start."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.campaign_settings import (
    BOUNDS,
    DEFAULTS,
    VOICEMAIL_MODES,
    CampaignSettings,
    machine_retries,
    pacing_sentence,
)
from app.domain.windows import DAY_NAMES, parse_days
from app.settings import get_setting, new_campaign_defaults
from app.store import agents as agent_store
from app.store import campaigns as campaign_store
from app.store import numbers as number_store
from app.store.types import utcnow
from app.ui.context import AppContext
from app.ui.contrast import text_colour
from app.ui.drop_zone import DropZone
from app.ui.screen_fit import ScrollBody, fit_dialog

HOURS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00"]


def _spin_box(setting: str, value: int, **options) -> QSpinBox:
    """A spin box over the setting's allowed range (app.domain.campaign_settings.BOUNDS)."""
    bounds = BOUNDS[setting]
    return QSpinBox(minimum=bounds.minimum, maximum=bounds.maximum, value=value, **options)


class CampaignDialog(QDialog):
    """Signals:
    created(int, list, str, bool): campaign id, files to import, pasted numbers, start now.
    saved(int): an existing campaign's settings were changed.
    """

    created = Signal(int, list, str, bool)
    saved = Signal(int)

    def __init__(self, context: AppContext, campaign_id: int | None = None, parent=None) -> None:
        super().__init__(parent)
        self.context = context
        self.campaign_id = campaign_id
        self.files: list[str] = []
        self.setWindowTitle("Edit campaign" if campaign_id else "New campaign")
        self.setMinimumWidth(560)

        self.name = QLineEdit(placeholderText="e.g. Spring reminders")
        self.agent = QComboBox()
        self.caller_id = QComboBox()
        self.caller_warning = QLabel()
        self.caller_warning.setStyleSheet(f"color:{text_colour('#8a6d3b')};")
        self.caller_warning.setWordWrap(True)
        self.caller_id.currentIndexChanged.connect(self._on_caller_changed)
        self._fill_choices()

        who = QGroupBox("Agent and caller-ID")
        who_form = QFormLayout(who)
        who_form.addRow("Name", self.name)
        who_form.addRow("Agent", self.agent)
        who_form.addRow("Caller-ID", self.caller_id)
        who_form.addRow("", self.caller_warning)

        self.contacts_box = QGroupBox("Contacts")
        self.paste = QPlainTextEdit(placeholderText="…or paste numbers, one per line")
        self.paste.setMaximumHeight(70)
        self.drop_zone = DropZone()
        self.drop_zone.filesDropped.connect(self.set_files)
        self.drop_zone.textDropped.connect(self.paste.appendPlainText)
        self.files_label = QLabel("No file chosen yet.")
        contacts_layout = QVBoxLayout(self.contacts_box)
        contacts_layout.addWidget(self.drop_zone)
        contacts_layout.addWidget(self.files_label)
        contacts_layout.addWidget(self.paste)

        self.concurrency = _spin_box("concurrency", DEFAULTS.concurrency)
        self.per_minute = _spin_box("per_minute", DEFAULTS.per_minute)
        self.pacing_line = QLabel()
        self.concurrency.valueChanged.connect(self._update_pacing_line)
        self.per_minute.valueChanged.connect(self._update_pacing_line)
        pacing = QGroupBox("Pacing")
        pacing_form = QFormLayout(pacing)
        pacing_form.addRow("Calls at once", self.concurrency)
        pacing_form.addRow("Calls per minute", self.per_minute)
        pacing_form.addRow("", self.pacing_line)

        self.window_start = QComboBox()
        self.window_end = QComboBox()
        self.window_start.addItems(HOURS[:-1])
        self.window_end.addItems(HOURS[1:])
        self.day_boxes = {day: QCheckBox(day.capitalize()) for day in DAY_NAMES}
        hours_row = QHBoxLayout()
        hours_row.addWidget(self.window_start)
        hours_row.addWidget(QLabel("to"))
        hours_row.addWidget(self.window_end)
        hours_row.addWidget(QLabel("in each contact's local time"))
        hours_row.addStretch(1)
        days_row = QHBoxLayout()
        for box in self.day_boxes.values():
            days_row.addWidget(box)
        hours = QGroupBox("Calling hours")
        hours_form = QFormLayout(hours)
        hours_form.addRow("Hours", hours_row)
        hours_form.addRow("Days", days_row)

        self.max_attempts = _spin_box("max_attempts", DEFAULTS.max_attempts)
        self.retry_delay = _spin_box("retry_delay_min", DEFAULTS.retry_delay_min, suffix=" min")
        retries = QGroupBox("Retries (no answer, busy, failed)")
        retries_form = QFormLayout(retries)
        retries_form.addRow("Attempts per contact", self.max_attempts)
        retries_form.addRow("Wait between attempts", self.retry_delay)

        self.voicemail_mode = QComboBox()
        for mode, what in VOICEMAIL_MODES.items():
            self.voicemail_mode.addItem(what[0].upper() + what[1:], mode)
        self.voicemail_attempts = _spin_box(
            "voicemail_max_attempts", DEFAULTS.voicemail_max_attempts
        )
        self.voicemail_delay = _spin_box(
            "voicemail_retry_delay_min", DEFAULTS.voicemail_retry_delay_min, suffix=" min"
        )
        voicemail = QGroupBox("When an answering machine picks up")
        voicemail_form = QFormLayout(voicemail)
        voicemail_form.addRow("Voicemail", self.voicemail_mode)
        voicemail_form.addRow("Attempts when a machine answers", self.voicemail_attempts)
        voicemail_form.addRow("Wait before calling a machine back", self.voicemail_delay)
        self.voicemail_mode.currentIndexChanged.connect(self._update_voicemail_rule)

        self.schedule_at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.schedule_at.setCalendarPopup(True)
        self.schedule_at.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.error = QLabel()
        self.error.setStyleSheet(f"color:{text_colour('#a94442')};")
        self.error.setWordWrap(True)

        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        if campaign_id is None:
            draft = QPushButton("Save as draft")
            draft.clicked.connect(lambda: self._save(start_now=False, scheduled=False))
            schedule = QPushButton("Schedule for")
            schedule.clicked.connect(lambda: self._save(start_now=True, scheduled=True))
            start = QPushButton("Start now")
            start.setDefault(True)
            start.clicked.connect(lambda: self._save(start_now=True, scheduled=False))
            buttons.addWidget(draft)
            buttons.addWidget(schedule)
            buttons.addWidget(self.schedule_at)
            buttons.addWidget(start)
        else:
            save = QPushButton("Save")
            save.setDefault(True)
            save.clicked.connect(lambda: self._save(start_now=False, scheduled=False))
            buttons.addWidget(save)

        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        for group in (who, self.contacts_box, pacing, hours, retries, voicemail):
            form_layout.addWidget(group)
        form_layout.addStretch(1)
        # The form scrolls on a short screen; the error and the buttons stay in view.
        self.body = ScrollBody(form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.contacts_box.setVisible(campaign_id is None)
        if campaign_id is None:
            with context.store.session() as session:  # the team's calling window
                self._show_settings(replace(DEFAULTS, **new_campaign_defaults(session)))
        else:
            self._load(campaign_id)
        self._update_pacing_line()

    def showEvent(self, event: QShowEvent) -> None:
        if not event.spontaneous():
            fit_dialog(self)  # before QDialog centres it, so it centres the capped size
        super().showEvent(event)

    def _fill_choices(self) -> None:
        with self.context.store.session() as session:
            agents = agent_store.agent_names(session)
            numbers = number_store.list_numbers(session)
        self.agent.addItem("(no agent)", None)
        for name in agents:
            self.agent.addItem(name, name)
        for number in numbers:
            self.caller_id.addItem(number.label, (number.e164, number.can_call_from))
        if self.agent.count() > 1:
            self.agent.setCurrentIndex(1)

    def _on_caller_changed(self) -> None:
        data = self.caller_id.currentData()
        if data is None:
            self.caller_warning.setText("Add a caller-ID on the Phone numbers page first.")
        elif not data[1]:
            self.caller_warning.setText(
                "This number is not verified with Twilio: calls from it will be refused "
                "(error 21210) until you verify it on the Phone numbers page."
            )
        else:
            self.caller_warning.setText("")

    def set_files(self, paths: list) -> None:
        self.files = [str(p) for p in paths]
        self.files_label.setText(
            "To import: " + ", ".join(p.rsplit("/", 1)[-1] for p in self.files)
        )

    def _update_pacing_line(self) -> None:
        self.pacing_line.setText(pacing_sentence(self.concurrency.value(), self.per_minute.value()))

    def _load(self, campaign_id: int) -> None:
        with self.context.store.session() as session:
            summary = campaign_store.summary_by_id(session, campaign_id)
        self.name.setText(summary.name)
        self.name.setReadOnly(True)
        if summary.agent is not None:
            self.agent.setCurrentText(summary.agent)
        if summary.caller_id is not None:
            for i in range(self.caller_id.count()):
                if self.caller_id.itemData(i)[0] == summary.caller_id:
                    self.caller_id.setCurrentIndex(i)
        self._show_settings(summary.settings)

    def _show_settings(self, settings: CampaignSettings) -> None:
        self.concurrency.setValue(settings.concurrency)
        self.per_minute.setValue(settings.per_minute)
        _choose(self.window_start, settings.window_start)
        _choose(self.window_end, settings.window_end)
        days = parse_days(settings.window_days)
        for index, box in enumerate(self.day_boxes.values()):
            box.setChecked(index in days)
        self.max_attempts.setValue(settings.max_attempts)
        self.retry_delay.setValue(settings.retry_delay_min)
        self.voicemail_mode.setCurrentIndex(self.voicemail_mode.findData(settings.voicemail_mode))
        self.voicemail_attempts.setValue(settings.voicemail_max_attempts)
        self.voicemail_delay.setValue(settings.voicemail_retry_delay_min)
        self._update_voicemail_rule()

    def _update_voicemail_rule(self) -> None:
        """The machine-answered retry rule applies only when the campaign hangs up to retry."""
        retries = machine_retries(self.voicemail_mode.currentData() or "")
        self.voicemail_attempts.setEnabled(retries)
        self.voicemail_delay.setEnabled(retries)

    def _settings(self) -> dict[str, int | str]:
        """The form's settings; create_campaign / update_campaign check them."""
        days = [day for day, box in self.day_boxes.items() if box.isChecked()]
        return {
            "concurrency": self.concurrency.value(),
            "per_minute": self.per_minute.value(),
            "window_start": self.window_start.currentText(),
            "window_end": self.window_end.currentText(),
            "window_days": ",".join(days),
            "max_attempts": self.max_attempts.value(),
            "retry_delay_min": self.retry_delay.value(),
            "voicemail_mode": self.voicemail_mode.currentData(),
            "voicemail_max_attempts": self.voicemail_attempts.value(),
            "voicemail_retry_delay_min": self.voicemail_delay.value(),
        }

    def _save(self, *, start_now: bool, scheduled: bool) -> None:
        try:
            campaign_id = self._store_campaign(scheduled=scheduled)
        except campaign_store.CampaignError as exc:
            self.error.setText(str(exc))
            return
        if self.campaign_id is None:
            self.created.emit(campaign_id, self.files, self.paste.toPlainText().strip(), start_now)
        else:
            self.saved.emit(campaign_id)
        self.accept()

    def _store_campaign(self, *, scheduled: bool) -> int:
        """Create or update the campaign through the store's checks; its id."""
        caller = self.caller_id.currentData()
        agent = self.agent.currentData()
        settings = self._settings()
        with self.context.store.session.begin() as session:
            if self.campaign_id is not None:
                campaign = campaign_store.update_campaign(
                    session,
                    campaign_store.get_by_id(session, self.campaign_id),
                    caller_id=caller[0] if caller else campaign_store.KEEP,
                    agent=agent,
                    **settings,
                )
                return campaign.id
            start_at = None
            if scheduled:
                start_at = self.schedule_at.dateTime().toPython().astimezone()
                if start_at <= utcnow() + timedelta(seconds=5):
                    raise campaign_store.CampaignError("Pick a start time in the future.")
            campaign = campaign_store.create_campaign(
                session,
                self.name.text(),
                caller_id=caller[0] if caller else None,
                agent=agent,
                start_at=start_at,
                region=get_setting(session, "default_region"),
                **settings,
            )
            return campaign.id


def _choose(combo: QComboBox, value: str) -> None:
    """Select *value*, adding it when it is not one of the half-hours (set from the CLI)."""
    if combo.findText(value) < 0:
        position = next(
            (i for i in range(combo.count()) if combo.itemText(i) > value), combo.count()
        )
        combo.insertItem(position, value)
    combo.setCurrentText(value)
