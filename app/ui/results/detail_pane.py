"""The Results page's right side: the selected call's header, what the voice agent made of it,
player, transcript, disposition and notes, or a hint while no call is selected. The detail
scrolls as one when it does not fit (a tall agent result on a 768-pixel screen)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.media_state import RecordingState
from app.domain.status import ContactStatus
from app.results.calls import CallDetail
from app.results.edits import EditConflict, merge_notes
from app.ui.results.agent_result import AgentResultView
from app.ui.results.conflict import ConflictPanel
from app.ui.results.disposition import DispositionEditor
from app.ui.results.header import CallHeader
from app.ui.results.notes import NotesEditor
from app.ui.results.player import RecordingPlayer
from app.ui.results.transcript import TranscriptView

TRANSCRIPT_MIN_HEIGHT = 160  # a few turns stay readable; below that the pane scrolls


class CallDetailPane(QStackedWidget):
    """Signals:
    notesEdited(int, str, str): the user edited the notes of this call id (after the
        debounce): the text, and the saved text the edit started from.
    dispositionKept(str, str): after a conflict, save this disposition over that one.
    reloadWanted(): after a conflict, show the call as the database has it.
    saveAsTestRequested(int): the user wants this call id as a test of its agent.
    """

    notesEdited = Signal(int, str, str)
    dispositionKept = Signal(str, str)
    reloadWanted = Signal()
    saveAsTestRequested = Signal(int)

    def __init__(
        self, is_transcribing: Callable[[int], bool], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._is_transcribing = is_transcribing
        self.shown_call: int | None = None
        self._shown_recording: tuple | None = None
        self.header = CallHeader()
        self.agent_result = AgentResultView()
        self.save_as_test = QPushButton("Save as test…")
        self.save_as_test.setToolTip("Replay this call's callee as a scenario of its agent")
        self.save_as_test.clicked.connect(self._save_as_test)
        self.player = RecordingPlayer()
        self.transcript = TranscriptView()
        self.disposition = DispositionEditor()
        self.notes = NotesEditor()
        self.notes.setMaximumHeight(170)
        self.conflict = ConflictPanel()
        self.transcript.setMinimumHeight(TRANSCRIPT_MIN_HEIGHT)
        detail = QWidget()
        layout = QVBoxLayout(detail)
        layout.setContentsMargins(8, 0, 0, 0)
        for widget, stretch in (
            (self.header, 0),
            (self.agent_result, 0),
            (self.save_as_test, 0),
            (_rule(), 0),
            (self.player, 0),
            (self.transcript, 1),
            (self.conflict, 0),
            (self.disposition, 0),
            (self.notes, 0),
        ):
            layout.addWidget(widget, stretch)
        self.no_call = QLabel(
            "Select a call to listen to it, read the transcript and set its disposition."
        )
        self.no_call.setWordWrap(True)
        self.no_call.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_call.setStyleSheet("color: palette(placeholder-text);")
        self.scroll = QScrollArea()
        self.scroll.setWidget(detail)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wrap
        self.addWidget(self.no_call)
        self.addWidget(self.scroll)
        self.player.positionChanged.connect(self.transcript.set_position)
        self.transcript.seekRequested.connect(self.player.play_from)
        self.notes.notesEdited.connect(self._notes_edited)
        self.conflict.keepTheirs.connect(self._keep_theirs)
        self.conflict.keepMine.connect(self._keep_mine)
        self.conflict.mergeBoth.connect(self._merge_both)

    def show_detail(self, detail: CallDetail | None) -> None:
        if detail is None:
            self.shown_call = None
            self._shown_recording = None
            self.player.set_recording(None, RecordingState.UNSET)
            self.setCurrentWidget(self.no_call)
            return
        same_call = detail.row.id == self.shown_call
        if not same_call:
            self.conflict.clear()
            self.notes.held = False
        self.shown_call = detail.row.id
        self.setCurrentIndex(1)
        self.header.show_call(detail)
        live = ContactStatus(detail.row.status).is_live
        recording = (detail.recording_path, detail.recording_state, live)
        if recording != self._shown_recording:  # never interrupt playback for a repaint
            self._shown_recording = recording
            self.player.set_recording(detail.recording_path, detail.recording_state, live=live)
        message = detail.transcript_state.message(
            detail.recording_state, live=live, transcribing=self._is_transcribing(detail.row.id)
        )
        self.transcript.set_turns(detail.turns, message)
        self.agent_result.show_result(detail.agent)
        self.save_as_test.setVisible(bool(detail.turns))
        suggested = detail.agent.suggested_disposition if detail.agent else None
        self.disposition.set_dispositions(detail.dispositions, detail.row.disposition, suggested)
        self.disposition.show_set_by(detail.disposition_by, detail.disposition_at)
        if not same_call or (not self.notes.has_pending() and self.notes.text() != detail.notes):
            self.notes.set_notes(detail.notes, detail.notes_by, detail.notes_at)

    def choose_disposition_number(self, number: int) -> None:
        """A digit key: choose that disposition when a call is shown."""
        if self.currentIndex() == 1:
            self.disposition.choose_number(number)

    def notes_flush(self) -> None:
        """Save notes still waiting for their debounce (before switching call or campaign);
        leaving a notes conflict undecided keeps both versions, merged."""
        conflict = self.conflict.conflict
        if self.notes.held and conflict is not None and conflict.field == "notes":
            self.conflict.clear()
            self._merge_both(conflict)
        elif self.notes.has_pending():
            self.notes.flush()

    def _save_as_test(self) -> None:
        if self.shown_call is not None:
            self.saveAsTestRequested.emit(self.shown_call)

    def _notes_edited(self, text: str) -> None:
        if self.shown_call is not None:
            self.notesEdited.emit(self.shown_call, text, self.notes.base)

    # -- another seat saved the same field -----------------------------------------------
    def show_conflict(self, conflict: EditConflict) -> None:
        if conflict.call_id != self.shown_call:
            return  # the user has moved on; that call keeps the other seat's version
        if conflict.field == "notes":
            self.notes.hold()
        else:  # the buttons show what the call has; the panel offers yours
            theirs = conflict.theirs
            self.disposition.show_chosen(theirs.value, theirs.by, theirs.at)
        self.conflict.show_conflict(conflict)
        self.scroll.ensureWidgetVisible(self.conflict)

    def _keep_theirs(self, conflict: EditConflict) -> None:
        if conflict.field == "notes":
            theirs = conflict.theirs
            self.notes.set_notes(theirs.value, theirs.by, theirs.at)
        self.reloadWanted.emit()

    def _keep_mine(self, conflict: EditConflict) -> None:
        if conflict.field == "notes":
            self.notes.save_over(conflict.theirs.value)  # what the editor has now
        else:
            self.dispositionKept.emit(conflict.mine, conflict.theirs.value)

    def _merge_both(self, conflict: EditConflict) -> None:
        theirs = conflict.theirs.value
        self.notes.save_over(theirs, merge_notes(theirs, self.notes.text()))


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line
