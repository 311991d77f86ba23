"""Names and regions are checked once (app/domain), at every edge."""

from __future__ import annotations

import pytest

from app.domain.names import InvalidName, check_name
from app.domain.phone import InvalidRegion, check_region
from app.store.agents import AgentDraft, save_agent
from app.store.campaigns import CampaignError, create_campaign, update_campaign


@pytest.mark.parametrize(
    "bad", ["", "   ", "Bell\x07", "Esc\x1b[31mred", "zero\u200bwidth", "x" * 201]
)
def test_a_name_with_control_characters_or_nothing_in_it_is_refused(bad):
    with pytest.raises(InvalidName):
        check_name(bad, "campaign")


def test_a_name_is_trimmed_and_its_spaces_folded():
    assert check_name("  Spring \t promo  ", "campaign") == "Spring promo"
    assert check_name("Café Zoë 2026", "agent") == "Café Zoë 2026"


def test_regions_are_iso_codes_phonenumbers_knows():
    assert check_region("gb") == "GB" and check_region(None) == "US"
    for bad in ("ZZ", "USA", "", "1"):
        with pytest.raises(InvalidRegion, match="two-letter country code"):
            check_region(bad or "??")


def test_campaigns_refuse_a_bad_name_or_region(store):
    with store.session.begin() as session:
        with pytest.raises(CampaignError, match="control characters"):
            create_campaign(session, "Bad\x07name")
        with pytest.raises(CampaignError, match="unknown region 'ZZ'"):
            create_campaign(session, "Good", region="ZZ")
        campaign = create_campaign(session, "Good", region="fr")
        assert campaign.region == "FR"
        with pytest.raises(CampaignError, match="unknown region"):
            update_campaign(session, campaign, region="XX")
        assert campaign.region == "FR"


def test_agents_refuse_control_characters_in_their_name(store):
    with store.session.begin() as session, pytest.raises(InvalidName):
        save_agent(session, AgentDraft(id=None, name="Sunny\x1b]0;pwned\x07"))
