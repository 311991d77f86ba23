"""Recording media: a real 8 kHz mono 16-bit WAV of the call, made on first request.

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


def _tone(samples: array.array, seg: Segment, hz: float) -> None:
    start = int(seg.start * RATE)
    end = min(len(samples), int(seg.end * RATE))
    period = [int(TONE_AMPLITUDE * math.sin(2 * math.pi * hz * i / RATE)) for i in range(RATE)]
    for i in range(start, end):
        # 4 Hz on/off gating makes it sound like the rhythm of speech, not a test tone
        if (i // (RATE // 8)) % 2 == 0:
            samples[i] = period[i % RATE]


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


def render_wav(segments: Sequence[Segment], duration_s: float, path: Path) -> Path:
    total = max(1, int(math.ceil(duration_s * RATE)))
    samples = array.array("h", bytes(2 * total))
    with tempfile.TemporaryDirectory(prefix="calldeck-tts-") as tmp:
        for seg in segments:
            speech = _espeak(seg.text, ESPEAK_VOICES.get(seg.speaker, "en-us"), Path(tmp))
            if speech is None:
                _tone(samples, seg, TONE_HZ.get(seg.speaker, 440.0))
                continue
            start = int(seg.start * RATE)
            n = max(0, min(len(speech), total - start))
            samples[start : start + n] = speech[:n]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
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
