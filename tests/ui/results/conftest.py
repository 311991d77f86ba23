from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from app.store.engine import open_store

# The seeding helper lives beside the non-Qt Results tests.
_SEED_DIR = str(Path(__file__).resolve().parents[2] / "results")
if _SEED_DIR not in sys.path:
    sys.path.insert(0, _SEED_DIR)

# QtMultimedia's FFmpeg backend and PulseAudio log at warning level when the machine has no
# sound device (CI, offscreen). Playback still works on the media clock; these lines are noise.
MEDIA_NOISE = [
    r"PulseAudioService",
    r"No audio device",
    r"Couldn't (load|resolve)",
    r"qt\.multimedia",
    # The offscreen platform cannot pass a top-level window's size limits on; harmless.
    r"does not support propagateSizeHints",
]


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def store(home):
    opened = open_store(home)
    yield opened
    opened.dispose()


@pytest.fixture
def qloop(qapp):
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()  # now, while Qt objects it uses still exist
