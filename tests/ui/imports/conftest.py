import pytest
from PySide6.QtGui import QDesktopServices

from app.store.campaigns import create_campaign


@pytest.fixture
def campaign_id(store):
    with store.session.begin() as session:
        return create_campaign(session, "Spring").id


@pytest.fixture
def opened_urls(monkeypatch):
    urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls
