"""One dialer per database: two would each keep N, P and the CPS cap only in their own memory,
and one's start-up recovery could take the other's in-flight claim for a crash leftover."""

from __future__ import annotations

import os
from pathlib import Path


class DialerBusy(RuntimeError):
    """Another dialer holds this database; the message says what to do."""


class DialerLock:
    """An OS file lock: released by the OS when the process dies, even on kill -9."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = None

    def acquire(self) -> None:
        if self._file is not None:
            return
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for as long as we dial
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise DialerBusy(
                f"Another CallDeck dialer ({holder}) is already dialing from this database. "
                "Close it (or stop its `calldeck run`) first, so limits are kept and nobody "
                "is called twice."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file releases the lock
            self._file = None


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
