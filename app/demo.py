"""A demo workspace: an agent, a caller-ID and two campaigns, ready to dial the emulator."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.paths import data_home
from app.store.campaigns import create_campaign
from app.store.engine import Store
from app.store.models import Agent, Call, Campaign, Contact, PhoneNumber

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
AREA_CODES = ["201", "202", "212", "312", "415", "617", "650", "702"]


def demo_home() -> Path:
    return data_home() / "demo"


def _contacts(rng: random.Random, count: int) -> list[dict]:
    contacts = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # The last digit picks the emulator's outcome; cycle through all of them.
        phone = f"+1{rng.choice(AREA_CODES)}555{1000 + i * 10 + i % 10:04d}"
        contacts.append(
            {
                "phone": phone,
                "name": f"{first} {last}",
                "fields": {"first_name": first, "company": rng.choice(COMPANIES)},
            }
        )
    return contacts


def seed_demo(store: Store) -> bool:
    """Seed once; returns False when the workspace already has campaigns."""
    rng = random.Random(7)
    with store.session.begin() as session:
        if session.scalar(select(Campaign.id).limit(1)) is not None:
            return False
        agent = Agent(
            name=DEMO_AGENT,
            greeting="Hi {{first_name}}, this is Sunny from {{company}}.",
            business_info="Sunny calls patients to confirm tomorrow's appointment.",
            knowledge_base="Opening hours: Mon-Fri 8-18. Parking behind the building.",
            tools=["reschedule", "cancel"],
            flow={"steps": ["greet", "confirm", "offer_reschedule", "goodbye"]},
        )
        session.add(agent)
        session.add(
            PhoneNumber(e164=DEMO_CALLER_ID, friendly_name="Demo line", kind="owned", verified=True)
        )
        session.flush()
        for name, count, concurrency, per_minute in (
            ("Spring reminders", 36, 3, 30),
            ("Lapsed customers", 24, 2, 20),
        ):
            campaign = create_campaign(
                session,
                name,
                caller_id=DEMO_CALLER_ID,
                agent=agent.name,
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
                Contact(campaign_id=campaign.id, phone=f"+1415555{2000 + i}", name=f"Tester {i}")
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
