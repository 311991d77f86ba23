"""Business & opening: who calls, how the agent sounds, what it says first, the rules it keeps.

Every field writes into the draft's data by path (controller.set_value); `show` fills the
fields from the draft without writing back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.agents.speech import (
    DEFAULT_TRANSCRIPTION_PROVIDER,
    DEFAULT_TTS_PROVIDER,
    LANGUAGES,
    TRANSCRIPTION_PROVIDERS,
    TTS_VOICES,
    default_voice,
)
from app.agents.variables import contact_columns_used
from app.domain.phone import InvalidPhone, to_e164
from app.ui.agents.controller import AgentsController
from app.ui.agents.draft_form import DraftForm
from app.ui.agents.widgets import VariableLineEdit, problem_label

OPENING_MODES = (("wait_for_hello", "Wait for the callee's hello"), ("speak_first", "Speak first"))
VOICEMAIL_ACTIONS = (("leave_message", "Leave a message"), ("hang_up", "Hang up"))
COMPLIANCE = (
    ("disclose_automation", "Say it is an automated assistant of the business"),
    ("recording_notice", "Say the call may be recorded"),
    ("honor_opt_out", "Honour “stop calling me” (adds to Do not call)"),
    ("answer_robot_truthfully", "Answer “are you a robot?” truthfully"),
    ("offer_human", "Offer a person when asked"),
    ("callback_on_busy", "Offer a callback when it is not a good time"),
)


def _combo(items: Sequence[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    for value, label in items:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class BusinessForm(DraftForm):
    def __init__(self, controller: AgentsController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self._bound: list[tuple[QLineEdit | VariableLineEdit, tuple[str, ...]]] = []

        self.agent_name = self._line(("name",))
        self.company = self._line(("business", "company"))
        self.persona = self._line(("business", "agent_name"))
        self.purpose = self._line(("business", "purpose"))
        self.callback_number = QLineEdit()
        self.callback_number.setPlaceholderText("+1 555 010 0000")
        self.callback_number.textEdited.connect(self._callback_edited)
        self.callback_number.editingFinished.connect(self._callback_finished)
        self.callback_problem = problem_label()

        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.addItems(LANGUAGES)
        self.language.currentTextChanged.connect(
            lambda text: self._write(("speech", "language"), text or "en-US")
        )
        self.tts_provider = _combo([(p, p) for p in TTS_VOICES])
        self.tts_provider.currentIndexChanged.connect(self._provider_chosen)
        self.voice = QComboBox()
        self.voice.setEditable(True)
        self.voice.currentTextChanged.connect(
            lambda text: self._write(("speech", "voice"), text or None)
        )
        self.transcription = _combo([(p, p) for p in TRANSCRIPTION_PROVIDERS])
        self.transcription.currentIndexChanged.connect(
            lambda _i: self._write(
                ("speech", "transcription_provider"), self.transcription.currentData()
            )
        )

        self.opening_mode = _combo(OPENING_MODES)
        self.opening_mode.currentIndexChanged.connect(
            lambda _i: self._write(("opening", "mode"), self.opening_mode.currentData())
        )
        self.greeting = self._line(("opening", "greeting"), VariableLineEdit())
        self.probe = self._line(("opening", "probe"), VariableLineEdit())
        self.voicemail_action = _combo(VOICEMAIL_ACTIONS)
        self.voicemail_action.currentIndexChanged.connect(
            lambda _i: self._write(("voicemail", "action"), self.voicemail_action.currentData())
        )
        self.voicemail_message = self._line(("voicemail", "message"), VariableLineEdit())
        self.greeting_problems = problem_label()

        self.compliance: dict[str, QCheckBox] = {}
        for key, label in COMPLIANCE:
            box = QCheckBox(label)
            box.toggled.connect(lambda on, key=key: self._write(("compliance", key), on))
            self.compliance[key] = box

        business = QGroupBox("Business")
        form = QFormLayout(business)
        form.addRow("Agent (in CallDeck)", self.agent_name)
        form.addRow("Company", self.company)
        form.addRow("Agent's name on the call", self.persona)
        form.addRow("Purpose of the call", self.purpose)
        form.addRow("Callback number", self.callback_number)
        form.addRow(self.callback_problem)
        voice = QGroupBox("Language and voice")
        form = QFormLayout(voice)
        form.addRow("Language", self.language)
        form.addRow("Text-to-speech", self.tts_provider)
        form.addRow("Voice", self.voice)
        form.addRow("Speech recognition", self.transcription)
        opening = QGroupBox("Opening and voicemail")
        form = QFormLayout(opening)
        form.addRow("Opening", self.opening_mode)
        form.addRow("Greeting", self.greeting)
        form.addRow(self.greeting_problems)
        form.addRow("If no hello", self.probe)
        form.addRow("On voicemail", self.voicemail_action)
        form.addRow("Voicemail message", self.voicemail_message)
        # What the agent says for a {{column}} a contact lacks (definition.variables): one
        # field per contact column its lines use, rebuilt when that set changes.
        self.fallbacks_box = QGroupBox("When a contact lacks a column")
        self.fallbacks_form = QFormLayout(self.fallbacks_box)
        self.fallbacks: dict[str, QLineEdit] = {}
        rules = QGroupBox("Compliance")
        rules_layout = QVBoxLayout(rules)
        for box in self.compliance.values():
            rules_layout.addWidget(box)
        layout = QVBoxLayout(self)
        for group in (business, voice, opening, self.fallbacks_box, rules):
            layout.addWidget(group)
        layout.addStretch(1)
        controller.draft_changed.connect(self.show_draft)

    def _line(self, path: tuple[str, ...], edit: Any = None) -> Any:
        edit = edit or QLineEdit()
        edit.textEdited.connect(lambda text: self._write(path, text))
        self._bound.append((edit, path))
        return edit

    def _write(self, path: tuple[str, ...], value: Any) -> None:
        if not self._filling:
            self.controller.set_value(path, value)

    def _problem(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    # -- the callback number: checked with the app's phone rules -------------------------------
    def _callback_edited(self, text: str) -> None:
        self._write(("business", "callback_number"), text.strip())
        self._check_callback(text)

    def _check_callback(self, text: str) -> str | None:
        if not text.strip():
            self._problem(self.callback_problem, "")
            return None
        try:
            number = to_e164(text)
        except InvalidPhone as exc:
            self._problem(self.callback_problem, f"⚠ Not a phone number the agent can say: {exc}")
            return None
        self._problem(self.callback_problem, "")
        return number

    def _callback_finished(self) -> None:
        number = self._check_callback(self.callback_number.text())
        if number is not None and number != self.callback_number.text():
            self.callback_number.setText(number)
            self._write(("business", "callback_number"), number)

    def _provider_chosen(self, _index: int) -> None:
        provider = self.tts_provider.currentData()
        self._fill_voices(provider, None)
        self._write(("speech", "tts_provider"), provider)
        self._write(("speech", "voice"), default_voice(provider))

    def _fill_voices(self, provider: str | None, voice: str | None) -> None:
        filling, self._filling = self._filling, True
        self.voice.clear()
        self.voice.addItems(TTS_VOICES[provider or DEFAULT_TTS_PROVIDER])
        self.voice.setCurrentText(voice or default_voice(provider))
        self._filling = filling

    # -- from the draft --------------------------------------------------------------------------
    def _fill(self, data: dict[str, Any]) -> None:
        for edit, path in self._bound:
            if edit.hasFocus():
                continue  # the field being typed in keeps its cursor
            value: Any = data
            for key in path:
                value = value.get(key, "") if isinstance(value, dict) else ""
            edit.setText(str(value or ""))
        business, speech = data.get("business", {}), data.get("speech", {})
        if not self.callback_number.hasFocus():
            self.callback_number.setText(business.get("callback_number", ""))
        if not self.language.hasFocus():
            self.language.setCurrentText(speech.get("language") or "en-US")
        _select(self.tts_provider, speech.get("tts_provider") or DEFAULT_TTS_PROVIDER)
        if not self.voice.hasFocus():
            self._fill_voices(speech.get("tts_provider"), speech.get("voice"))
        _select(
            self.transcription,
            speech.get("transcription_provider") or DEFAULT_TRANSCRIPTION_PROVIDER,
        )
        _select(self.opening_mode, data.get("opening", {}).get("mode", "wait_for_hello"))
        _select(self.voicemail_action, data.get("voicemail", {}).get("action", "leave_message"))
        rules = data.get("compliance", {})
        for key, box in self.compliance.items():
            box.setChecked(bool(rules.get(key, True)))
        self._fill_fallbacks(data.get("variables") or {})
        names = self.controller.variable_names()
        for edit in (self.greeting, self.probe, self.voicemail_message):
            edit.set_variables(names)
        opening = [p for p in self.controller.problems if p.path.startswith("opening")]
        self._problem(self.greeting_problems, "\n".join(f"⚠ {p.message}" for p in opening))

    def _fill_fallbacks(self, variables: dict[str, Any]) -> None:
        definition = self.controller.definition
        used = (  # the columns still without one, and those given one
            sorted(contact_columns_used(definition) | set(definition.fallbacks()))
            if definition is not None
            else []
        )
        if used != list(self.fallbacks):
            while self.fallbacks_form.rowCount():
                self.fallbacks_form.removeRow(0)
            self.fallbacks = {}
            for name in used:
                edit = QLineEdit(placeholderText="said as nothing")
                path = ("variables", name, "fallback")
                edit.textEdited.connect(lambda text, path=path: self._write(path, text))
                self.fallbacks[name] = edit
                self.fallbacks_form.addRow(f"{{{{{name}}}}}", edit)
            if not used:
                self.fallbacks_form.addRow(QLabel("The agent's lines use no contact column."))
        for name, edit in self.fallbacks.items():
            if not edit.hasFocus():
                edit.setText((variables.get(name) or {}).get("fallback", ""))
