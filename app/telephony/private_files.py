"""Private files for recordings: folder 0700, files 0600, written atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from app.telephony.recording_media import inside


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)  # mkdir's mode is masked by umask and ignored for existing folders
    return path


def write_private(dest: Path, name: str, data: bytes) -> Path:
    """Write *data* to dest/name as 0600; a crash never leaves a half-written recording."""
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=".part-")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        final = inside(dest, name)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return final
