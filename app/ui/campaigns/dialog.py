"""New / edit campaign: agent, caller-ID, contacts, pacing, calling hours, retries, start."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDateTime, Signal
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
)
from sqlalchemy import select

from app.store import campaigns as campaign_store
from app.store.models import Agent, Campaign, PhoneNumber
from app.store.types import utcnow
from app.ui.context import AppContext
from app.ui.drop_zone import DropZone

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HOURS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00"]


def pacing_sentence(concurrency: int, per_minute: int) -> str:
    gap = 60 / per_minute
    gap_text = f"{gap:.0f} s" if gap >= 1 and gap == int(gap) else f"{gap:.1f} s"
    calls = "call" if concurrency == 1 else "calls"
    return f"At most {concurrency} {calls} at once, a new call at most every {gap_text}."


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
        self.caller_warning.setStyleSheet("color:#8a6d3b;")
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
        self.drop_zone.filesDropped.connect(self._on_files)
        self.drop_zone.textDropped.connect(self.paste.appendPlainText)
        self.files_label = QLabel("No file chosen yet.")
        contacts_layout = QVBoxLayout(self.contacts_box)
        contacts_layout.addWidget(self.drop_zone)
        contacts_layout.addWidget(self.files_label)
        contacts_layout.addWidget(self.paste)

        self.concurrency = QSpinBox(minimum=1, maximum=1000, value=1)
        self.per_minute = QSpinBox(minimum=1, maximum=6000, value=10)
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
        self.window_start.setCurrentText("08:00")
        self.window_end.setCurrentText("21:00")
        self.day_boxes = {day: QCheckBox(day.capitalize()) for day in DAYS}
        for day, box in self.day_boxes.items():
            box.setChecked(day != "sun")
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

        self.max_attempts = QSpinBox(minimum=1, maximum=100, value=3)
        self.retry_delay = QSpinBox(minimum=1, maximum=365 * 24 * 60, value=30, suffix=" min")
        retries = QGroupBox("Retries (no answer, busy, failed)")
        retries_form = QFormLayout(retries)
        retries_form.addRow("Attempts per contact", self.max_attempts)
        retries_form.addRow("Wait between attempts", self.retry_delay)

        self.schedule_at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.schedule_at.setCalendarPopup(True)
        self.schedule_at.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.error = QLabel()
        self.error.setStyleSheet("color:#a94442;")
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

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(self.contacts_box)
        layout.addWidget(pacing)
        layout.addWidget(hours)
        layout.addWidget(retries)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.contacts_box.setVisible(campaign_id is None)
        if campaign_id is not None:
            self._load(campaign_id)
        self._update_pacing_line()

    def _fill_choices(self) -> None:
        with self.context.store.session() as session:
            self.agent.addItem("(no agent)", None)
            for agent in session.scalars(select(Agent).order_by(Agent.name)):
                self.agent.addItem(agent.name, agent.name)
            for number in session.scalars(select(PhoneNumber).order_by(PhoneNumber.e164)):
                label = f"{number.e164}  {number.friendly_name}".strip()
                self.caller_id.addItem(
                    label, (number.e164, number.verified or number.kind == "owned")
                )
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

    def _on_files(self, paths: list) -> None:
        self.files = [str(p) for p in paths]
        self.files_label.setText(
            "To import: " + ", ".join(p.rsplit("/", 1)[-1] for p in self.files)
        )

    def _update_pacing_line(self) -> None:
        self.pacing_line.setText(pacing_sentence(self.concurrency.value(), self.per_minute.value()))

    def _load(self, campaign_id: int) -> None:
        with self.context.store.session() as session:
            c = session.get(Campaign, campaign_id)
            self.name.setText(c.name)
            self.name.setReadOnly(True)
            if c.agent is not None:
                self.agent.setCurrentText(c.agent.name)
            if c.caller_id is not None:
                for i in range(self.caller_id.count()):
                    if self.caller_id.itemData(i)[0] == c.caller_id.e164:
                        self.caller_id.setCurrentIndex(i)
            self.concurrency.setValue(c.concurrency)
            self.per_minute.setValue(c.per_minute)
            _choose(self.window_start, c.window_start)
            _choose(self.window_end, c.window_end)
            days = set(c.window_days.split(","))
            for day, box in self.day_boxes.items():
                box.setChecked(day in days)
            self.max_attempts.setValue(c.max_attempts)
            self.retry_delay.setValue(c.retry_delay_min)

    def _settings(self) -> dict:
        days = [day for day, box in self.day_boxes.items() if box.isChecked()]
        if not days:
            raise campaign_store.CampaignError("Pick at least one calling day.")
        if self.window_start.currentText() >= self.window_end.currentText():
            raise campaign_store.CampaignError("Calling hours must start before they end.")
        return {
            "concurrency": self.concurrency.value(),
            "per_minute": self.per_minute.value(),
            "window_start": self.window_start.currentText(),
            "window_end": self.window_end.currentText(),
            "window_days": ",".join(days),
            "max_attempts": self.max_attempts.value(),
            "retry_delay_min": self.retry_delay.value(),
        }

    def _save(self, *, start_now: bool, scheduled: bool) -> None:
        try:
            settings = self._settings()
            caller = self.caller_id.currentData()
            with self.context.store.session.begin() as session:
                if self.campaign_id is None:
                    if scheduled:
                        moment = self.schedule_at.dateTime().toPython().astimezone()
                        if moment <= utcnow() + timedelta(seconds=5):
                            raise campaign_store.CampaignError("Pick a start time in the future.")
                        settings["start_at"] = moment
                    campaign = campaign_store.create_campaign(
                        session,
                        self.name.text(),
                        caller_id=caller[0] if caller else None,
                        agent=self.agent.currentData(),
                        **settings,
                    )
                    campaign_id = campaign.id
                else:
                    campaign = session.get(Campaign, self.campaign_id)
                    for key, value in settings.items():
                        setattr(campaign, key, value)
                    if caller:
                        campaign.caller_id = campaign_store.ensure_caller_id(session, caller[0])
                    agent = self.agent.currentData()
                    campaign.agent = (
                        session.scalar(select(Agent).where(Agent.name == agent)) if agent else None
                    )
                    campaign_id = campaign.id
        except campaign_store.CampaignError as exc:
            self.error.setText(str(exc))
            return
        if self.campaign_id is None:
            self.created.emit(campaign_id, self.files, self.paste.toPlainText().strip(), start_now)
        else:
            self.saved.emit(campaign_id)
        self.accept()


def _choose(combo: QComboBox, value: str) -> None:
    """Select *value*, adding it when it is not one of the half-hours (set from the CLI)."""
    if combo.findText(value) < 0:
        position = next(
            (i for i in range(combo.count()) if combo.itemText(i) > value), combo.count()
        )
        combo.insertItem(position, value)
    combo.setCurrentText(value)
