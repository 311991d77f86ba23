"""Where a call's recording and transcript stand, and the sentence the Results pane shows.

`calls.recording_state` and `calls.transcript_state` store these as text: NULL (nothing decided
yet: the call is in flight or was never answered before the after-call step ran), ``none``,
``pending``, ``downloaded`` (recordings), ``done`` (transcripts) or ``unavailable: <reason>``.
Everything that reads or writes those columns goes through this module, so the stored words
live in one place and nobody re-parses ``unavailable: …`` by hand. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Self

# The width of both columns (String(200)): a longer reason is cut, never refused.
STORED_LENGTH = 200
_UNAVAILABLE_PREFIX = "unavailable"


class MediaKind(StrEnum):
    UNSET = "unset"  # NULL in the database: not decided yet
    NONE = "none"  # there is none (not answered, no audio, no speech)
    PENDING = "pending"  # asked for; not here yet
    DOWNLOADED = "downloaded"  # the recording file is in the local cache
    DONE = "done"  # the transcript turns are stored
    UNAVAILABLE = "unavailable"  # it could not be had; `reason` says why


@dataclass(frozen=True)
class MediaState:
    """One stored state: its kind, and for UNAVAILABLE the reason the user reads."""

    kind: MediaKind
    reason: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Self:
        """The state stored as *text*. Unknown words read as NONE (what the UI always showed)."""
        if text is None:
            return cls(MediaKind.UNSET)
        word, _, reason = text.partition(":")
        word = word.strip()
        if word == _UNAVAILABLE_PREFIX:
            return cls(MediaKind.UNAVAILABLE, reason.strip())
        if word in (MediaKind.NONE, MediaKind.PENDING, MediaKind.DOWNLOADED, MediaKind.DONE):
            return cls(MediaKind(word))
        return cls(MediaKind.NONE)

    @classmethod
    def unavailable(cls, reason: str) -> Self:
        return cls(MediaKind.UNAVAILABLE, reason.strip())

    def to_db(self) -> str | None:
        """The text stored in the column (None for UNSET), at most STORED_LENGTH characters."""
        if self.kind is MediaKind.UNSET:
            return None
        if self.kind is MediaKind.UNAVAILABLE:
            return f"{_UNAVAILABLE_PREFIX}: {self.reason}"[:STORED_LENGTH]
        return self.kind.value

    @property
    def is_pending(self) -> bool:
        return self.kind is MediaKind.PENDING

    @property
    def is_unavailable(self) -> bool:
        return self.kind is MediaKind.UNAVAILABLE


@dataclass(frozen=True)
class RecordingState(MediaState):
    """A call's recording: UNSET, NONE, PENDING, DOWNLOADED or UNAVAILABLE."""

    UNSET: ClassVar[RecordingState]
    NONE: ClassVar[RecordingState]
    PENDING: ClassVar[RecordingState]
    DOWNLOADED: ClassVar[RecordingState]

    @property
    def is_downloaded(self) -> bool:
        return self.kind is MediaKind.DOWNLOADED

    def message(self, path: str | None, *, file_exists: bool, live: bool = False) -> str | None:
        """Why there is nothing to play, or None when the file at *path* is there to play."""
        if self.is_downloaded and path:
            return None if file_exists else f"The recording file is missing: {path}"
        if self.is_pending or (self.kind is MediaKind.UNSET and live):
            return "The recording is still being fetched…"
        if self.is_unavailable:
            return f"Recording unavailable: {self.reason or 'the provider has none'}"
        return "No recording for this call."


@dataclass(frozen=True)
class TranscriptState(MediaState):
    """A call's transcript: UNSET, NONE, PENDING, DONE or UNAVAILABLE."""

    UNSET: ClassVar[TranscriptState]
    NONE: ClassVar[TranscriptState]
    PENDING: ClassVar[TranscriptState]
    DONE: ClassVar[TranscriptState]

    @property
    def is_settled(self) -> bool:
        """Asked already and answered (turns stored, or there was no speech): do not ask again."""
        return self.kind in (MediaKind.DONE, MediaKind.NONE)

    def message(
        self, recording: RecordingState, *, live: bool = False, transcribing: bool = False
    ) -> str:
        """What the transcript pane says when it has no turns to show."""
        if transcribing:
            return "Transcribing the recording…"
        if self.is_unavailable:
            return f"Transcript unavailable: {self.reason or 'unknown'}"
        if live:
            return "The call is in progress."
        if recording.is_pending:
            return "The transcript follows once the recording is fetched."
        return "No transcript for this call."


RecordingState.UNSET = RecordingState(MediaKind.UNSET)
RecordingState.NONE = RecordingState(MediaKind.NONE)
RecordingState.PENDING = RecordingState(MediaKind.PENDING)
RecordingState.DOWNLOADED = RecordingState(MediaKind.DOWNLOADED)
TranscriptState.UNSET = TranscriptState(MediaKind.UNSET)
TranscriptState.NONE = TranscriptState(MediaKind.NONE)
TranscriptState.PENDING = TranscriptState(MediaKind.PENDING)
TranscriptState.DONE = TranscriptState(MediaKind.DONE)

__all__ = ["STORED_LENGTH", "MediaKind", "MediaState", "RecordingState", "TranscriptState"]
