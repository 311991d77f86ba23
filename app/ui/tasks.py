"""Running coroutines from Qt slots: keep the slot thin, log and surface every error.

Work started by the user goes through app.ui.operations.run_op, which uses this too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)

_running: set[asyncio.Task] = set()  # strong references, so tasks are not collected mid-way


def keep_running(task: asyncio.Task) -> asyncio.Task:
    """Hold a strong reference to *task* until it is done."""
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def spawn(
    coro: Coroutine[Any, Any, Any], *, on_error: Callable[[str], None] | None = None
) -> asyncio.Task:
    task = keep_running(asyncio.ensure_future(coro))

    def done(t: asyncio.Task) -> None:
        if t.cancelled():
            return
        exc = t.exception()
        if exc is not None:
            log.error("background task failed", exc_info=exc)
            if on_error is not None:
                on_error(getattr(exc, "user_message", None) or str(exc))

    task.add_done_callback(done)
    return task
