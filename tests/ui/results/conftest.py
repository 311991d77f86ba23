"""Fixtures for the Results page tests (home and store come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.results.results_seed import Seeded, seed_campaign


@pytest.fixture
def seeded(store, home) -> Seeded:
    """The 14-call campaign of tests/results/results_seed, with a 3 s recording to play."""
    return seed_campaign(store, home, wav_s=3.0)
