"""The one-dialer lock (where it lives is the store backend's: tests/store/test_backend.py)."""

import subprocess
import sys

import pytest

from app.dialer.lock import DialerBusy, DialerLock


def test_a_second_dialer_on_the_same_database_is_refused(tmp_path):
    path = tmp_path / "calldeck.db.dialer.lock"
    first = DialerLock(path)
    first.acquire()
    # Another process (the GUI and a `calldeck run`, say) cannot take it.
    probe = (
        "import sys; from pathlib import Path; from app.dialer.lock import DialerLock, DialerBusy\n"
        f"try: DialerLock(Path({str(path)!r})).acquire()\n"
        "except DialerBusy as e: print(e); sys.exit(3)\n"
    )
    busy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert busy.returncode == 3 and "already dialing from this database" in busy.stdout
    first.release()
    free = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert free.returncode == 0, free.stdout + free.stderr


def test_the_same_process_cannot_take_it_twice_through_another_handle(tmp_path):
    path = tmp_path / "x.lock"
    first = DialerLock(path)
    first.acquire()
    with pytest.raises(DialerBusy):
        DialerLock(path).acquire()
    first.release()
    DialerLock(path).acquire()
