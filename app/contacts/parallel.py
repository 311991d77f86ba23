"""Validate the distinct phone cells of a big file on several cores.

phonenumbers is pure Python and the slowest step of an import, so a big file's distinct
cells are shared between this thread and helper processes. The helpers are plain
`python -c` subprocesses speaking JSON lines over pipes, not multiprocessing: that never
re-runs the caller's __main__ module, and works the same from any thread. This thread takes
chunks from the front of the queue and the helpers from the back, so nothing waits on a
slow helper start; any helper failure just leaves its chunk for this thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from app.contacts.errors import ImportCancelled
from app.contacts.validation import PhoneResult, PhoneValidator

log = logging.getLogger(__name__)

PARALLEL_MIN_CELLS = 20_000  # below this, starting helpers costs more than it saves
CHUNK_CELLS = 2_000
MAX_HELPERS = 3
WAIT_S = 0.05
_HELPER_CODE = "from app.contacts.parallel import serve; serve()"
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])


def helper_count(distinct_cells: int) -> int:
    if distinct_cells < PARALLEL_MIN_CELLS or getattr(sys, "frozen", False):
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(0, min(MAX_HELPERS, cpus - 1))


def validate_cells(
    cells: list[str],
    region: str,
    *,
    cancelled: Callable[[], bool],
    progress: Callable[[int], None],
) -> dict[str, PhoneResult]:
    """(E.164, reason) for every distinct cell; progress(distinct cells done so far)."""
    distinct = list(dict.fromkeys(cells))
    chunks = [distinct[i : i + CHUNK_CELLS] for i in range(0, len(distinct), CHUNK_CELLS)]
    validator = PhoneValidator(region)
    results: dict[str, PhoneResult] = {}
    queue = deque(range(len(chunks)))
    lock = threading.Lock()
    stop = threading.Event()
    changed = threading.Event()  # a helper finished a chunk or gave up
    helpers = [
        threading.Thread(
            target=_run_helper,
            args=(region, chunks, queue, lock, results, stop, changed),
            name=f"phone-helper-{n}",
            daemon=True,
        )
        for n in range(helper_count(len(distinct)))
    ]
    for helper in helpers:
        helper.start()
    try:
        while True:
            if cancelled():
                raise ImportCancelled()
            busy = any(h.is_alive() for h in helpers)
            with lock:
                index = queue.popleft() if queue else None
            if index is None:
                if not busy:
                    break
                changed.wait(WAIT_S)
                changed.clear()
                progress(len(results))
                continue
            chunk = chunks[index]
            done = [validator.check(cell) for cell in chunk]
            with lock:
                results.update(zip(chunk, done, strict=True))
            progress(len(results))
    finally:
        stop.set()
        for helper in helpers:
            helper.join()
    return results


def _run_helper(region, chunks, queue, lock, results, stop, changed) -> None:
    """Feeds chunks from the back of the queue to one helper process until none are left."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT_ROOT, env.get("PYTHONPATH")) if p)
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _HELPER_CODE, region],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
            encoding="utf-8",
        )
    except OSError as exc:
        log.warning("phone validation helper did not start: %s", exc)
        return
    index = None
    try:
        while not stop.is_set():
            with lock:
                index = queue.pop() if queue else None
            if index is None:
                break
            chunk = chunks[index]
            process.stdin.write(json.dumps(chunk) + "\n")
            process.stdin.flush()
            answer = process.stdout.readline()
            done = [tuple(r) for r in json.loads(answer)]
            if len(done) != len(chunk):
                raise ValueError("helper answered for the wrong number of cells")
            with lock:
                results.update(zip(chunk, done, strict=True))
            index = None
            changed.set()
    except (OSError, ValueError) as exc:  # a dead helper: its chunk goes back to the queue
        log.warning("phone validation helper failed: %s", exc)
    finally:
        if index is not None:
            with lock:
                queue.append(index)
        changed.set()
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve() -> None:
    """The helper process: one JSON list of cells per line in, one list of results out."""
    validator = PhoneValidator(sys.argv[1] if len(sys.argv) > 1 else "US")
    for line in sys.stdin:
        cells = json.loads(line)
        sys.stdout.write(json.dumps([validator.check(cell) for cell in cells]) + "\n")
        sys.stdout.flush()
