"""A demo workspace: an agent, a caller-ID and two campaigns, ready to dial the emulator."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.paths import agent_templates_dir, data_home
from app.store.campaigns import create_campaign
from app.store.engine import Store
from app.store.models import Call, Campaign, Contact, PhoneNumber

# Twilio's magic "From" that test credentials accept; the emulator honours it too.
DEMO_CALLER_ID = "+15005550006"
DEMO_AGENT = "Appointment reminder"
EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"
# The smoke test's calls: all answered by a person (the emulator: To ending in 0-4), so each
# one leaves a recording.
SMOKE_TEST_CONTACTS = 3

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Iris",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
]
LAST = ["Silva", "Okafor", "Martin", "Nguyen", "Kowalski", "Haddad", "Schmidt", "Rossi", "Kim"]
COMPANIES = ["Acme Dental", "Blue Harbor Cafe", "Cedar Law", "Delta Fitness", "Evergreen Vets"]
PETS = ["Biscuit", "Luna", "Max", "Pepper", "Milo", "Daisy"]
TIMES = ["Wednesday at 3 pm", "Thursday at 10 am", "Friday at 4:30 pm", "Monday at 9 am"]
# Each demo campaign, with the agent template (resources/agents) that handles its calls.
CAMPAIGNS = (
    ("Spring reminders", "appointment-reminder.json", 36, 3, 30),
    ("Lapsed customers", "lead-qualification.json", 24, 2, 20),
)
AREA_CODES = ["201", "202", "212", "312", "415", "617", "650", "702"]


def demo_home() -> Path:
    return data_home() / "demo"


def _contacts(rng: random.Random, count: int) -> list[dict]:
    contacts = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # The last digit picks the emulator's outcome; cycle through all of them.
        phone = f"+1{rng.choice(AREA_CODES)}555{1000 + i * 10 + i % 10:04d}"
        fields = {
            "first_name": first,
            "company": rng.choice(COMPANIES),
            "pet_name": rng.choice(PETS),
            "appointment_time": rng.choice(TIMES),
            "email": f"{first.lower()}.{last.lower()}@example.com",
        }
        contacts.append({"phone": phone, "name": f"{first} {last}", "fields": fields})
    return contacts


def seed_demo(store: Store) -> bool:
    """Seed once; returns False when the workspace already has campaigns."""
    from app.agents.definition import parse_definition
    from app.agents.library import import_definition

    rng = random.Random(7)
    with store.session.begin() as session:
        if session.scalar(select(Campaign.id).limit(1)) is not None:
            return False
        session.add(
            PhoneNumber(e164=DEMO_CALLER_ID, friendly_name="Demo line", kind="owned", verified=True)
        )
        for name, template, count, concurrency, per_minute in CAMPAIGNS:
            definition = parse_definition((agent_templates_dir() / template).read_text("utf-8"))
            import_definition(session, definition)
            campaign = create_campaign(
                session,
                name,
                caller_id=DEMO_CALLER_ID,
                agent=definition.name,
                concurrency=concurrency,
                per_minute=per_minute,
                window_start="00:00",
                window_end="24:00",
                window_days=EVERY_DAY,
                retry_delay_min=1,
            )
            for row in _contacts(rng, count):
                session.add(Contact(campaign_id=campaign.id, **row))
    return True


def add_smoke_test_campaign(store: Store) -> int:
    """A small campaign `calldeck demo --smoke-test` runs to its end: one attempt per contact,
    every call at once. Its name carries the time, so each run adds its own."""
    with store.session.begin() as session:
        campaign = create_campaign(
            session,
            f"Smoke test {datetime.now():%Y-%m-%d %H:%M:%S}",
            caller_id=DEMO_CALLER_ID,
            agent=DEMO_AGENT,
            concurrency=SMOKE_TEST_CONTACTS,
            per_minute=60_000,
            max_attempts=1,
            window_start="00:00",
            window_end="24:00",
            window_days=EVERY_DAY,
        )
        for i in range(SMOKE_TEST_CONTACTS):
            session.add(
                Contact(
                    campaign_id=campaign.id,
                    phone=f"+1415555{2000 + i}",
                    name=f"Tester {i}",
                    fields={
                        "first_name": f"Tester {i}",
                        "pet_name": "Biscuit",
                        "appointment_time": "Friday at 4 pm",
                    },
                )
            )
        return campaign.id


def recording_files(store: Store, campaign_id: int) -> list[Path]:
    """The downloaded recordings of a campaign's calls."""
    with store.session() as session:
        paths = session.scalars(
            select(Call.recording_path).where(
                Call.campaign_id == campaign_id, Call.recording_path.is_not(None)
            )
        )
        return [Path(p) for p in paths]
