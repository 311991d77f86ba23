"""By-id campaign commands for the GUI when the dialer is not up (it acts on them once it is).

Kept apart from app/store/campaigns.py only while that module is being reworked in parallel;
fold it in there when both land.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.store.campaigns import CampaignError, pause_campaign, start_campaign
from app.store.models import Campaign


def _get(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(f"campaign {campaign_id} no longer exists")
    return campaign


def record_start_or_pause(session: Session, campaign_id: int, *, pausing: bool) -> str:
    """Record that the user started (or paused) a campaign; returns its new state."""
    campaign = _get(session, campaign_id)
    return pause_campaign(campaign) if pausing else start_campaign(session, campaign)


def campaign_region(session: Session, campaign_id: int) -> str:
    """The region numbers without a country code are read in, for imports."""
    return _get(session, campaign_id).region
