"""The recording/transcript states: every stored text parses, and writes back the same text."""

from __future__ import annotations

import pytest

from app.domain.media_state import (
    STORED_LENGTH,
    MediaKind,
    RecordingState,
    TranscriptState,
)

# Every text the app has ever stored in calls.recording_state / calls.transcript_state.
STORED = [
    (None, MediaKind.UNSET, ""),
    ("none", MediaKind.NONE, ""),
    ("pending", MediaKind.PENDING, ""),
    ("downloaded", MediaKind.DOWNLOADED, ""),
    ("done", MediaKind.DONE, ""),
    ("unavailable: no recording", MediaKind.UNAVAILABLE, "no recording"),
    (
        "unavailable: the provider kept no audio",
        MediaKind.UNAVAILABLE,
        "the provider kept no audio",
    ),
    ("unavailable: internal error", MediaKind.UNAVAILABLE, "internal error"),
    (
        "unavailable: CallDeck hit an error; see the log",
        MediaKind.UNAVAILABLE,
        "CallDeck hit an error; see the log",
    ),
    ("unavailable: Twilio said: 20003 auth", MediaKind.UNAVAILABLE, "Twilio said: 20003 auth"),
]


@pytest.mark.parametrize(("text", "kind", "reason"), STORED)
@pytest.mark.parametrize("state_type", [RecordingState, TranscriptState])
def test_every_stored_text_parses_and_round_trips(state_type, text, kind, reason):
    state = state_type.parse(text)
    assert (state.kind, state.reason) == (kind, reason)
    assert state.to_db() == text
    assert type(state) is state_type


def test_an_unavailable_state_without_a_reason_parses():
    assert RecordingState.parse("unavailable") == RecordingState(MediaKind.UNAVAILABLE, "")
    assert TranscriptState.parse("unavailable:  ") == TranscriptState(MediaKind.UNAVAILABLE, "")


def test_an_unknown_word_reads_as_none():
    # What the Results pane always showed for a word it did not know: "No recording".
    assert RecordingState.parse("garbled") == RecordingState.NONE


def test_a_long_reason_is_cut_to_the_column_width():
    stored = RecordingState.unavailable("x" * 500).to_db()
    assert stored is not None and len(stored) == STORED_LENGTH
    assert stored.startswith("unavailable: xxx")


def test_constants_are_the_stored_words():
    assert RecordingState.DOWNLOADED.to_db() == "downloaded"
    assert RecordingState.PENDING.to_db() == "pending"
    assert RecordingState.NONE.to_db() == "none"
    assert RecordingState.UNSET.to_db() is None
    assert TranscriptState.DONE.to_db() == "done"
    assert TranscriptState.PENDING.to_db() == "pending"
    assert TranscriptState.NONE.to_db() == "none"


def test_recording_messages(tmp_path):
    path = str(tmp_path / "RE1.wav")
    downloaded = RecordingState.DOWNLOADED
    assert downloaded.message(path, file_exists=True) is None
    assert downloaded.message(path, file_exists=False) == f"The recording file is missing: {path}"
    assert downloaded.message(None, file_exists=False) == "No recording for this call."
    fetching = "The recording is still being fetched…"
    assert RecordingState.PENDING.message(None, file_exists=False) == fetching
    assert RecordingState.UNSET.message(None, file_exists=False, live=True) == fetching
    assert RecordingState.UNSET.message(None, file_exists=False) == "No recording for this call."
    assert RecordingState.NONE.message(None, file_exists=False, live=True) == (
        "No recording for this call."
    )
    assert RecordingState.parse("unavailable: quota").message(None, file_exists=False) == (
        "Recording unavailable: quota"
    )
    assert RecordingState.parse("unavailable").message(None, file_exists=False) == (
        "Recording unavailable: the provider has none"
    )


def test_transcript_messages():
    pending, none = RecordingState.PENDING, RecordingState.NONE
    unavailable = TranscriptState.unavailable("no recording")
    assert unavailable.message(none, transcribing=True) == "Transcribing the recording…"
    assert unavailable.message(none, live=True) == "Transcript unavailable: no recording"
    assert TranscriptState.parse("unavailable:").message(none) == "Transcript unavailable: unknown"
    assert TranscriptState.UNSET.message(pending, live=True) == "The call is in progress."
    assert TranscriptState.PENDING.message(pending) == (
        "The transcript follows once the recording is fetched."
    )
    assert TranscriptState.NONE.message(none) == "No transcript for this call."


def test_settled_transcripts_are_not_asked_for_again():
    assert TranscriptState.DONE.is_settled and TranscriptState.NONE.is_settled
    for state in (TranscriptState.UNSET, TranscriptState.PENDING, TranscriptState.unavailable("x")):
        assert not state.is_settled
