"""The templates the Agents page's panes are tried with (resources/agents/*.json)."""

from __future__ import annotations

from pathlib import Path

from app.agents.definition import AgentDefinition, parse_definition

TEMPLATES = Path(__file__).resolve().parents[2] / "resources" / "agents"
CONTACT = {"first_name": "Ada", "pet_name": "Rex", "appointment_time": "Friday at 10 am"}


def template(name: str = "appointment-reminder") -> AgentDefinition:
    return parse_definition((TEMPLATES / f"{name}.json").read_text(encoding="utf-8"))


def seed_agent_campaign(store, *, campaign: str = "Reminders") -> dict[str, int]:
    """The reminder agent, published once; a campaign using it; a contact; one call it
    handled (the callee said hello and opted out). The ids, by name."""
    from app.agents import library
    from app.store.campaigns import create_campaign
    from app.store.models import Call, Contact, TranscriptTurn

    with store.session.begin() as session:
        library.import_definition(session, template())
        published = library.published(session, library.list_agents(session)[0].id)
        made = create_campaign(
            session, campaign, caller_id="+15005550006", agent="Appointment reminder"
        )
        contact = Contact(
            campaign_id=made.id,
            phone="+12025550101",
            name="Ada Lovelace",
            fields={"pet_name": "Rex", "appointment_time": "Friday at 10 am"},
        )
        session.add(contact)
        session.flush()
        call = Call(
            campaign_id=made.id,
            contact_id=contact.id,
            attempt=1,
            status="completed",
            agent_version_id=published.version_id,
            outcome="dnc",
        )
        session.add(call)
        session.flush()
        session.add_all(
            [
                TranscriptTurn(call_id=call.id, speaker="callee", text="Hello?", offset_s=0.5),
                TranscriptTurn(call_id=call.id, speaker="agent", text="Hi Ada", offset_s=1.0),
                TranscriptTurn(
                    call_id=call.id, speaker="callee", text="Stop calling me", offset_s=4.0
                ),
            ]
        )
        return {
            "agent": made.agent_id,
            "campaign": made.id,
            "contact": contact.id,
            "call": call.id,
            "version": published.version_id,
        }


def publish_edit(store, greeting_suffix: str = " Thanks!") -> int:
    """Publish a changed draft of the reminder; the new version's number."""
    from app.agents import library

    with store.session.begin() as session:
        current = library.draft(session, "Appointment reminder")
        data = current.to_json()
        data["opening"]["greeting"] += greeting_suffix
        library.save_draft(session, parse_definition(data))
        return library.publish(session, "Appointment reminder")
