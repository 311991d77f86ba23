"""Fixtures for the import tests (the lead's tests/conftest.py may provide home/store too)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.store.campaigns import create_campaign
from app.store.engine import open_store
from app.store.models import Contact


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def store(home):
    store = open_store(home)
    yield store
    store.dispose()


@pytest.fixture
def campaign_id(store):
    with store.session.begin() as session:
        return create_campaign(session, "Spring").id


@pytest.fixture
def count_contacts(store):
    def count(campaign_id: int) -> int:
        with store.session() as session:
            return session.scalar(
                select(func.count()).select_from(Contact).where(Contact.campaign_id == campaign_id)
            )

    return count
