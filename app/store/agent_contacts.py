"""Real contacts to try an agent with (the Agents page's Try it pane): the campaigns that use
the agent, and a sample of each one's contacts with their variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models import Campaign, Contact

CONTACTS_SHOWN = 200  # a picker, not a browser: the first ones are enough to try with


@dataclass(frozen=True)
class ContactChoice:
    id: int
    name: str
    phone: str
    fields: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.phone})" if self.name else self.phone


def campaigns_using(session: Session, agent_id: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Campaign.id, Campaign.name)
        .where(Campaign.agent_id == agent_id, Campaign.archived_at.is_(None))
        .order_by(Campaign.name)
    )
    return [(row.id, row.name) for row in rows]


def contact_choices(
    session: Session, campaign_id: int, limit: int = CONTACTS_SHOWN
) -> list[ContactChoice]:
    rows = session.scalars(
        select(Contact).where(Contact.campaign_id == campaign_id).order_by(Contact.id).limit(limit)
    )
    return [ContactChoice(c.id, c.name, c.phone, dict(c.fields or {})) for c in rows]
