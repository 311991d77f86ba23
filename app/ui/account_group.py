"""Settings › Twilio account: Connect checks the credentials with Twilio at once; one control
switches between live and demo, after a confirmation that names what changes.

The account connects by its Auth Token or by an API key (SK… and its secret). The secrets go to
the OS keyring, or, with no keyring, stay in memory for this session only (never on disk). An
API key authenticates CallDeck to Twilio only: Twilio signs its connection to the voice agent
with the Auth Token, so an API-key connection asks for that too, or says what it cannot do.
Each change is published as Change(account=True): app.ui.app restarts the services for where
calls go now, without a restart of CallDeck.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.secrets import (
    delete_api_key_secret,
    delete_auth_token,
    forget_session_token,
    get_auth_token,
    mask_sid,
)
from app.services import NO_AUTH_TOKEN_FOR_AGENT, Credentials, credentials_kept
from app.settings import get_setting, set_setting
from app.store.campaigns import active_campaign_names, pause_active_campaigns
from app.telephony.account import TRIAL_LIMITS, AccountInfo, AccountRefused
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.operations import Change, run_op

ERROR_STYLE = "color:#a94442;"
BY_TOKEN, BY_API_KEY = "Auth Token", "API key"
API_KEY_NOTE = (
    "An API key places calls and manages numbers, and can be revoked on its own without "
    "changing the Auth Token. Twilio still signs its connection to the voice agent with the "
    "Auth Token: give it too, or campaigns cannot start on this account."
)


class AccountGroup(QGroupBox):
    """The Twilio account: credentials, Connect, and the live/demo switch."""

    # Tests point Connect at an emulator; the app asks Twilio itself.
    api_url: str | None = None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Twilio account", parent)
        self.context = context
        self.mode = QLabel()
        self.mode.setWordWrap(True)
        self.account_sid = QLineEdit(placeholderText="AC… (Twilio Console › Account Info)")
        self.sign_in = QComboBox()
        self.sign_in.addItems([BY_TOKEN, BY_API_KEY])
        self.sign_in.setToolTip("Connect with the account's Auth Token, or with an API key")
        self.api_key = QLineEdit(placeholderText="SK… (Twilio Console › API keys)")
        self.api_secret = QLineEdit(placeholderText="The key's secret (kept in the OS keyring)")
        self.api_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.auth_token = QLineEdit()
        self.auth_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key_note = QLabel(API_KEY_NOTE)
        self.api_key_note.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.connect_button = QPushButton("Connect")
        self.connect_button.setToolTip("Checks the account with Twilio now, then calls go there")
        self.connect_button.clicked.connect(self.connect_account)
        self.switch_button = QPushButton()
        self.switch_button.clicked.connect(self.switch_mode)
        self.forget_button = QPushButton("Forget account…")
        self.forget_button.setToolTip("Delete the account's token from the keyring")
        self.forget_button.clicked.connect(self.forget_account)
        self.confirmation = None  # the open confirmation box, if any (tests answer it)

        form = QFormLayout(self)
        self.form = form
        form.addRow(self.mode)
        form.addRow("Account SID", self.account_sid)
        form.addRow("Connect with", self.sign_in)
        form.addRow("API key SID", self.api_key)
        form.addRow("API key secret", self.api_secret)
        form.addRow("Auth Token", self.auth_token)
        form.addRow(self.api_key_note)
        form.addRow(self.message)  # its own row: the messages run to two lines
        buttons = QHBoxLayout()
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.connect_button)
        form.addRow(buttons)
        self.sign_in.currentTextChanged.connect(self._show_sign_in)
        context.changes.changed.connect(lambda change: change.account and self.load())
        self.load()

    @property
    def by_api_key(self) -> bool:
        return self.sign_in.currentText() == BY_API_KEY

    def _show_sign_in(self) -> None:
        by_key = self.by_api_key
        for widget in (self.api_key, self.api_secret, self.api_key_note):
            self.form.setRowVisible(widget, by_key)
        self.auth_token.setPlaceholderText(
            "Optional: for the voice agent (kept in the OS keyring)"
            if by_key
            else "Auth Token (kept in the OS keyring)"
        )

    # -- what is shown ------------------------------------------------------------------------
    def load(self) -> None:
        with self.context.store.session() as session:
            sid = get_setting(session, "twilio_account_sid")
            name = get_setting(session, "twilio_account_name")
            trial = bool(get_setting(session, "twilio_account_trial"))
            last = get_setting(session, "twilio_last_account_sid")
            api_key = get_setting(session, "twilio_api_key_sid")
        self.account_sid.setText(sid or last or "")
        self.sign_in.setCurrentText(BY_API_KEY if api_key else BY_TOKEN)
        self.api_key.setText(api_key or "")
        self._show_sign_in()
        what = f"secret of API key {mask_sid(api_key)}" if api_key else "Auth Token"
        if sid and not credentials_kept(self.context.store, sid):
            self._show_mode(
                f"Live, but the {what} of Twilio account {mask_sid(sid)} is not in the "
                "keyring, so no calls are placed. Enter it and press Connect: calls resume at "
                "once.",
                error=True,
            )
        elif sid:
            kind = "trial account" if trial else "account"
            how = f" by API key {mask_sid(api_key)}" if api_key else ""
            line = f"Live: calls go to Twilio {kind} {mask_sid(sid)}{how}" + (
                f" ({name})." if name else "."
            )
            if trial:
                line += " " + TRIAL_LIMITS
            without_token = api_key and get_auth_token(sid) is None
            self._show_mode(line + " " + NO_AUTH_TOKEN_FOR_AGENT if without_token else line)
        else:
            self._show_mode(
                "Demo mode: calls go to the built-in Twilio emulator; they are simulated, no one "
                "is called. Connect a Twilio account to place real calls."
            )
        self.switch_button.setText("Switch to demo mode…" if sid else "Go live…")
        self.switch_button.setEnabled(bool(sid or last))
        self.forget_button.setEnabled(bool(sid or last))

    def _show_mode(self, text: str, error: bool = False) -> None:
        self.mode.setText(text)
        self.mode.setStyleSheet(ERROR_STYLE if error else "")

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")

    # -- Connect ------------------------------------------------------------------------------
    def connect_account(self) -> None:
        sid, token = self.account_sid.text().strip(), self.auth_token.text().strip()
        credentials = Credentials(token=token)
        if self.by_api_key:
            credentials = Credentials(
                token, self.api_key.text().strip(), self.api_secret.text().strip()
            )
        self._say("Checking the account with Twilio…")
        self.connect_button.setEnabled(False)
        run_op(
            self,
            credentials.check(sid, self.api_url),
            on_success=lambda info: self._checked(info, credentials),
            on_error=self._refused,
            expected=(AccountRefused,),
        )

    def _refused(self, message: str) -> None:
        self.connect_button.setEnabled(True)
        self._say(message, error=True)

    def _checked(self, info: AccountInfo, credentials: Credentials) -> None:
        self.connect_button.setEnabled(True)
        self._say(f"Twilio accepted {info.describe()}.")
        if self.context.account_sid == info.sid and not self.context.demo_mode:
            self._go_live(info, credentials, pause=False)  # the same account, its token missing
            return
        self._ask(
            f"Go live with {info.describe()}?",
            "Calls will be real calls to your contacts, from this account's numbers, charged "
            "to it.",
            lambda: self._go_live(info, credentials),
            extra=TRIAL_LIMITS if info.trial else "",
        )

    def _go_live(self, info: AccountInfo, credentials: Credentials, *, pause: bool = True) -> None:
        kept = credentials.keep(info.sid)
        self.auth_token.clear()
        self.api_secret.clear()
        with self.context.store.session.begin() as session:
            previous_key = get_setting(session, "twilio_api_key_sid")
            set_setting(session, "twilio_api_key_sid", credentials.api_key)
        if previous_key and previous_key != credentials.api_key:
            delete_api_key_secret(previous_key)  # the key it replaces is not kept
        paused = self._switch(info.sid, name=info.friendly_name, trial=info.trial, pause=pause)
        said = f"Connected to {info.describe()}; {kept}. Calls go to this account now."
        if credentials.api_key and not credentials.token:
            said += " " + NO_AUTH_TOKEN_FOR_AGENT
        self._say(said + _paused_note(paused))

    # -- the live/demo switch -----------------------------------------------------------------
    def switch_mode(self) -> None:
        with self.context.store.session() as session:
            sid = get_setting(session, "twilio_account_sid")
            last = get_setting(session, "twilio_last_account_sid")
        if sid:
            self._ask(
                "Switch to demo mode?",
                "New calls go to the built-in emulator: they are simulated, no one is called and "
                f"nothing is charged. Twilio account {mask_sid(sid)} stays connected (its token "
                "in the keyring): Go live switches back.",
                lambda: self._say("Demo mode." + _paused_note(self._switch(None))),
            )
        elif last and credentials_kept(self.context.store, last):
            self._ask(
                f"Go live with Twilio account {mask_sid(last)}?",
                "Calls will be real calls to your contacts, charged to the account.",
                lambda: self._say(
                    f"Live: Twilio account {mask_sid(last)}." + _paused_note(self._switch(last))
                ),
            )
        else:
            self._say("Enter the Account SID and its credentials, then press Connect.", error=True)

    def forget_account(self) -> None:
        with self.context.store.session() as session:
            sid = get_setting(session, "twilio_account_sid")
            kept = sid or get_setting(session, "twilio_last_account_sid")
            api_key = get_setting(session, "twilio_api_key_sid")
        if not kept:
            return

        def forget() -> None:
            paused = self._switch(None) if sid else []
            with self.context.store.session.begin() as session:
                set_setting(session, "twilio_last_account_sid", None)
                set_setting(session, "twilio_api_key_sid", None)
            delete_auth_token(kept)
            forget_session_token(kept)
            if api_key:
                delete_api_key_secret(api_key)
            self.load()
            self._say(f"Twilio account {mask_sid(kept)} forgotten." + _paused_note(paused))

        self._ask(
            f"Forget Twilio account {mask_sid(kept)}?",
            "Its Auth Token (and API key secret) are deleted from the keyring; connecting it "
            "again needs them."
            + (" Calls go to the built-in emulator (demo mode) from now on." if sid else ""),
            forget,
            pausing=bool(sid),
        )

    def _ask(
        self, question: str, what_changes: str, on_yes, *, extra: str = "", pausing: bool = True
    ) -> None:
        """Confirm a switch of where calls go; refused while calls are in progress."""
        dialer = self.context.dialer
        active = dialer.status().active_calls if dialer is not None and pausing else 0
        if active:
            self._say(
                f"{active} call(s) are in progress: pause the campaigns and let them end, "
                "then switch.",
                error=True,
            )
            return
        with self.context.store.session() as session:
            running = active_campaign_names(session) if pausing else []
        text = what_changes
        if running:
            text += "\n\nPaused now (start them again when you are ready): " + ", ".join(running)
        if extra:
            text += "\n\n" + extra
        self.confirmation = confirm(self, "CallDeck", question + "\n\n" + text, on_yes)

    def _switch(
        self, sid: str | None, *, name: str | None = None, trial: bool = False, pause: bool = True
    ) -> list[str]:
        """Calls go to *sid* (None: demo mode) from now on; returns the campaigns paused."""
        with self.context.store.session.begin() as session:
            paused = pause_active_campaigns(session) if pause else []
            previous = get_setting(session, "twilio_account_sid")
            set_setting(session, "twilio_account_sid", sid)
            if sid is None:
                set_setting(session, "twilio_last_account_sid", previous)
            else:
                set_setting(session, "twilio_last_account_sid", sid)
            if name is not None:
                set_setting(session, "twilio_account_name", name)
                set_setting(session, "twilio_account_trial", trial)
        self.context.changes.publish(Change(account=True, campaigns=bool(paused)))
        return paused


def _paused_note(paused: list[str]) -> str:
    return f" Paused: {', '.join(paused)}." if paused else ""
