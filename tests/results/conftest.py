from __future__ import annotations

import pytest

from app.store.engine import open_store


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def store(home):
    opened = open_store(home)
    yield opened
    opened.dispose()
