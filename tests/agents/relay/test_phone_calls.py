"""The agent on the phone, end to end: the real dialer places calls through the real twilio
SDK to the embedded emulator, whose callee personas talk to the agent over a real
ConversationRelay websocket; what each call came to lands in the database."""

from __future__ import annotations

import asyncio
import json
import wave

import pytest
from sqlalchemy import select

from app.agents.definition import parse_definition
from app.agents.library import import_definition
from app.paths import agent_templates_dir
from app.services import EMULATOR_SPEED_ENV, choose_connection, open_services
from app.settings import set_setting
from app.store.campaigns import create_campaign
from app.store.models import AgentVersion, Call, Contact, DncEntry, PhoneNumber
from app.telephony.emulator.outcomes import persona_for

CALLER_ID = "+15005550006"
# One number per persona (the emulator's table: the tens digit picks the person, a last
# digit 5 is a voicemail and 9 an opt-out).
PERSONAS = {
    "+12125550100": "cooperative",
    "+12125550110": "knowledge_question",
    "+12125550120": "unknown_question",
    "+12125550130": "busy_callback",
    "+12125550140": "not_interested",
    "+12125550150": "robot_question",
    "+12125550160": "silent",
    "+12125550170": "interrupter",
    "+12125550180": "digits",
    "+12125550190": "wants_person",
    "+12125550105": "voicemail",
    "+12125550109": "opt_out",
}


@pytest.fixture
def campaign(store, monkeypatch):
    # Fast, but slow enough that a loaded machine keeps the callee's "hello" inside the
    # agent's two-second wait (at 10x, 130 ms of wall time to spare).
    monkeypatch.setenv(EMULATOR_SPEED_ENV, "10")
    definition = parse_definition((agent_templates_dir() / "appointment-reminder.json").read_text())
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
        session.add(PhoneNumber(e164=CALLER_ID, kind="owned", verified=True))
        import_definition(session, definition)
        campaign = create_campaign(
            session,
            "Reminders",
            caller_id=CALLER_ID,
            agent=definition.name,
            concurrency=len(PERSONAS),
            per_minute=600,
            max_attempts=2,
            window_start="00:00",
            window_end="24:00",
            window_days="mon,tue,wed,thu,fri,sat,sun",
        )
        campaign.state = "running"
        for phone in PERSONAS:
            fields = {
                "first_name": "Ana",
                "pet_name": "Biscuit",
                "appointment_time": "Friday at 4 pm",
            }
            session.add(
                Contact(campaign_id=campaign.id, phone=phone, name="Ana Silva", fields=fields)
            )
    return campaign.id


def run_until_every_call_is_over(store, expected: int = len(PERSONAS)) -> None:
    """Until each contact's first call has ended with its results stored (the campaign itself
    stays running: a callback was booked for tomorrow)."""

    def over() -> bool:
        with store.session() as session:
            calls = session.scalars(select(Call)).all()
        return len(calls) == expected and all(
            c.ended_at is not None and c.recording_state not in (None, "pending") for c in calls
        )

    async def go() -> None:
        services = await open_services(store, choose_connection(store, True))
        try:
            await services.dialer.start()
            for _ in range(900):
                if over():
                    return
                await asyncio.sleep(0.1)
            raise AssertionError("the calls did not all end within 90 s")
        finally:
            await services.close()

    asyncio.run(go())


def calls_by_persona(store) -> dict[str, Call]:
    with store.session() as session:
        rows = session.execute(select(Contact.phone, Call).join(Call.contact)).all()
        for _, call in rows:
            call.turns  # noqa: B018 - loaded before the session closes
        return {PERSONAS[phone]: call for phone, call in rows}


def transcript(call: Call) -> str:
    return "\n".join(f"{t.offset_s:6.1f} {t.speaker}: {t.text}" for t in call.turns)


def test_every_call_is_handled_by_the_agent_and_lands_in_results(store, campaign):
    assert {p: persona_for(n, {}).name for n, p in PERSONAS.items()} == {
        p: p for p in PERSONAS.values()
    }
    run_until_every_call_is_over(store)
    calls = calls_by_persona(store)
    assert set(calls) == set(PERSONAS.values())
    with store.session() as session:
        version = session.scalar(select(AgentVersion.id))
        dnc = {e.phone: e.reason for e in session.scalars(select(DncEntry))}
        contacts = {c.phone: c for c in session.scalars(select(Contact))}

    for persona, call in calls.items():
        persona = f"{persona}: {call.outcome} {call.step_path}\n{transcript(call)}"
        assert call.agent_version_id == version, persona
        assert call.outcome is not None and call.summary, persona
        assert call.transcript_state == "done", persona
        speakers = {t.speaker for t in call.turns}
        assert "agent" in speakers, persona
        assert call.recording_state == "downloaded", (persona, call.recording_state)
        with wave.open(call.recording_path) as recording:
            assert recording.getnchannels() == 2, persona  # <Start><Recording channels="dual">

    cooperative = calls["cooperative"]
    assert cooperative.outcome == "completed", transcript(cooperative)
    assert cooperative.agent_fields == {"confirmed": True}
    assert cooperative.suggested_disposition == "Interested"
    assert cooperative.step_path == ["confirm", "confirmed"]

    knowledge = calls["knowledge_question"]
    assert "We are open Monday to Friday" in transcript(knowledge), transcript(knowledge)

    interrupted = calls["interrupter"]
    heard = [t.text for t in interrupted.turns if t.speaker == "agent"][1]
    assert "I'm calling to confirm".startswith(heard) or heard.startswith("I'm"), heard
    assert "Sunny" in transcript(interrupted).split("who is this?")[1]  # who is calling

    callback = calls["busy_callback"]
    assert callback.outcome == "callback", transcript(callback)
    assert callback.callback_at is not None
    assert contacts["+12125550130"].next_attempt_at == callback.callback_at  # booked

    unknown = transcript(calls["unknown_question"])
    assert "I don't have that information, but Evergreen Vets can help" in unknown, unknown
    assert "Can you still make it" in unknown.split("I don't have that information")[1]  # resumed

    assert calls["not_interested"].outcome != "dnc"  # "no thanks" is not an opt-out
    robot = transcript(calls["robot_question"])
    assert "I'm an automated assistant calling for Evergreen Vets, not a person." in robot, robot
    assert calls["digits"].agent_fields == {"confirmed": True}, transcript(calls["digits"])
    person = transcript(calls["wants_person"])  # no transfer tool: a callback is offered
    assert "someone from Evergreen Vets can call you back" in person, person

    assert calls["silent"].outcome == "voicemail_left"  # probe, silence, then the message
    assert calls["voicemail"].outcome == "voicemail_left"
    message = calls["voicemail"].turns[-1].text
    assert "call us back at one, five zero zero" in message

    opt_out = calls["opt_out"]
    assert opt_out.outcome == "dnc", transcript(opt_out)
    assert opt_out.dnc_evidence.startswith("Please take me off")
    assert opt_out.dnc_offset_s > 0
    assert "take me off your list" in dnc["+12125550109"] and " at 0:" in dnc["+12125550109"]
    assert set(dnc) == {"+12125550109"}  # "no thanks" and the rest are not opt-outs


@pytest.mark.parametrize(
    ("advisor", "outcome", "said"),
    [
        ("+15005550010", "transferred", "let me connect you"),  # the advisor answers
        ("+15005550016", None, "nobody is available"),  # nobody answers: back to the agent
    ],
)
def test_a_person_asked_for_is_dialled_and_a_transfer_nobody_takes_comes_back(
    store, monkeypatch, advisor, outcome, said
):
    monkeypatch.setenv(EMULATOR_SPEED_ENV, "10")
    data = json.loads((agent_templates_dir() / "lead-qualification.json").read_text())
    data["tools"][0]["number"] = advisor
    definition = parse_definition(data)
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
        session.add(PhoneNumber(e164=CALLER_ID, kind="owned", verified=True))
        import_definition(session, definition)
        campaign = create_campaign(
            session,
            "Leads",
            caller_id=CALLER_ID,
            agent=definition.name,
            max_attempts=1,
            window_start="00:00",
            window_end="24:00",
            window_days="mon,tue,wed,thu,fri,sat,sun",
        )
        campaign.state = "running"
        session.add(
            Contact(
                campaign_id=campaign.id,
                phone="+12125550190",  # wants a person
                name="Ana Silva",
                fields={"first_name": "Ana"},
            )
        )
    run_until_every_call_is_over(store, expected=1)
    with store.session() as session:
        call = session.scalars(select(Call)).one()
        call.turns  # noqa: B018
    text = transcript(call)
    assert said in text.lower(), text
    if outcome == "transferred":
        assert call.outcome == "transferred" and call.suggested_disposition == "Interested"
    else:
        assert call.outcome != "transferred", text
        assert "consultation" in call.step_path, call.step_path  # the transfer's fallback step
