"""espeak-ng speech in the emulator's recordings."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
import wave

import pytest

from app.telephony.emulator import media
from app.telephony.emulator.conversation import Segment

FAKE_ESPEAK = textwrap.dedent(
    """\
    #!{python}
    import sys, wave, math
    out = sys.argv[sys.argv.index("-w") + 1]
    with wave.open(out, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
        w.writeframes(b"".join(
            int(9000 * math.sin(i / 5)).to_bytes(2, "little", signed=True) for i in range(22050)
        ))
    """
)


@pytest.mark.skipif(os.name == "nt", reason="the fake espeak-ng is a shebang script")
def test_espeak_speech_is_mixed_into_the_wav(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "espeak-ng"
    exe.write_text(FAKE_ESPEAK.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    segments = [Segment("agent", "Hello there.", 0.5, 1.5)]
    path = media.render_wav(segments, 3.0, tmp_path / "speech.wav")
    with wave.open(str(path)) as w:
        assert w.getframerate() == 8000 and w.getnframes() == 24000
        frames = w.readframes(w.getnframes())
    samples = memoryview(frames).cast("h")
    loud = max(abs(s) for s in samples[4000:12000])
    assert loud > 5000  # the synthesised speech (louder than the fallback tone) is in there
    assert max(abs(s) for s in samples[:3900]) == 0  # silence before the line starts
