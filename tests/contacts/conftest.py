"""Fixtures for the import tests (home and store come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.store.campaigns import create_campaign
from app.store.models import Contact


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
