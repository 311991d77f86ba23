"""Big files validate their distinct cells in helper processes too; results must not change."""

from __future__ import annotations

import threading

import pytest

from app.contacts import parallel
from app.contacts.errors import ImportCancelled
from app.contacts.validation import PhoneValidator

CELLS = [
    "+1 415 555 0100",
    "(415) 555-0101",
    "415.555.0100",
    "447911123456",
    "4.15867E+09",
    "12345",
    "",
    "0049 30 12345679",
    "tel:+33 6 12 34 56 78",
    "Ünïcödé ☎",
    "4155550102.0",
] * 3 + [f"415555{n:04d}" for n in range(200, 260)]


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_CELLS", 1)
    monkeypatch.setattr(parallel, "CHUNK_CELLS", 4)
    monkeypatch.setattr(parallel, "helper_count", lambda distinct: 2)


def serial(cells, region="US"):
    validator = PhoneValidator(region)
    return {cell: validator.check(cell) for cell in cells}


def test_helpers_give_the_same_answers(tiny_chunks):
    progress: list[int] = []
    results = parallel.validate_cells(
        CELLS, "US", cancelled=lambda: False, progress=progress.append
    )
    assert results == serial(CELLS)
    assert progress[-1] == len(set(CELLS))


def test_dead_helpers_leave_the_work_to_this_thread(tiny_chunks, monkeypatch):
    monkeypatch.setattr(parallel, "_HELPER_CODE", "import sys; sys.exit(3)")
    results = parallel.validate_cells(CELLS, "GB", cancelled=lambda: False, progress=lambda n: None)
    assert results == serial(CELLS, "GB")


def test_cancel_stops_helpers(tiny_chunks):
    calls = {"n": 0}

    def cancelled():
        calls["n"] += 1
        return calls["n"] > 2

    before = threading.active_count()
    with pytest.raises(ImportCancelled):
        parallel.validate_cells(CELLS, "US", cancelled=cancelled, progress=lambda n: None)
    assert threading.active_count() == before  # helper threads (and their processes) are gone


def test_small_lists_stay_in_this_thread():
    assert parallel.helper_count(parallel.PARALLEL_MIN_CELLS - 1) == 0
