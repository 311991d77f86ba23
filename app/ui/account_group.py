"""Settings › Twilio account: Connect checks the credentials with Twilio at once; one control
switches between live and demo, after a confirmation that names what changes.

The token goes to the OS keyring, or, with no keyring, stays in memory for this session only
(never on disk). Each change is published as Change(account=True): app.ui.app restarts the
services for where calls go now, without a restart of CallDeck.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.secrets import (
    SecretStoreUnavailable,
    delete_auth_token,
    forget_session_token,
    get_auth_token,
    mask_sid,
    remember_for_session,
    set_auth_token,
)
from app.settings import get_setting, set_setting
from app.store.campaigns import active_campaign_names, pause_active_campaigns
from app.telephony.account import TRIAL_LIMITS, AccountInfo, AccountRefused, check_account
from app.ui.context import AppContext
from app.ui.messages import confirm
from app.ui.operations import Change, run_op

ERROR_STYLE = "color:#a94442;"


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
        self.auth_token = QLineEdit(placeholderText="Auth Token (kept in the OS keyring)")
        self.auth_token.setEchoMode(QLineEdit.EchoMode.Password)
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
        form.addRow(self.mode)
        form.addRow("Account SID", self.account_sid)
        form.addRow("Auth Token", self.auth_token)
        form.addRow(self.message)  # its own row: the messages run to two lines
        buttons = QHBoxLayout()
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.connect_button)
        form.addRow(buttons)
        context.changes.changed.connect(lambda change: change.account and self.load())
        self.load()

    # -- what is shown ------------------------------------------------------------------------
    def load(self) -> None:
        with self.context.store.session() as session:
            sid = get_setting(session, "twilio_account_sid")
            name = get_setting(session, "twilio_account_name")
            trial = bool(get_setting(session, "twilio_account_trial"))
            last = get_setting(session, "twilio_last_account_sid")
        self.account_sid.setText(sid or last or "")
        if sid and get_auth_token(sid) is None:
            self._show_mode(
                f"Live, but the Auth Token of Twilio account {mask_sid(sid)} is not in the "
                "keyring, so no calls are placed. Enter it and press Connect: calls resume at "
                "once.",
                error=True,
            )
        elif sid:
            kind = "trial account" if trial else "account"
            line = f"Live: calls go to Twilio {kind} {mask_sid(sid)}" + (
                f" ({name})." if name else "."
            )
            self._show_mode(f"{line} {TRIAL_LIMITS}" if trial else line)
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
        self._say("Checking the account with Twilio…")
        self.connect_button.setEnabled(False)
        run_op(
            self,
            check_account(sid, token, base_url=self.api_url),
            on_success=lambda info: self._checked(info, token),
            on_error=self._refused,
            expected=(AccountRefused,),
        )

    def _refused(self, message: str) -> None:
        self.connect_button.setEnabled(True)
        self._say(message, error=True)

    def _checked(self, info: AccountInfo, token: str) -> None:
        self.connect_button.setEnabled(True)
        self._say(f"Twilio accepted {info.describe()}.")
        if self.context.account_sid == info.sid and not self.context.demo_mode:
            self._go_live(info, token, pause=False)  # the same account, e.g. its token was missing
            return
        self._ask(
            f"Go live with {info.describe()}?",
            "Calls will be real calls to your contacts, from this account's numbers, charged "
            "to it.",
            lambda: self._go_live(info, token),
            extra=TRIAL_LIMITS if info.trial else "",
        )

    def _go_live(self, info: AccountInfo, token: str, *, pause: bool = True) -> None:
        try:
            set_auth_token(info.sid, token)
            kept = "the token is in the OS keyring"
        except SecretStoreUnavailable:
            remember_for_session(info.sid, token)  # never in clear on disk
            kept = (
                "there is no OS keyring, so the token is kept for this session only: enter it "
                "again after CallDeck restarts"
            )
        self.auth_token.clear()
        paused = self._switch(info.sid, name=info.friendly_name, trial=info.trial, pause=pause)
        said = f"Connected to {info.describe()}; {kept}. Calls go to this account now."
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
        elif last and get_auth_token(last):
            self._ask(
                f"Go live with Twilio account {mask_sid(last)}?",
                "Calls will be real calls to your contacts, charged to the account.",
                lambda: self._say(
                    f"Live: Twilio account {mask_sid(last)}." + _paused_note(self._switch(last))
                ),
            )
        else:
            self._say("Enter the Account SID and Auth Token, then press Connect.", error=True)

    def forget_account(self) -> None:
        with self.context.store.session() as session:
            sid = get_setting(session, "twilio_account_sid")
            kept = sid or get_setting(session, "twilio_last_account_sid")
        if not kept:
            return

        def forget() -> None:
            paused = self._switch(None) if sid else []
            with self.context.store.session.begin() as session:
                set_setting(session, "twilio_last_account_sid", None)
            delete_auth_token(kept)
            forget_session_token(kept)
            self.load()
            self._say(f"Twilio account {mask_sid(kept)} forgotten." + _paused_note(paused))

        self._ask(
            f"Forget Twilio account {mask_sid(kept)}?",
            "Its Auth Token is deleted from the keyring; connecting it again needs the token."
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
