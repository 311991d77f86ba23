"""Settings' "You" group: what belongs to this user on this computer, not to the team's
shared database (app.settings' user settings). Today: the name stamped on your notes and
dispositions, so two supervisors on one database each sign their own."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton

from app.settings import get_user_setting, operator_name, set_user_setting

NAME_LENGTH = 100  # calls.notes_by / disposition_by


class UserGroup(QGroupBox):
    def __init__(self, parent=None) -> None:
        super().__init__("You (this computer only)", parent)
        self.name = QLineEdit()
        self.name.setMaxLength(NAME_LENGTH)
        self.name.setPlaceholderText(
            f"Shown on your notes and dispositions (now: {operator_name()})"
        )
        self.name.setText(get_user_setting("operator_name") or "")
        self.name.returnPressed.connect(self.save)
        self.state = QLabel("Kept for you, apart from the team's settings in the database.")
        self.state.setWordWrap(True)
        save = QPushButton("Save name")
        save.clicked.connect(self.save)
        form = QFormLayout(self)
        form.addRow("Your name", self.name)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(save)
        form.addRow(row)

    def save(self) -> None:
        name = " ".join(self.name.text().split())
        try:
            set_user_setting("operator_name", name)
        except OSError as exc:
            self.state.setText(f"Could not save your name: {exc.strerror or exc}.")
            return
        self.name.setText(name)
        self.state.setText(f"Saved: your notes say {operator_name()}.")
