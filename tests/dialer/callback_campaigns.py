"""A campaign run end to end through `open_services` and the embedded emulator: the agent on
ConversationRelay, and the emulator's status/recording/AMD callbacks posted to the app's
own server (or, with *polled*, a dialer that follows every call by polling instead)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from app.agents.definition import parse_definition
from app.agents.library import import_definition
from app.dialer import DialerService
from app.paths import agent_templates_dir, recordings_dir
from app.services import EMULATOR_SPEED_ENV, choose_connection, open_services
from app.settings import set_setting
from app.store.campaigns import create_campaign
from app.store.models import Call, Contact, PhoneNumber

CALLER_ID = "+15005550006"
CALL_FETCH = "GET /2010-04-01/Accounts/{account}/Calls/{sid}.json"
POLL_S = 0.05


def reminder_campaign(
    store, monkeypatch, phones: list[str], name: str = "Reminders", **settings
) -> int:
    """A running campaign of the appointment-reminder agent (added with the first one)."""
    monkeypatch.setenv(EMULATOR_SPEED_ENV, "10")
    definition = parse_definition((agent_templates_dir() / "appointment-reminder.json").read_text())
    with store.session.begin() as session:
        if session.scalar(select(PhoneNumber.id)) is None:
            set_setting(session, "poll_interval_s", POLL_S)
            session.add(PhoneNumber(e164=CALLER_ID, kind="owned", verified=True))
            import_definition(session, definition)
        campaign = create_campaign(
            session,
            name,
            caller_id=CALLER_ID,
            agent=definition.name,
            concurrency=len(phones),
            per_minute=600,
            window_start="00:00",
            window_end="24:00",
            window_days="mon,tue,wed,thu,fri,sat,sun",
            **settings,
        )
        campaign.state = "running"
        fields = {"first_name": "Ana", "pet_name": "Biscuit", "appointment_time": "Friday at 4 pm"}
        for phone in phones:
            session.add(Contact(campaign_id=campaign.id, phone=phone, name="Ana", fields=fields))
    return campaign.id


def run_campaign(store, expected_calls: int, *, polled: bool = False):
    """Run until *expected_calls* calls ended with their results; the emulator's account
    (its calls and request counts) and the dialer's call-updates sentence."""

    def over() -> bool:
        with store.session() as session:
            calls = session.scalars(select(Call)).all()
        return len(calls) >= expected_calls and all(
            c.ended_at is not None and c.recording_state not in (None, "pending") for c in calls
        )

    async def go():
        services = await open_services(store, choose_connection(store, True))
        if polled:  # the same wiring, minus the callbacks: every call is polled
            services.dialer = DialerService(
                store,
                services.provider,
                recordings_dir=Path(recordings_dir(store.home)),
                poll_interval_s=POLL_S,
                simulated=True,
                agent_calls=services.dialer._context.agent_calls,
            )
            services.relay.on_result = services.dialer.store_agent_result
            services.relay.answered_by = None
        try:
            await services.dialer.start()
            for _ in range(600):
                if over():
                    server = services.emulator.emulator.server
                    return server, services.dialer.call_updates()
                await asyncio.sleep(0.1)
            raise AssertionError("the calls did not all end within 60 s")
        finally:
            await services.close()

    return asyncio.run(go())


def calls_by_phone(store) -> dict[str, Call]:
    with store.session() as session:
        rows = session.execute(select(Contact.phone, Call).join(Call.contact)).all()
        for _, call in rows:
            call.turns  # noqa: B018 - loaded before the session closes
        return {phone: call for phone, call in rows}
