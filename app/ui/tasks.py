"""Running coroutines from Qt slots: keep the slot thin, log and surface every error."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)

_running: set[asyncio.Task] = set()  # strong references, so tasks are not collected mid-way


def spawn(
    coro: Coroutine[Any, Any, Any], *, on_error: Callable[[str], None] | None = None
) -> asyncio.Task:
    task = asyncio.ensure_future(coro)
    _running.add(task)

    def done(t: asyncio.Task) -> None:
        _running.discard(t)
        if t.cancelled():
            return
        exc = t.exception()
        if exc is not None:
            log.error("background task failed", exc_info=exc)
            if on_error is not None:
                on_error(getattr(exc, "user_message", None) or str(exc))

    task.add_done_callback(done)
    return task
