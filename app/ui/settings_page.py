"""Settings: the Twilio account (app.ui.account_group), your name (app.ui.user_group), the
team's defaults (app.ui.defaults_group), the public address and the agent's optional language
model (its key in the keyring too)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.secrets import (
    SecretStoreUnavailable,
    get_llm_api_key,
    get_ngrok_authtoken,
    mask_key,
    set_llm_api_key,
    set_ngrok_authtoken,
)
from app.settings import get_setting, set_setting
from app.ui.account_group import ERROR_STYLE, AccountGroup
from app.ui.context import AppContext
from app.ui.defaults_group import DefaultsGroup
from app.ui.operations import run_op
from app.ui.team_database_group import TeamDatabaseGroup
from app.ui.user_group import UserGroup


class SettingsPage(QWidget):
    title = "Settings"
    main_action = None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

        self.account = AccountGroup(context)
        self.defaults = DefaultsGroup(context)

        # The groups keep their natural heights and the page scrolls: on a 768-pixel laptop
        # they would otherwise be squeezed until the fields clip.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.account)
        layout.addWidget(UserGroup())
        layout.addWidget(TeamDatabaseGroup())
        layout.addWidget(self.defaults)
        layout.addWidget(self._build_address_box())
        layout.addWidget(self._build_llm_box())
        layout.addWidget(self._build_data_box())
        layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.load()

    def _build_address_box(self) -> QGroupBox:
        """Where Twilio reaches the agent on live calls (demo mode needs none of it)."""
        self.public_url = QLineEdit(placeholderText="https://calls.example.com")
        self.relay_port = QSpinBox(minimum=1024, maximum=65535)
        self.relay_port.setMaximumWidth(100)
        self.tunnel = QCheckBox("Open an ngrok tunnel instead (no address of your own needed)")
        self.ngrok_token = QLineEdit()
        self.ngrok_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.address_state = QLabel(
            "Live calls need an https:// address that forwards to the relay port, or the "
            "ngrok tunnel. Demo mode needs neither."
        )
        self.address_state.setWordWrap(True)
        # Which way calls are followed right now: callbacks through the address, or polling.
        self.call_updates = QLabel()
        self.call_updates.setWordWrap(True)
        return _checked_box(
            "Public address (live calls)",
            [
                ("Public address", self.public_url),
                ("Relay port on this computer", self.relay_port),
                (None, self.tunnel),
                ("ngrok authtoken", self.ngrok_token),
                (None, self.address_state),
                (None, self.call_updates),
            ],
            ("Check address", self.check_address),
            ("Save address", self.save_address),
        )

    def _build_llm_box(self) -> QGroupBox:
        self.llm_base_url = QLineEdit(placeholderText="https://api.openai.com/v1 or a local server")
        self.llm_model = QLineEdit(placeholderText="e.g. gpt-4o-mini, llama3.1")
        self.llm_embedding_model = QLineEdit(
            placeholderText="optional, e.g. text-embedding-3-small (helps find answers)"
        )
        self.llm_key = QLineEdit()
        self.llm_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.llm_state = QLabel("Without a model the agent says the lines you wrote.")
        self.llm_state.setWordWrap(True)
        return _checked_box(
            "Language model (optional)",
            [
                ("Base URL (OpenAI-compatible)", self.llm_base_url),
                ("Model", self.llm_model),
                ("Embedding model", self.llm_embedding_model),
                ("API key", self.llm_key),
                (None, self.llm_state),
            ],
            ("Check", self.check_llm),
            ("Save model", self.save_llm),
        )

    def _build_data_box(self) -> QGroupBox:
        context = self.context
        data_box = QGroupBox("Data")
        data_row = QHBoxLayout(data_box)
        folder = QLabel(f"Data folder: {context.home}")
        folder.setWordWrap(True)  # a long path wraps rather than widen the page
        data_row.addWidget(folder, 1)
        open_data = QPushButton("Open data folder")
        open_data.clicked.connect(lambda: self._open(context.home))
        open_logs = QPushButton("Open logs folder")
        open_logs.clicked.connect(lambda: self._open(context.home / "logs"))
        data_row.addWidget(open_data)
        data_row.addWidget(open_logs)
        return data_box

    # -- the main window's hooks -------------------------------------------------------------
    def attach(self, context: AppContext) -> None:
        pass  # the dialer is read from the context when the settings are saved

    def on_shown(self) -> None:
        pass

    def save_state(self, settings) -> None:
        pass

    def restore_state(self, settings) -> None:
        pass

    def load(self) -> None:
        with self.context.store.session() as session:
            self.public_url.setText(get_setting(session, "public_url") or "")
            self.relay_port.setValue(int(get_setting(session, "relay_port")))
            self.tunnel.setChecked(bool(get_setting(session, "ngrok_tunnel")))
            self.llm_base_url.setText(get_setting(session, "llm_base_url") or "")
            self.llm_model.setText(get_setting(session, "llm_model") or "")
            self.llm_embedding_model.setText(get_setting(session, "llm_embedding_model") or "")
        self._show_kept_key()
        self._show_kept_authtoken()
        services = self.context.services
        self.call_updates.setText(
            services.dialer.call_updates()
            if services is not None
            else "Call updates: chosen when calls start (status callbacks through the public "
            "address; without one, polling)."
        )

    def save_address(self) -> None:
        url = self.public_url.text().strip().rstrip("/")
        if url and not url.startswith("https://"):
            self._address_said("Twilio connects only over TLS: the address starts with https://.")
            return
        token = self.ngrok_token.text().strip()
        if token:
            try:
                set_ngrok_authtoken(token)
            except SecretStoreUnavailable as exc:
                self._address_said(str(exc))
                return
        if self.tunnel.isChecked() and not (token or get_ngrok_authtoken()):
            self._address_said("Paste the ngrok authtoken (dashboard.ngrok.com) for the tunnel.")
            return
        with self.context.store.session.begin() as session:
            set_setting(session, "public_url", url or None)
            set_setting(session, "relay_port", self.relay_port.value())
            set_setting(session, "ngrok_tunnel", self.tunnel.isChecked())
        self.ngrok_token.clear()
        self._show_kept_authtoken()
        self._address_said("Saved. It is checked, and used, from CallDeck's next start.", False)

    def check_address(self) -> None:
        """Fetch the relay's health page through the address, from here (live mode)."""
        services = self.context.services
        relay = services.relay if services is not None else None
        if self.context.demo_mode or relay is None:
            self._address_said(
                "Demo mode: the emulator connects to this computer directly. The address is "
                "checked when CallDeck runs with a Twilio account.",
                False,
            )
            return
        url = relay.http_base if services.tunnel is not None else self.public_url.text().strip()
        from app.telephony.public_address import AddressError, check_reachable

        async def check() -> str:
            await check_reachable(url, relay.relay_id)
            return f"{url} reaches this CallDeck's relay."

        self._address_said(f"Checking {url}…", False)
        run_op(
            self,
            check(),
            on_success=lambda text: self._address_said(text, False),
            on_error=self._address_said,
            expected=(AddressError,),
        )

    def _show_kept_authtoken(self) -> None:
        kept = get_ngrok_authtoken()
        self.ngrok_token.setPlaceholderText(
            f"Kept in the OS keyring ({mask_key(kept)})" if kept else "For the tunnel only"
        )

    def _address_said(self, text: str, error: bool = True) -> None:
        self.address_state.setText(text)
        self.address_state.setStyleSheet(ERROR_STYLE if error else "")

    def save_llm(self) -> None:
        base_url, model = self.llm_base_url.text().strip(), self.llm_model.text().strip()
        if base_url and not base_url.startswith(("http://", "https://")):
            self._llm_said("The base URL starts with http:// or https://.", error=True)
            return
        if bool(base_url) != bool(model):
            self._llm_said("Give both the base URL and the model, or neither.", error=True)
            return
        key = self.llm_key.text().strip()
        if key:
            try:
                set_llm_api_key(key)
            except SecretStoreUnavailable as exc:
                self._llm_said(str(exc), error=True)
                return
        with self.context.store.session.begin() as session:
            set_setting(session, "llm_base_url", base_url or None)
            set_setting(session, "llm_model", model or None)
            embedding_model = self.llm_embedding_model.text().strip() if model else ""
            set_setting(session, "llm_embedding_model", embedding_model or None)
        self.llm_key.clear()
        self._show_kept_key()
        self._llm_said(f"Saved: agents use {model}." if model else "Saved: no language model.")

    def check_llm(self) -> None:
        base_url, model = self.llm_base_url.text().strip(), self.llm_model.text().strip()
        if not (base_url and model):
            self._llm_said("Give the base URL and the model first.", error=True)
            return
        from app.agents.llm import LlmCheckFailed, LlmConfig, check_llm  # not at start-up

        config = LlmConfig(base_url, model, self.llm_key.text().strip() or get_llm_api_key())
        self._llm_said(f"Checking {model}…")
        run_op(
            self,
            check_llm(config),
            on_success=self._llm_said,
            on_error=lambda message: self._llm_said(message, error=True),
            expected=(LlmCheckFailed,),
        )

    def _show_kept_key(self) -> None:
        kept = get_llm_api_key()
        self.llm_key.setPlaceholderText(
            f"Kept in the OS keyring ({mask_key(kept)})"
            if kept
            else "None needed for a local server"
        )

    def _llm_said(self, text: str, error: bool = False) -> None:
        self.llm_state.setText(text)
        self.llm_state.setStyleSheet(ERROR_STYLE if error else "")

    @staticmethod
    def _open(path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _checked_box(title: str, rows, *actions) -> QGroupBox:
    """A group of labelled fields with its buttons (Check, Save) at the bottom right."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for label, widget in rows:
        if label is None:
            form.addRow(widget)
        else:
            form.addRow(label, widget)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    for text, slot in actions:
        button = QPushButton(text)
        button.clicked.connect(slot)
        buttons.addWidget(button)
    form.addRow(buttons)
    return box
