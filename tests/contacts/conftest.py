"""Fixtures for the import tests (home and store come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture
def write_list(tmp_path):
    """Write a contact list into the test's tmp dir: write_list(text, name, encoding) -> path."""

    def write(text: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path

    return write
