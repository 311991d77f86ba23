"""Building campaigns for the dialer tests."""

from __future__ import annotations

from datetime import datetime

from app.store.campaigns import create_campaign
from app.store.models import Contact

CALLER_ID = "+15005550006"
ANY_TIME = {"window_start": "00:00", "window_end": "24:00", "window_days": "mon-sun"}


def make_campaign(
    store,
    name: str,
    phones: list[str],
    *,
    state: str = "running",
    start_at: datetime | None = None,
    **settings,
) -> tuple[int, list[int]]:
    """A campaign (running by default, callable any time unless told) with these contacts."""
    settings = {**ANY_TIME, "retry_delay_min": 0, **settings}
    with store.session.begin() as session:
        campaign = create_campaign(
            session, name, caller_id=CALLER_ID, start_at=start_at, **settings
        )
        campaign.state = state
        contacts = [
            Contact(campaign_id=campaign.id, phone=p, name=f"C{i}") for i, p in enumerate(phones)
        ]
        session.add_all(contacts)
        session.flush()
        return campaign.id, [c.id for c in contacts]


def phones(n: int, last_digits: str = "0", prefix: str = "+1212555") -> list[str]:
    """*n* distinct New York numbers ending in the given digits (cycled)."""
    return [f"{prefix}{i:03d}{last_digits[i % len(last_digits)]}" for i in range(n)]
