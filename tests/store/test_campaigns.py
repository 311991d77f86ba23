from datetime import timedelta

import pytest

from app.store import campaigns
from app.store.models import Agent, Contact
from app.store.types import utcnow

CALLER_ID = "+15005550006"  # the emulator's (and Twilio's test) valid From


def test_create_list_and_count_by_status(store):
    with store.session.begin() as session:
        session.add(Agent(name="Sunny"))
        session.flush()
        campaign = campaigns.create_campaign(
            session, "Spring", caller_id=CALLER_ID, agent="Sunny", concurrency=3
        )
        for i, status in enumerate(["queued", "queued", "completed", "busy"]):
            session.add(Contact(campaign_id=campaign.id, phone=f"+1415555010{i}", status=status))
    with store.session() as session:
        [summary] = campaigns.list_campaigns(session)
    assert (summary.name, summary.agent, summary.caller_id) == ("Spring", "Sunny", CALLER_ID)
    assert summary.state == "draft" and summary.concurrency == 3
    assert summary.counts["queued"] == 2 and summary.counts["busy"] == 1
    assert summary.counts["calling"] == 0
    assert (summary.done, summary.total) == (2, 4)


def test_names_are_unique_and_limits_positive(store):
    with store.session.begin() as session:
        campaigns.create_campaign(session, "A", caller_id=CALLER_ID)
    with store.session() as session, pytest.raises(campaigns.CampaignError, match="already exists"):
        campaigns.create_campaign(session, "A")
    with store.session() as session, pytest.raises(campaigns.CampaignError, match="at least 1"):
        campaigns.create_campaign(session, "B", concurrency=0)
    with store.session() as session, pytest.raises(campaigns.CampaignError, match="no agent"):
        campaigns.create_campaign(session, "C", agent="Nobody")


def test_start_pause_and_scheduling(store):
    with store.session.begin() as session:
        now = utcnow()
        later = campaigns.create_campaign(
            session, "Later", caller_id=CALLER_ID, start_at=now + timedelta(hours=1)
        )
        soon = campaigns.create_campaign(session, "Now", caller_id=CALLER_ID)
        assert campaigns.start_campaign(session, later, now) == "scheduled"
        assert campaigns.start_campaign(session, soon, now) == "running"
        assert campaigns.pause_campaign(soon) == "paused"
        assert campaigns.start_campaign(session, soon, now) == "running"


def test_a_campaign_without_caller_id_cannot_start(store):
    with store.session.begin() as session:
        campaign = campaigns.create_campaign(session, "No caller")
        with pytest.raises(campaigns.CampaignError, match="caller-ID"):
            campaigns.start_campaign(session, campaign)
