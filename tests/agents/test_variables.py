"""A missing {{variable}}: the agent's fallback is spoken, and the contacts lacking a column
the agent uses are named before the campaign starts and after an import."""

from __future__ import annotations

from app.agents import library
from app.agents.definition import parse_definition
from app.agents.variables import campaign_variable_warnings, contact_columns_used
from app.store.campaigns import create_campaign
from app.store.models import Contact

from .conftest import ISSUE_EXAMPLE, definition, said, talk


def test_the_columns_used_leave_out_the_business_captures_and_fallbacks(example):
    # greeting: first_name; step: appointment_time; voicemail: callback_number (business)
    assert contact_columns_used(example) == {"first_name", "appointment_time"}
    with_fallback = definition(variables={"appointment_time": {"fallback": "your appointment"}})
    assert contact_columns_used(with_fallback) == {"first_name"}


def test_the_runtime_says_the_fallback_for_a_missing_or_empty_variable():
    agent = definition(variables={"appointment_time": {"fallback": "your appointment"}})
    for contact in ({"first_name": "Ana", "appointment_time": " "}, {"first_name": "Ana"}):
        conversation, _ = talk(agent, variables=contact)
        conversation.start()
        assert said(conversation.on_prompt("Hello?"))[-1] == (
            "Can you still make it on your appointment?"
        )


def test_a_variable_without_a_fallback_still_becomes_nothing(example):
    conversation, _ = talk(example, variables={"appointment_time": "Friday"})
    conversation.start()
    spoken = " ".join(said(conversation.on_prompt("Hello?")))
    assert "{{" not in spoken and spoken.startswith("Hi, this is Sunny")


def test_a_fallback_name_must_be_a_variable_name():
    data = {**ISSUE_EXAMPLE, "variables": {"not a name": {"fallback": "x"}}}
    try:
        parse_definition(data)
    except Exception as exc:
        assert "variables" in str(exc)
    else:
        raise AssertionError("a bad variable name was accepted")


def test_the_campaign_warning_names_the_column_and_how_many_lack_it(store):
    with store.session.begin() as session:
        library.import_definition(session, definition())
        campaign = create_campaign(
            session, "Reminders", caller_id="+15005550006", agent="Clinic reminder"
        )
        session.flush()
        for i, fields in enumerate([{"appointment_time": "Friday"}, {"appointment_time": ""}, {}]):
            session.add(
                Contact(
                    campaign_id=campaign.id,
                    phone=f"+1202555010{i}",
                    name=f"Ana {i}",
                    fields=fields,
                )
            )
        campaign_id = campaign.id
    with store.session() as session:
        warnings = campaign_variable_warnings(session, campaign_id)
    assert warnings == [
        "“Clinic reminder” says {{appointment_time}}, but 2 of 3 contacts lack it: the agent "
        "would say nothing there. Add the column to the list, or give the agent a fallback "
        "for it."
    ]
    with store.session.begin() as session:
        library.import_definition(
            session, definition(variables={"appointment_time": {"fallback": "your visit"}})
        )
    with store.session() as session:
        assert campaign_variable_warnings(session, campaign_id) == []
