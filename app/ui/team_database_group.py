"""Settings' "Team database" group: this user's shared PostgreSQL (issue 16), kept per user
(the URL in the user's settings file, its password in the OS keyring). CallDeck opens it from
its next start; `--db` and $CALLDECK_DB still come first."""

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

from app.secrets import SecretStoreUnavailable, get_database_password
from app.services import keep_team_database, split_database_url
from app.settings import get_user_setting
from app.store.check import check_database
from app.ui.operations import run_op

PLACEHOLDER = "postgresql+psycopg://calldeck@db.example.lan:5432/calldeck"


class TeamDatabaseGroup(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Team database (this computer only)", parent)
        kept = get_user_setting("team_database_url") or ""
        self.url = QLineEdit(kept, placeholderText=PLACEHOLDER)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        if kept and get_database_password(kept):
            self.password.setPlaceholderText("kept in the OS keyring")
        self.state = QLabel(
            "Empty: this computer's own database. A team shares one PostgreSQL server; the "
            "password goes to the OS keyring."
        )
        self.state.setWordWrap(True)
        self.check_button = QPushButton("Check")
        self.check_button.clicked.connect(self.check)
        save = QPushButton("Save database")
        save.clicked.connect(self.save)
        form = QFormLayout(self)
        form.addRow("Server URL", self.url)
        form.addRow("Password", self.password)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.check_button)
        row.addWidget(save)
        form.addRow(row)

    def _full_url(self) -> str:
        bare, inline = split_database_url(self.url.text())
        password = self.password.text() or inline or get_database_password(bare)
        if not password:
            return bare
        from sqlalchemy.engine import make_url

        return make_url(bare).set(password=password).render_as_string(hide_password=False)

    def check(self) -> None:
        try:
            url = self._full_url()
        except ValueError as exc:
            self.state.setText(f"⚠ {exc}")
            return
        self.check_button.setEnabled(False)
        self.state.setText("Checking…")
        op = run_op(
            self,
            lambda _progress, _cancel: check_database(url),
            kind="thread",
            on_success=self._checked,
            on_error=lambda message: self.state.setText(f"⚠ {message}"),
        )
        op.ended.connect(lambda: self.check_button.setEnabled(True))

    def _checked(self, found) -> None:
        schema = found.current or "empty (CallDeck creates the tables)"
        self.state.setText(
            f"Reachable: {found.server}, schema {schema} (this CallDeck: {found.head})."
        )

    def save(self) -> None:
        try:
            kept = keep_team_database(self.url.text(), self.password.text() or None)
        except (ValueError, SecretStoreUnavailable) as exc:
            self.state.setText(f"⚠ {exc}")
            return
        self.url.setText(kept)  # a password typed into the URL is not shown again
        self.password.clear()
        self.state.setText(
            "Saved: CallDeck opens it from its next start."
            if kept
            else "Saved: this computer's own database from the next start."
        )
