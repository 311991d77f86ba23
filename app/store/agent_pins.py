"""Which published agent version a campaign's calls use (campaigns.agent_version_id).

A campaign is pinned to its agent's newest published version when it first starts and keeps
it, however often the agent is published again, until the supervisor moves it
(`move_to_newest`). An unpinned campaign (never started) uses the newest version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.status import CampaignState
from app.store.models import AgentVersion, Campaign


@dataclass(frozen=True)
class VersionPin:
    """A campaign's agent version and the newest one its agent has (numbers, not ids)."""

    campaign_id: int
    running: bool  # the campaign is dialling (or scheduled to): a move changes live calls
    pinned_id: int | None
    pinned: int | None
    newest_id: int | None
    newest: int | None

    @property
    def newer_available(self) -> bool:
        return self.pinned_id is not None and self.newest_id not in (None, self.pinned_id)


def newest_version(session: Session, agent_id: int | None) -> AgentVersion | None:
    if agent_id is None:
        return None
    return session.scalar(
        select(AgentVersion)
        .where(AgentVersion.agent_id == agent_id)
        .order_by(AgentVersion.version.desc())
        .limit(1)
    )


def pin_on_start(session: Session, campaign: Campaign) -> None:
    """A campaign's first start fixes the version it uses (a later start keeps it)."""
    if campaign.agent_version_id is None:
        newest = newest_version(session, campaign.agent_id)
        campaign.agent_version_id = newest.id if newest else None


def version_id_for_calls(
    session: Session, campaign_id: int | None, agent_id: int | None
) -> int | None:
    """The version a call of the campaign uses: its pinned one, else the agent's newest."""
    campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
    # A campaign whose agent was deleted keeps no pin to that agent's versions.
    if campaign is not None and campaign.agent_id is not None and campaign.agent_version_id:
        return campaign.agent_version_id
    newest = newest_version(session, agent_id)
    return newest.id if newest else None


def version_pin(session: Session, campaign_id: int) -> VersionPin:
    campaign = session.get_one(Campaign, campaign_id)
    pinned = (
        session.get(AgentVersion, campaign.agent_version_id) if campaign.agent_version_id else None
    )
    newest = newest_version(session, campaign.agent_id)
    return VersionPin(
        campaign_id,
        CampaignState(campaign.state).is_pausable,
        pinned.id if pinned else None,
        pinned.version if pinned else None,
        newest.id if newest else None,
        newest.version if newest else None,
    )


def move_to_newest(session: Session, campaign_id: int) -> int | None:
    """Move the campaign to its agent's newest published version; that version's number."""
    campaign = session.get_one(Campaign, campaign_id)
    newest = newest_version(session, campaign.agent_id)
    campaign.agent_version_id = newest.id if newest else None
    session.flush()
    return newest.version if newest else None
