from app.dialer.agent_calls import AgentCalls
from app.store import agent_pins
from app.store.campaigns import get_by_id, start_campaign, update_campaign
from tests.agents.panes_support import publish_edit, seed_agent_campaign


def pin(store, campaign_id):
    with store.session() as session:
        return agent_pins.version_pin(session, campaign_id)


def test_a_started_campaign_keeps_its_version_after_a_publish_and_moves_when_told(store):
    ids = seed_agent_campaign(store)
    before = pin(store, ids["campaign"])
    assert (before.pinned, before.newest, before.newer_available) == (None, 1, False)
    with store.session.begin() as session:
        start_campaign(session, get_by_id(session, ids["campaign"]))
    assert pin(store, ids["campaign"]).pinned == 1

    assert publish_edit(store) == 2
    kept = pin(store, ids["campaign"])
    assert (kept.pinned, kept.newest, kept.newer_available, kept.running) == (1, 2, True, True)
    calls = AgentCalls(store, relay=None)
    definition, version_id = calls._definition(ids["agent"], ids["campaign"])
    assert version_id == ids["version"] and not definition.opening.greeting.endswith("Thanks!")
    # A campaign that never started (or a call without one) takes the newest.
    _, newest_id = calls._definition(ids["agent"], None)
    assert newest_id == kept.newest_id

    with store.session.begin() as session:
        assert agent_pins.move_to_newest(session, ids["campaign"]) == 2
    moved = pin(store, ids["campaign"])
    assert (moved.pinned, moved.newer_available) == (2, False)
    definition, _ = calls._definition(ids["agent"], ids["campaign"])
    assert definition.opening.greeting.endswith("Thanks!")


def test_a_restart_keeps_the_pin_and_another_agent_clears_it(store):
    ids = seed_agent_campaign(store)
    with store.session.begin() as session:
        start_campaign(session, get_by_id(session, ids["campaign"]))
    publish_edit(store)
    with store.session.begin() as session:
        campaign = get_by_id(session, ids["campaign"])
        start_campaign(session, campaign)
        assert campaign.agent_version_id == ids["version"]
        update_campaign(session, campaign, agent=None)
        assert campaign.agent_version_id is None


def test_a_campaign_whose_agent_is_deleted_keeps_no_pin(store):
    from app.store.agents import delete_agent

    ids = seed_agent_campaign(store)
    with store.session.begin() as session:
        start_campaign(session, get_by_id(session, ids["campaign"]))
        delete_agent(session, ids["agent"])
    _, version_id = AgentCalls(store, relay=None)._definition(None, ids["campaign"])
    assert version_id is None  # the greeting-only agent, as before pinning
