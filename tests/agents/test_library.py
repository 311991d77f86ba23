"""Definitions in the database: drafts, published versions, calls recording their version."""

import pytest
from sqlalchemy import inspect, select, text

from app.agents import library
from app.agents.definition import DefinitionError, KnowledgeItem, parse_definition
from app.store.models import Agent, AgentVersion, Call, Campaign, Contact

from .conftest import ISSUE_EXAMPLE, definition


def test_import_creates_the_agent_and_publishes_version_one(store):
    with store.session.begin() as s:
        assert library.import_definition(s, definition()) == 1
    with store.session.begin() as s:
        agent = s.scalar(select(Agent).where(Agent.name == "Clinic reminder"))
        assert agent.greeting.startswith("Hi {{first_name}}, this is Sunny")
        assert agent.business_info.startswith("Evergreen Vets")
        published = library.published(s, agent.id)
        assert (published.version, published.definition) == (1, definition())


def test_an_unchanged_import_adds_no_version_and_a_change_adds_one(store):
    with store.session.begin() as s:
        library.import_definition(s, definition())
        assert library.import_definition(s, definition()) == 1
        changed = definition(voicemail={"action": "hang_up"})
        assert library.import_definition(s, changed) == 2
        [listing] = library.list_agents(s)
    assert (listing.published_version, listing.versions, listing.draft_changed) == (2, 2, False)


def test_a_draft_is_not_what_campaigns_use_until_published(store):
    with store.session.begin() as s:
        agent_id = library.import_definition(s, definition()) and s.scalar(select(Agent.id))
        library.save_draft(s, definition(voicemail={"action": "hang_up"}))
        assert library.published(s, agent_id).definition.voicemail.action == "leave_message"
        assert library.draft(s, "Clinic reminder").voicemail.action == "hang_up"
        assert library.list_agents(s)[0].draft_changed is True
        assert library.publish(s, "Clinic reminder") == 2
        assert library.published(s, agent_id).definition.voicemail.action == "hang_up"


def test_export_is_the_draft_as_a_file_holds_it(store):
    with store.session.begin() as s:
        library.import_definition(s, definition())
        exported = library.export_definition(s, "Clinic reminder")
    assert exported["flow"] == {k: v for k, v in ISSUE_EXAMPLE["flow"].items() if v != []}
    assert exported["business"] == ISSUE_EXAMPLE["business"]
    assert parse_definition(exported) == definition()


def test_unknown_agents_and_agents_without_a_definition(store):
    with store.session.begin() as s:
        s.add(Agent(name="Old style"))
        s.flush()
        with pytest.raises(library.AgentNotFound, match="no agent named 'Nobody'"):
            library.draft(s, "Nobody")
        with pytest.raises(DefinitionError, match="has no definition yet"):
            library.export_definition(s, "Old style")
        [old] = library.list_agents(s)
        assert (old.has_definition, old.published_version) == (False, None)


def test_added_knowledge_is_appended_and_published(store):
    with store.session.begin() as s:
        library.import_definition(s, definition())
        item = KnowledgeItem(title="Parking", text="Park behind.", document="faq.md")
        library.add_knowledge(s, "Clinic reminder", [item])
        agent_id = s.scalar(select(Agent.id))
        knowledge = library.published(s, agent_id).definition.knowledge
    assert [k.title for k in knowledge] == ["Opening hours", "Parking"]
    assert knowledge[1].document == "faq.md"


def test_a_call_records_the_version_and_versions_outlive_their_agent(store):
    with store.session.begin() as s:
        library.import_definition(s, definition())
        agent = s.scalar(select(Agent))
        version_id = library.published(s, agent.id).version_id
        campaign = Campaign(name="Spring", agent_id=agent.id)
        s.add(campaign)
        s.flush()
        contact = Contact(campaign_id=campaign.id, phone="+14155550100")
        s.add(contact)
        s.flush()
        s.add(
            Call(
                campaign_id=campaign.id,
                contact_id=contact.id,
                attempt=1,
                agent_version_id=version_id,
            )
        )
    with store.session.begin() as s:
        s.delete(s.scalar(select(Agent)))
    with store.session.begin() as s:
        call = s.scalar(select(Call))
        assert call.agent_version_id == version_id
        version = s.get(AgentVersion, version_id)
        assert version.agent_id is None and version.definition["name"] == "Clinic reminder"


def test_the_migration_adds_columns_without_rebuilding_calls(store):
    columns = {c["name"] for c in inspect(store.engine).get_columns("calls")}
    assert "agent_version_id" in columns
    with store.engine.connect() as conn:
        triggers = conn.execute(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls'")
        ).scalar()
    assert triggers > 0  # 0002's stats triggers survived the agent_versions migration
