"""Recording media: a real 8 kHz 16-bit WAV of the call, made on first request.

Mono mixes both sides; dual (a <Start><Recording channels="dual">, RecordingChannels=dual)
puts each track on its own channel the way Twilio does for a one-leg call (TRACK_CHANNEL:
the inbound track, the callee, first; the outbound track, what Twilio plays, second), the
channel Voice Intelligence reports as each sentence's media_channel. Pressed keys are DTMF
tone pairs.

With espeak-ng installed the spoken lines are synthesised into it, so a person can follow the
call in the Results pane; without it each turn is a quiet tone, so the file still has the
call's shape. MP3 only when an encoder (lame or ffmpeg) is installed.
"""

from __future__ import annotations

import array
import math
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

from app.telephony.emulator.conversation import Segment

RATE = 8000
TONE_HZ = {"agent": 440.0, "callee": 330.0}
TONE_AMPLITUDE = 1200  # quiet: about -29 dBFS
ESPEAK_VOICES = {"agent": "en-us", "callee": "en-us+f3"}
# Channel (1-based, as media_channel counts) of each speaker in a dual recording: Twilio's
# inbound track is the audio it receives from the called party, the outbound track the audio
# it generates (<Say>, <Play>, ConversationRelay's TTS: the agent); with a customer-leg
# recording the customer is the first channel (Flex "Enable dual-channel recordings").
TRACK_CHANNEL = {"callee": 1, "agent": 2}
DTMF_HZ = {  # key: (row, column) frequencies
    key: (row_hz, col_hz)
    for row, row_hz in zip(("123", "456", "789", "*0#"), (697, 770, 852, 941), strict=True)
    for key, col_hz in zip(row, (1209, 1336, 1477), strict=True)
}
DTMF_AMPLITUDE = 4000


def _tone(samples: array.array, seg: Segment, hz: float) -> None:
    start = int(seg.start * RATE)
    end = min(len(samples), int(seg.end * RATE))
    period = [int(TONE_AMPLITUDE * math.sin(2 * math.pi * hz * i / RATE)) for i in range(RATE)]
    for i in range(start, end):
        # 4 Hz on/off gating makes it sound like the rhythm of speech, not a test tone
        if (i // (RATE // 8)) % 2 == 0:
            samples[i] = period[i % RATE]


def _dtmf(samples: array.array, seg: Segment) -> None:
    low, high = DTMF_HZ.get(seg.text, (697, 1209))
    start = int(seg.start * RATE)
    end = min(len(samples), int(seg.end * RATE))
    for i in range(start, end):
        t = i / RATE
        tone = math.sin(2 * math.pi * low * t) + math.sin(2 * math.pi * high * t)
        samples[i] = int(DTMF_AMPLITUDE * tone / 2)


def _espeak(text: str, voice: str, workdir: Path) -> array.array | None:
    """Synthesised speech resampled to 8 kHz, or None when espeak-ng fails."""
    exe = shutil.which("espeak-ng")
    if not exe:
        return None
    out = workdir / "say.wav"
    try:
        subprocess.run(
            [exe, "-v", voice, "-s", "150", "-w", str(out), text],
            check=True,
            capture_output=True,
            timeout=30,
        )
        with wave.open(str(out), "rb") as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                return None
            rate = w.getframerate()
            src = array.array("h", w.readframes(w.getnframes()))
    except (OSError, subprocess.SubprocessError, wave.Error, EOFError):
        return None
    step = rate / RATE  # nearest-sample decimation: crude but intelligible for speech
    return array.array("h", (src[int(i * step)] for i in range(int(len(src) / step))))


def _render_track(segments: Sequence[Segment], total: int, tmp: Path) -> array.array:
    samples = array.array("h", bytes(2 * total))
    for seg in segments:
        if seg.kind == "dtmf":
            _dtmf(samples, seg)
            continue
        speech = _espeak(seg.text, ESPEAK_VOICES.get(seg.speaker, "en-us"), tmp)
        if speech is None:
            _tone(samples, seg, TONE_HZ.get(seg.speaker, 440.0))
            continue
        start = int(seg.start * RATE)
        n = max(0, min(len(speech), total - start))
        samples[start : start + n] = speech[:n]
    return samples


def render_wav(
    segments: Sequence[Segment], duration_s: float, path: Path, channels: int = 1
) -> Path:
    total = max(1, int(math.ceil(duration_s * RATE)))
    with tempfile.TemporaryDirectory(prefix="calldeck-tts-") as tmp:
        if channels == 2:
            tracks = [
                _render_track(
                    [s for s in segments if TRACK_CHANNEL.get(s.speaker) == ch], total, Path(tmp)
                )
                for ch in (1, 2)
            ]
            frames = array.array("h", bytes(4 * total))
            frames[0::2], frames[1::2] = tracks
        else:
            frames = _render_track(segments, total, Path(tmp))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2 if channels == 2 else 1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames.tobytes())
    return path


def mp3_encoder() -> list[str] | None:
    """The command prefix that turns a WAV into an MP3, or None when none is installed."""
    if lame := shutil.which("lame"):
        return [lame, "--quiet", "-b", "32"]
    if ffmpeg := shutil.which("ffmpeg"):
        return [ffmpeg, "-loglevel", "error", "-y", "-i"]
    return None


def encode_mp3(wav: Path, mp3: Path) -> Path | None:
    cmd = mp3_encoder()
    if cmd is None:
        return None
    args = [*cmd, str(wav), str(mp3)]
    if "ffmpeg" in Path(cmd[0]).name:
        args = [*cmd, str(wav), "-b:a", "32k", str(mp3)]
    try:
        subprocess.run(args, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return mp3 if mp3.exists() else None
