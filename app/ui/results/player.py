"""The recording player: play/pause, a seek bar with times, ±10 s, playback speed.

It plays the downloaded local file with QtMultimedia. A machine without a sound device still
plays (silently, on the media clock): that is a note, never an error.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.media_state import RecordingState
from app.ui.results.calls_model import clock

log = logging.getLogger(__name__)

try:  # QtMultimedia needs system audio libraries (libpulse on Linux): Results works without
    from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

    MULTIMEDIA_ERROR: str | None = None
except ImportError as exc:  # pragma: no cover - depends on the machine
    MULTIMEDIA_ERROR = str(exc)
    log.warning("audio playback unavailable: %s", exc)

SPEEDS = (1.0, 1.25, 1.5, 2.0)
SKIP_MS = 10_000


class RecordingPlayer(QWidget):
    """Signals:
    positionChanged(int): the playing position in milliseconds (the transcript follows it).
    endOfMedia(): the recording played to its end.
    """

    positionChanged = Signal(int)
    endOfMedia = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = None if MULTIMEDIA_ERROR else QMediaPlayer(self)
        if self.player is not None:
            self.audio = QAudioOutput(self)
            self.player.setAudioOutput(self.audio)
        self._pending_seek: int | None = None
        self._path: str | None = None

        style = self.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)
        self.play_button = QToolButton()
        self.play_button.setIcon(self._play_icon)
        self.play_button.setToolTip("Play / pause (Space)")
        self.back_button = QToolButton()
        self.back_button.setText("−10 s")
        self.back_button.setToolTip("Back 10 seconds (Left arrow)")
        self.forward_button = QToolButton()
        self.forward_button.setText("+10 s")
        self.forward_button.setToolTip("Forward 10 seconds (Right arrow)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Seek")
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setMinimumWidth(
            self.time_label.fontMetrics().horizontalAdvance("00:00 / 00:00 ")
        )
        self.speed_combo = QComboBox()
        self.speed_combo.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_combo.addItem(f"{speed:g}×", speed)
        self.message = QLabel()
        self.message.setObjectName("playerMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet("color: palette(placeholder-text);")

        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        for widget in (self.play_button, self.back_button, self.forward_button):
            controls.addWidget(widget)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        controls.addWidget(self.speed_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        self._wire()
        self.set_recording(None, RecordingState.UNSET)

    def _wire(self) -> None:
        self.play_button.clicked.connect(self.toggle)
        self.back_button.clicked.connect(lambda: self.skip(-SKIP_MS))
        self.forward_button.clicked.connect(lambda: self.skip(SKIP_MS))
        self.slider.sliderMoved.connect(self.seek)
        self.speed_combo.currentIndexChanged.connect(
            lambda i: self.set_speed(self.speed_combo.itemData(i))
        )
        if self.player is not None:
            self.player.positionChanged.connect(self._on_position)
            self.player.durationChanged.connect(self._on_duration)
            self.player.playbackStateChanged.connect(self._on_playback_state)
            self.player.mediaStatusChanged.connect(self._on_media_status)
            self.player.errorOccurred.connect(self._on_error)

    # -- what to play ------------------------------------------------------------------------
    def set_recording(self, path: str | None, state: RecordingState, *, live: bool = False) -> None:
        self._pending_seek = None
        problem = state.message(path, file_exists=bool(path) and Path(path).is_file(), live=live)
        if problem is None and self.player is None:
            problem = f"Audio playback is unavailable on this computer ({MULTIMEDIA_ERROR})."
        self._path = None if problem else path
        if self.player is not None:
            self.player.stop()
            self.player.setSource(QUrl.fromLocalFile(path) if self._path else QUrl())
        self._set_enabled(self._path is not None)
        self.slider.setRange(0, 0)
        self._show_time(0, 0)
        if problem is None and not QMediaDevices.audioOutputs():
            problem = "No sound device: the recording plays silently."
        self.message.setText(problem or "")
        self.message.setVisible(problem is not None)

    @property
    def has_media(self) -> bool:
        return self._path is not None

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.slider,
            self.speed_combo,
        ):
            widget.setEnabled(enabled)

    # -- commands ----------------------------------------------------------------------------
    def toggle(self) -> None:
        if not self.has_media:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def play(self) -> None:
        if self.has_media:
            self.player.play()

    def pause(self) -> None:
        if self.has_media:
            self.player.pause()

    def seek(self, ms: int) -> None:
        if not self.has_media:
            return
        ms = max(0, int(ms))
        duration = self.player.duration()
        if duration > 0:
            ms = min(ms, duration)
        if self.player.mediaStatus() in (
            QMediaPlayer.MediaStatus.NoMedia,
            QMediaPlayer.MediaStatus.LoadingMedia,
        ):
            self._pending_seek = ms  # applied once the file is loaded
        else:
            self.player.setPosition(ms)
        self._show_time(ms, duration)

    def skip(self, delta_ms: int) -> None:
        if self.has_media:
            self.seek(self.player.position() + delta_ms)

    def set_speed(self, rate: float) -> None:
        if self.player is not None:
            self.player.setPlaybackRate(float(rate))
        index = self.speed_combo.findData(rate)
        if index >= 0 and index != self.speed_combo.currentIndex():
            self.speed_combo.setCurrentIndex(index)

    def play_from(self, ms: int) -> None:
        self.seek(ms)
        self.play()

    # -- player events -----------------------------------------------------------------------
    def _on_position(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self._show_time(ms, self.player.duration())
        self.positionChanged.emit(ms)

    def _on_duration(self, ms: int) -> None:
        self.slider.setRange(0, max(0, ms))
        self._show_time(self.player.position(), ms)

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setIcon(self._pause_icon if playing else self._play_icon)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._pending_seek is not None:
            self.player.setPosition(self._pending_seek)
            self._pending_seek = None
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.endOfMedia.emit()

    def _on_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError:
            return
        log.warning("cannot play %s: %s", self._path, text)
        self.message.setText(f"Cannot play this recording: {text or error.name}")
        self.message.setVisible(True)

    def _show_time(self, position_ms: int, duration_ms: int) -> None:
        self.time_label.setText(f"{clock(position_ms / 1000)} / {clock(duration_ms / 1000)}")
