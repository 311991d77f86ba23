"""Another seat saved the same call's notes or disposition while you edited: both versions
side by side (theirs with who and when, yours), and the choice of which to keep, or, for
notes, both merged. Nothing was written until the user chooses."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.results.edits import EditConflict

NOTES_HEIGHT = 90  # a few lines of each; longer notes scroll inside their box
VALUE_HEIGHT = 34  # a disposition is one line
# A warning frame that reads in light and dark palettes alike.
FRAME_STYLE = "QFrame#conflict { border: 2px solid #d39e00; border-radius: 4px; }"


class ConflictPanel(QFrame):
    """Signals:
    keepTheirs(object): drop yours; the EditConflict shown.
    keepMine(object): save yours over theirs; the EditConflict shown.
    mergeBoth(object): notes only: both texts in the editor, to save and go on editing.
    """

    keepTheirs = Signal(object)
    keepMine = Signal(object)
    mergeBoth = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict")
        self.setStyleSheet(FRAME_STYLE)
        self.conflict: EditConflict | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.theirs_label, self.mine_label = QLabel(), QLabel("<b>Yours</b> (not saved)")
        self.theirs, self.mine = _read_only(), _read_only()
        versions = QGridLayout()
        versions.addWidget(self.theirs_label, 0, 0)
        versions.addWidget(self.mine_label, 0, 1)
        versions.addWidget(self.theirs, 1, 0)
        versions.addWidget(self.mine, 1, 1)
        self.keep_theirs_button = QPushButton("Keep theirs")
        self.keep_mine_button = QPushButton("Keep mine")
        self.merge_button = QPushButton("Merge both")
        self.merge_button.setToolTip("Their notes, then your lines they do not have; editable")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button, signal in (
            (self.keep_theirs_button, self.keepTheirs),
            (self.keep_mine_button, self.keepMine),
            (self.merge_button, self.mergeBoth),
        ):
            button.clicked.connect(lambda _=False, s=signal: self._resolve(s))
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.message)
        layout.addLayout(versions)
        layout.addLayout(buttons)
        self.hide()

    def show_conflict(self, conflict: EditConflict) -> None:
        self.conflict = conflict
        theirs = conflict.theirs
        who = theirs.by or "Another seat"
        when = f" at {theirs.at.astimezone():%H:%M}" if theirs.at else ""
        self.message.setText(
            f"<b>{who} changed the {conflict.field} of this call{when}</b> while you were "
            "editing. Nothing was overwritten: choose what to keep."
        )
        stamp = f", {theirs.at.astimezone():%d %b %H:%M}" if theirs.at else ""
        self.theirs_label.setText(f"<b>Theirs</b> ({who}{stamp})")
        notes = conflict.field == "notes"
        for box, text in ((self.theirs, theirs.value), (self.mine, conflict.mine)):
            box.setPlainText(text or "(none)")
            box.setFixedHeight(NOTES_HEIGHT if notes else VALUE_HEIGHT)
        self.merge_button.setVisible(notes)
        self.show()

    def clear(self) -> None:
        self.conflict = None
        self.hide()

    def _resolve(self, signal) -> None:
        conflict = self.conflict
        self.clear()
        if conflict is not None:
            signal.emit(conflict)


def _read_only() -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setTabChangesFocus(True)
    return box
