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


def test_create_validates_and_normalises_the_settings(store):
    from app.domain.campaign_settings import DEFAULTS, CampaignSettings

    with store.session.begin() as session:
        campaign = campaigns.create_campaign(
            session, "Weekend", window_start="9:00", window_days="fri-mon", retry_delay_min=0
        )
        stored = campaigns.settings_of(campaign)
    assert stored == CampaignSettings(
        window_start="09:00", window_days="mon,fri,sat,sun", retry_delay_min=0
    )
    assert (stored.concurrency, stored.per_minute) == (DEFAULTS.concurrency, DEFAULTS.per_minute)
    for bad, message in [
        ({"per_minute": 0}, "calls per minute must be at least 1"),
        ({"max_attempts": 500}, "attempts per contact must be at most 100"),
        ({"window_days": "someday"}, "is not a day"),
        ({"window_start": "22:00"}, "Calling hours must start before they end."),
    ]:
        with store.session() as session, pytest.raises(campaigns.CampaignError, match=message):
            campaigns.create_campaign(session, "Bad", **bad)
    with store.session() as session:
        assert [s.name for s in campaigns.list_campaigns(session)] == ["Weekend"]


def test_update_changes_only_what_is_given_with_the_same_checks(store):
    with store.session.begin() as session:
        session.add_all([Agent(name="Sunny"), Agent(name="Rainy")])
        session.flush()
        campaign = campaigns.create_campaign(
            session, "Spring", caller_id="+15005550006", agent="Sunny", concurrency=3
        )
        campaign_id = campaign.id
    with store.session.begin() as session:
        campaign = campaigns.get_by_id(session, campaign_id)
        campaigns.update_campaign(session, campaign, per_minute=20, window_days="sat-sun")
    with store.session() as session:
        summary = campaigns.summary_by_id(session, campaign_id)
    assert (summary.concurrency, summary.per_minute) == (3, 20)
    assert summary.settings.window_days == "sat,sun" and summary.settings.max_attempts == 3
    assert (summary.agent, summary.caller_id) == ("Sunny", "+15005550006")
    # Refused like a create, and nothing of the refused edit is kept.
    with store.session() as session:
        campaign = campaigns.get_by_id(session, campaign_id)
        for bad, message in [
            ({"concurrency": 0}, "at least 1"),
            ({"window_end": "07:00"}, "must start before they end"),
            ({"window_days": ""}, "Pick at least one calling day."),
            ({"agent": "Nobody"}, "no agent named 'Nobody'"),
        ]:
            with pytest.raises(campaigns.CampaignError, match=message):
                campaigns.update_campaign(session, campaign, **bad)
            assert campaigns.settings_of(campaign) == summary.settings
    with store.session.begin() as session:
        campaign = campaigns.get_by_id(session, campaign_id)
        campaigns.update_campaign(
            session, campaign, agent="Rainy", caller_id="+15005550007", region="GB"
        )
    with store.session() as session:
        summary = campaigns.summary_by_id(session, campaign_id)
    assert (summary.agent, summary.caller_id, summary.region) == ("Rainy", "+15005550007", "GB")
    with store.session.begin() as session:
        campaigns.update_campaign(session, campaigns.get_by_id(session, campaign_id), agent=None)
    with store.session() as session:
        assert campaigns.summary_by_id(session, campaign_id).agent is None
        with pytest.raises(campaigns.CampaignError, match="no longer exists"):
            campaigns.get_by_id(session, campaign_id + 100)


def test_the_editor_choices(store):
    from app.store import agents as agent_store
    from app.store import numbers as number_store
    from app.store.models import PhoneNumber

    with store.session.begin() as session:
        session.add_all([Agent(name="Zed"), Agent(name="Amy")])
        session.add_all(
            [
                PhoneNumber(e164="+15005550006", friendly_name="Main", kind="owned"),
                PhoneNumber(e164="+15005550001", kind="verified", verified=True),
                PhoneNumber(e164="+15005550009", kind="manual"),
            ]
        )
    with store.session() as session:
        assert agent_store.agent_names(session) == ["Amy", "Zed"]
        choices = number_store.list_numbers(session)
    assert [(c.e164, c.can_call_from) for c in choices] == [
        ("+15005550001", True),
        ("+15005550006", True),
        ("+15005550009", False),
    ]
    assert choices[1].label == "+15005550006  Main" and choices[0].label == "+15005550001"
