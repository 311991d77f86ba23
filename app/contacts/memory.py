"""Keeping the garbage collector out of the way of bulk work."""

from __future__ import annotations

import functools
import gc
import threading

_lock = threading.Lock()
_paused = 0  # calls of collector_paused functions running now, on any thread
_enable_after = False  # whether collection was on when the first of them started


def collection_paused() -> bool:
    """True while bulk work asked for no collection (the GUI's own collector checks this)."""
    return _paused > 0


def collector_paused(function):
    """Pause the cyclic garbage collector while *function* builds many small objects.

    A 100,000-row file makes about a million lists, strings and dicts, none of them in
    cycles, and each automatic full collection walks them all again (a quarter of an
    import's time). Reference counting still frees everything; collection resumes when
    the outermost paused call returns.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        global _paused, _enable_after
        with _lock:
            if _paused == 0:
                _enable_after = gc.isenabled()
                gc.disable()
            _paused += 1
        try:
            return function(*args, **kwargs)
        finally:
            with _lock:
                _paused -= 1
                if _paused == 0 and _enable_after:
                    gc.enable()

    return wrapper
