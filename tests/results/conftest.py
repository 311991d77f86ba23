"""Fixtures for the Results tests (home and store come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.results.results_seed import Seeded, seed_campaign


@pytest.fixture
def seeded(store, home) -> Seeded:
    """The 14-call "Spring promo" campaign of results_seed, with its recording on disk."""
    return seed_campaign(store, home)
