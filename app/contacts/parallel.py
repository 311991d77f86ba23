"""Validate the distinct phone cells of a big file on several cores.

phonenumbers is pure Python and the slowest step of an import, so a big file's distinct
cells are shared between this thread and worker processes (spawned: safe from any
thread, and nothing of the parent's state is copied). Small files stay in this thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from app.contacts.errors import ImportCancelled
from app.contacts.validation import PhoneResult, PhoneValidator

log = logging.getLogger(__name__)

PARALLEL_MIN_CELLS = 20_000  # below this, starting processes costs more than it saves
CHUNK_CELLS = 4_000
MAX_WORKERS = 3
POLL_S = 0.1  # how often a wait for workers looks at the cancel flag


def worker_count(distinct_cells: int) -> int:
    if distinct_cells < PARALLEL_MIN_CELLS:
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(0, min(MAX_WORKERS, cpus - 1))


def validate_cells(
    cells: list[str],
    region: str,
    *,
    cancelled: Callable[[], bool],
    progress: Callable[[int], None],
) -> dict[str, PhoneResult]:
    """(E.164, reason) for every distinct cell; progress(cells done so far)."""
    distinct = list(dict.fromkeys(cells))
    chunks = [distinct[i : i + CHUNK_CELLS] for i in range(0, len(distinct), CHUNK_CELLS)]
    validator = PhoneValidator(region)
    results: dict[str, PhoneResult] = {}
    workers = worker_count(len(distinct))
    if workers:
        try:
            _validate_in_parallel(chunks, region, validator, results, workers, cancelled, progress)
        except (BrokenProcessPool, OSError) as exc:
            # A sandbox or frozen build without working multiprocessing: carry on here.
            log.warning("validating in one process (worker processes failed: %s)", exc)
    for chunk in chunks:
        if chunk[0] in results:
            continue
        if cancelled():
            raise ImportCancelled()
        results.update(zip(chunk, map(validator.check, chunk), strict=True))
        progress(len(results))
    return results


def _validate_in_parallel(
    chunks: list[list[str]],
    region: str,
    validator: PhoneValidator,
    results: dict[str, PhoneResult],
    workers: int,
    cancelled: Callable[[], bool],
    progress: Callable[[int], None],
) -> None:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        # The pool works from the last chunk backwards and this thread from the first
        # forwards; a chunk the pool has not picked up yet is taken back and done here.
        futures: dict[int, Future] = {}
        for index in reversed(range(len(chunks))):
            futures[index] = pool.submit(check_chunk, region, chunks[index])
        for index, chunk in enumerate(chunks):
            if cancelled():
                raise ImportCancelled()
            if not futures[index].cancel():
                break
            del futures[index]
            results.update(zip(chunk, map(validator.check, chunk), strict=True))
            progress(len(results))
        for index, future in sorted(futures.items()):
            while True:
                if cancelled():
                    raise ImportCancelled()
                try:
                    found = future.result(timeout=POLL_S)
                    break
                except FutureTimeout:
                    continue
            results.update(zip(chunks[index], found, strict=True))
            progress(len(results))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def check_chunk(region: str, cells: list[str]) -> list[PhoneResult]:
    """Runs in a worker process."""
    validator = _validators.get(region)
    if validator is None:
        validator = _validators[region] = PhoneValidator(region)
    return [validator.check(cell) for cell in cells]


_validators: dict[str, PhoneValidator] = {}
