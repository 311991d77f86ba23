import pytest
from sqlalchemy import select

from app.store import agents
from app.store.agents import AgentDraft, AgentNameTaken
from app.store.campaigns import create_campaign
from app.store.models import Agent, Campaign


def test_save_lists_updates_and_counts_campaigns(store):
    with store.session.begin() as session:
        sunny = agents.save_agent(
            session, AgentDraft(None, "Sunny", tools=["cancel"], flow={"steps": ["greet"]})
        )
        agents.save_agent(session, AgentDraft(None, "Ada"))
        create_campaign(session, "Spring", agent="Sunny")
        create_campaign(session, "Summer", agent="Sunny")
    with store.session.begin() as session:
        agents.save_agent(session, AgentDraft(sunny, "Sunny B", greeting="Hi"))
    with store.session() as session:
        listed = agents.list_agents(session)
    assert [(a.name, a.campaigns) for a in listed] == [("Ada", 0), ("Sunny B", 2)]
    renamed = listed[1]
    assert (renamed.id, renamed.greeting, renamed.tools, renamed.flow) == (sunny, "Hi", [], {})


def test_a_taken_name_is_refused_and_nothing_is_written(store):
    with store.session.begin() as session:
        agents.save_agent(session, AgentDraft(None, "Sunny"))
    with (
        pytest.raises(AgentNameTaken, match="already called 'Sunny'"),
        store.session.begin() as session,
    ):
        agents.save_agent(session, AgentDraft(None, "Sunny", greeting="twin"))
    with store.session() as session:
        assert session.scalars(select(Agent.greeting)).all() == [""]


def test_delete_leaves_its_campaigns_without_an_agent(store):
    with store.session.begin() as session:
        agent_id = agents.save_agent(session, AgentDraft(None, "Old"))
        create_campaign(session, "Spring", agent="Old")
    with store.session.begin() as session:
        agents.delete_agent(session, agent_id)
        agents.delete_agent(session, agent_id)  # already gone: nothing to do
    with store.session() as session:
        assert agents.list_agents(session) == []
        assert session.scalar(select(Campaign.agent_id)) is None
