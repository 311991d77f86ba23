"""Campaign queries and commands shared by the CLI, the GUI and the dialer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from app.domain.campaign_settings import CampaignSettings, SettingsError
from app.domain.names import InvalidName, check_name
from app.domain.phone import InvalidRegion, check_region
from app.domain.status import (
    LIVE_STATUSES,
    PAUSABLE_STATES,
    REDIAL_STATUSES,
    CampaignState,
    ContactStatus,
)
from app.store.agent_pins import pin_on_start
from app.store.counters import counters_maintained, read_counter_kind
from app.store.models import (
    Agent,
    Call,
    Campaign,
    Contact,
    DncEntry,
    PhoneNumber,
    TranscriptTurn,
)
from app.store.types import utcnow


class CampaignError(ValueError):
    """A campaign command that cannot be carried out; the message is for the user."""


@dataclass
class CampaignSummary:
    id: int
    name: str
    agent: str | None
    caller_id: str | None
    state: str
    concurrency: int
    per_minute: int
    start_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    next_attempt_at: datetime | None = None
    # Contacts in a final status with a next attempt set: a retry or a booked callback ahead.
    awaiting: int = 0
    settings: CampaignSettings = field(default_factory=CampaignSettings)
    region: str = "US"
    archived: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """Contacts finished with: a final status and nothing more planned."""
        final = sum(self.counts.get(s.value, 0) for s in ContactStatus if s.is_final)
        return final - self.awaiting


def status_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Contacts per status: from the trigger-kept counters where the database keeps them."""
    counts = {s.value: 0 for s in ContactStatus}
    if counters_maintained(session.get_bind()):
        # Only this kind: a long campaign also has thousands of the chart's bucket counters.
        counts.update(read_counter_kind(session, campaign_id, "contact_status"))
        return counts
    rows = session.execute(
        select(Contact.status, func.count())
        .where(Contact.campaign_id == campaign_id)
        .group_by(Contact.status)
    ).all()
    counts.update({status: n for status, n in rows})
    return counts


def summarize(session: Session, campaign: Campaign) -> CampaignSummary:
    next_attempt = session.scalar(
        select(func.min(Contact.next_attempt_at)).where(
            Contact.campaign_id == campaign.id, Contact.next_attempt_at.is_not(None)
        )
    )
    awaiting = session.scalar(
        select(func.count()).where(
            Contact.campaign_id == campaign.id,
            Contact.status.in_([s.value for s in ContactStatus if s.is_final]),
            Contact.next_attempt_at.is_not(None),
        )
    )
    return CampaignSummary(
        id=campaign.id,
        name=campaign.name,
        agent=campaign.agent.name if campaign.agent else None,
        caller_id=campaign.caller_id.e164 if campaign.caller_id else None,
        state=campaign.state,
        concurrency=campaign.concurrency,
        per_minute=campaign.per_minute,
        start_at=campaign.start_at,
        counts=status_counts(session, campaign.id),
        next_attempt_at=next_attempt,
        awaiting=awaiting or 0,
        settings=settings_of(campaign),
        region=campaign.region,
        archived=campaign.archived_at is not None,
    )


def list_campaigns(session: Session, *, archived: bool | None = None) -> list[CampaignSummary]:
    """Every campaign; archived=False only those not archived, True only the archived ones."""
    query = select(Campaign).order_by(Campaign.created_at, Campaign.id)
    if archived is not None:
        query = query.where(
            Campaign.archived_at.is_not(None) if archived else Campaign.archived_at.is_(None)
        )
    return [summarize(session, c) for c in session.scalars(query).all()]


def get_by_name(session: Session, name: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.name == name))
    if campaign is None:
        raise CampaignError(f"no campaign named {name!r}")
    return campaign


def get_by_id(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("this campaign no longer exists")
    return campaign


def summary_by_id(session: Session, campaign_id: int) -> CampaignSummary:
    return summarize(session, get_by_id(session, campaign_id))


def record_start_or_pause(session: Session, campaign_id: int, *, pausing: bool) -> str:
    """Record that the user started (or paused) a campaign while no dialer is up (it acts on
    the new state when it starts); returns the new state."""
    campaign = get_by_id(session, campaign_id)
    return pause_campaign(campaign) if pausing else start_campaign(session, campaign)


def campaign_region(session: Session, campaign_id: int) -> str:
    """The region numbers without a country code are read in, for imports."""
    return get_by_id(session, campaign_id).region


def ensure_caller_id(session: Session, e164: str) -> PhoneNumber:
    number = session.scalar(select(PhoneNumber).where(PhoneNumber.e164 == e164))
    if number is None:
        number = PhoneNumber(e164=e164, friendly_name=e164, kind="manual")
        session.add(number)
        session.flush()
    return number


class _Keep:
    """The value of an update argument that was not given: leave the column as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()


def settings_of(campaign: Campaign) -> CampaignSettings:
    return CampaignSettings(**{name: getattr(campaign, name) for name in CampaignSettings.names()})


def _checked(settings: CampaignSettings) -> CampaignSettings:
    try:
        return settings.validate()
    except SettingsError as exc:
        raise CampaignError(str(exc)) from exc


def _find_agent(session: Session, name: str | None) -> Agent | None:
    if not name:
        return None
    found = session.scalar(select(Agent).where(Agent.name == name))
    if found is None:
        raise CampaignError(f"no agent named {name!r}")
    return found


def _checked_name(name: str) -> str:
    try:
        return check_name(name, "campaign")
    except InvalidName as exc:
        raise CampaignError(str(exc)) from None


def _checked_region(region: str) -> str:
    try:
        return check_region(region)
    except InvalidRegion as exc:
        raise CampaignError(str(exc)) from None


def create_campaign(
    session: Session,
    name: str,
    *,
    caller_id: str | None = None,
    agent: str | None = None,
    start_at: datetime | None = None,
    region: str | None = None,
    **settings: int | str,
) -> Campaign:
    """Create a draft campaign. *settings* are CampaignSettings fields (concurrency, …); the
    ones not given take CampaignSettings' defaults, and all are validated."""
    name = _checked_name(name)
    if session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise CampaignError(f"a campaign named {name!r} already exists")
    checked = _checked(CampaignSettings(**settings))
    campaign = Campaign(name=name, start_at=start_at, **asdict(checked))
    if region:
        campaign.region = _checked_region(region)
    if caller_id:
        campaign.caller_id = ensure_caller_id(session, caller_id)
    campaign.agent = _find_agent(session, agent)
    session.add(campaign)
    session.flush()
    return campaign


def update_campaign(
    session: Session,
    campaign: Campaign,
    *,
    caller_id: str | None | _Keep = KEEP,
    agent: str | None | _Keep = KEEP,
    start_at: datetime | None | _Keep = KEEP,
    region: str | None = None,
    **changes: int | str,
) -> Campaign:
    """Change the given settings of *campaign*, with the same checks as create_campaign;
    what is not given stays. `agent=None` removes the agent, `caller_id=None` the caller-ID."""
    checked = _checked(CampaignSettings(**{**asdict(settings_of(campaign)), **changes}))
    if agent is not KEEP:
        new_agent = _find_agent(session, agent)
        if new_agent is not campaign.agent:
            campaign.agent_version_id = None  # another agent: pinned again at the next start
        campaign.agent = new_agent
    if caller_id is not KEEP:
        campaign.caller_id = ensure_caller_id(session, caller_id) if caller_id else None
    if start_at is not KEEP:
        campaign.start_at = start_at
    if region:
        campaign.region = _checked_region(region)
    for key, value in asdict(checked).items():
        if getattr(campaign, key) != value:
            setattr(campaign, key, value)
    session.flush()
    return campaign


def start_campaign(session: Session, campaign: Campaign, now: datetime | None = None) -> str:
    """Start (or resume) a campaign; one whose start time is ahead becomes scheduled."""
    now = now or utcnow()
    if campaign.state == CampaignState.COMPLETED and not has_dialable(session, campaign.id):
        raise CampaignError(f"campaign {campaign.name!r} has no contact left to call")
    if campaign.caller_id_id is None:
        raise CampaignError(f"campaign {campaign.name!r} has no caller-ID; pick one first")
    pin_on_start(session, campaign)
    if campaign.start_at is not None and campaign.start_at > now:
        campaign.state = CampaignState.SCHEDULED.value
    else:
        campaign.state = CampaignState.RUNNING.value
    return campaign.state


def pause_campaign(campaign: Campaign) -> str:
    if CampaignState(campaign.state).is_pausable:
        campaign.state = CampaignState.PAUSED.value
    return campaign.state


def _active_campaigns(session: Session) -> list[Campaign]:
    pausable = [state.value for state in PAUSABLE_STATES]
    query = select(Campaign).where(Campaign.state.in_(pausable)).order_by(Campaign.name)
    return list(session.scalars(query))


def active_campaign_names(session: Session) -> list[str]:
    """The running or scheduled campaigns, by name."""
    return [campaign.name for campaign in _active_campaigns(session)]


def pause_active_campaigns(session: Session) -> list[str]:
    """Pause every running or scheduled campaign (before calls change where they go); return
    their names."""
    campaigns = _active_campaigns(session)
    for campaign in campaigns:
        pause_campaign(campaign)
    return [campaign.name for campaign in campaigns]


def dialable_clause(max_attempts: int):
    """Queued, or waiting for a scheduled retry or callback, with attempts left and not on
    the DNC list."""
    retry_waiting = [s.value for s in REDIAL_STATUSES]
    return and_(
        or_(
            Contact.status == ContactStatus.QUEUED.value,
            and_(Contact.status.in_(retry_waiting), Contact.next_attempt_at.is_not(None)),
        ),
        Contact.attempts < max_attempts,
        ~exists().where(DncEntry.phone == Contact.phone),
    )


def has_dialable(session: Session, campaign_id: int) -> bool:
    """Anyone left to call, now or later (retries count only once they are scheduled)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return False
    found = session.scalar(
        select(Contact.id)
        .where(Contact.campaign_id == campaign_id, dialable_clause(campaign.max_attempts))
        .limit(1)
    )
    return found is not None


# -- archiving and deleting ----------------------------------------------------------------


@dataclass(frozen=True)
class CampaignContents:
    """What deleting a campaign loses, for the confirmation."""

    name: str
    contacts: int
    calls: int
    recordings: int
    live_calls: int


def campaign_contents(session: Session, campaign_id: int) -> CampaignContents:
    campaign = get_by_id(session, campaign_id)
    counts = status_counts(session, campaign_id)
    calls = session.scalar(select(func.count()).where(Call.campaign_id == campaign_id)) or 0
    recordings = (
        session.scalar(
            select(func.count()).where(
                Call.campaign_id == campaign_id, Call.recording_path.is_not(None)
            )
        )
        or 0
    )
    live = sum(counts.get(s.value, 0) for s in LIVE_STATUSES)
    return CampaignContents(campaign.name, sum(counts.values()), calls, recordings, live)


def archive_campaign(session: Session, campaign_id: int, *, archived: bool = True) -> None:
    """Archive (pause, and leave the list; everything is kept) or bring back a campaign."""
    campaign = get_by_id(session, campaign_id)
    if archived:
        pause_campaign(campaign)
        campaign.archived_at = campaign.archived_at or utcnow()
    else:
        campaign.archived_at = None


def delete_campaign(session: Session, campaign_id: int) -> list[str]:
    """Delete a campaign with its contacts, calls and transcripts; returns the paths of its
    recordings, for the caller to delete once the transaction has committed."""
    campaign = get_by_id(session, campaign_id)
    contents = campaign_contents(session, campaign_id)
    if contents.live_calls:
        raise CampaignError(
            f"{campaign.name!r} has {contents.live_calls:,} calls in progress; pause it and "
            "wait for them to end before deleting it"
        )
    recordings = list(
        session.scalars(
            select(Call.recording_path).where(
                Call.campaign_id == campaign_id, Call.recording_path.is_not(None)
            )
        )
    )
    session.execute(
        delete(TranscriptTurn).where(
            TranscriptTurn.call_id.in_(select(Call.id).where(Call.campaign_id == campaign_id))
        )
    )
    session.execute(delete(Call).where(Call.campaign_id == campaign_id))
    session.execute(delete(Contact).where(Contact.campaign_id == campaign_id))
    session.delete(campaign)
    session.flush()
    return recordings
