"""What the scheduler reads: campaign plans and each campaign's dialable contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.pacing import Limits
from app.domain.status import LIVE_STATUSES, CampaignState, ContactStatus
from app.domain.windows import CallingWindow, window_for
from app.store.campaigns import dialable_clause
from app.store.models import Agent, Call, Campaign, Contact, PhoneNumber


@dataclass(frozen=True)
class CampaignPlan:
    """What the dialer needs to know about a campaign, read once per settings change."""

    id: int
    name: str
    state: str
    limits: Limits
    window: CallingWindow
    max_attempts: int
    retry_delay_min: int
    start_at: datetime | None
    caller_id: str | None
    greeting: str  # the agent's opening line, with {{variables}} filled per contact
    region: str
    agent_id: int | None = None
    voicemail_mode: str = "no_detection"  # see app.domain.campaign_settings.VOICEMAIL_MODES
    voicemail_max_attempts: int = 1
    voicemail_retry_delay_min: int = 0


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    phone: str
    due_at: datetime | None
    status: str = ContactStatus.QUEUED.value
    attempts: int = 0


# Built once: the dialer re-reads its plans every few seconds.
_ACTIVE_PLANS = (
    select(
        Campaign.id,
        Campaign.name,
        Campaign.state,
        Campaign.concurrency,
        Campaign.per_minute,
        Campaign.window_start,
        Campaign.window_end,
        Campaign.window_days,
        Campaign.max_attempts,
        Campaign.retry_delay_min,
        Campaign.start_at,
        PhoneNumber.e164,
        Agent.greeting,
        Campaign.agent_id,
        Campaign.region,
        Campaign.voicemail_mode,
        Campaign.voicemail_max_attempts,
        Campaign.voicemail_retry_delay_min,
    )
    .outerjoin(PhoneNumber, PhoneNumber.id == Campaign.caller_id_id)
    .outerjoin(Agent, Agent.id == Campaign.agent_id)
    .where(Campaign.state.in_((CampaignState.RUNNING.value, CampaignState.SCHEDULED.value)))
)


def active_plans(session: Session) -> dict[int, CampaignPlan]:
    """Campaigns the dialer cares about: running ones and scheduled ones, in one query
    (loading the ORM objects with their agent and caller-ID cost ~10x more)."""
    rows = session.execute(_ACTIVE_PLANS)
    return {
        row.id: CampaignPlan(
            id=row.id,
            name=row.name,
            state=row.state,
            limits=Limits(max(1, row.concurrency or 1), max(1, row.per_minute or 1)),
            window=window_for(row.window_start, row.window_end, row.window_days),
            max_attempts=row.max_attempts,
            retry_delay_min=row.retry_delay_min,
            start_at=row.start_at,
            caller_id=row.e164,
            greeting=row.greeting or "",
            agent_id=row.agent_id,
            region=row.region or "US",
            voicemail_mode=row.voicemail_mode,
            voicemail_max_attempts=row.voicemail_max_attempts,
            voicemail_retry_delay_min=row.voicemail_retry_delay_min,
        )
        for row in rows
    }


def dialable_candidates(session: Session, plan: CampaignPlan) -> list[Candidate]:
    rows = session.execute(
        select(Contact.id, Contact.phone, Contact.next_attempt_at, Contact.status, Contact.attempts)
        .where(Contact.campaign_id == plan.id, dialable_clause(plan.max_attempts))
        .order_by(Contact.id)
    ).all()
    return [Candidate(*row) for row in rows]


def has_live_calls(session: Session, campaign_id: int) -> bool:
    found = session.scalar(
        select(Call.id)
        .where(Call.campaign_id == campaign_id, Call.status.in_(LIVE_STATUSES))
        .limit(1)
    )
    return found is not None


def campaign_state(session: Session, campaign_id: int) -> str | None:
    return session.scalar(select(Campaign.state).where(Campaign.id == campaign_id))
