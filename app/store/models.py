"""The tables. Statuses are stored as their string values (see app.domain.status)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.domain.campaign_settings import DEFAULTS
from app.domain.status import CampaignState, ContactStatus
from app.domain.team_defaults import DEFAULT_DISPOSITIONS
from app.store.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    greeting: Mapped[str] = mapped_column(Text, default="")
    business_info: Mapped[str] = mapped_column(Text, default="")
    knowledge_base: Mapped[str] = mapped_column(Text, default="")
    tools: Mapped[list[str]] = mapped_column(default=list)
    flow: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The draft agent definition (app.agents.definition); campaigns use a published version.
    definition: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentVersion(Base):
    """A published, frozen agent definition (migration agent_versions); each Call records the one it used.

    Versions outlive their agent (agent_id becomes NULL): a call's record of what handled it
    stays whole, and calls.agent_version_id needs no ON DELETE rule."""

    __tablename__ = "agent_versions"
    __table_args__ = (UniqueConstraint("agent_id", "version", name="uq_agent_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentScenario(Base):
    """One of an agent's tests (app.agents.scenarios' format; migration 0009)."""

    __tablename__ = "agent_scenarios"
    __table_args__ = (UniqueConstraint("agent_id", "name", name="uq_agent_scenarios_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PhoneNumber(Base):
    """A caller-ID: a number the account owns, or one it has verified."""

    __tablename__ = "phone_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    friendly_name: Mapped[str] = mapped_column(String(200), default="")
    provider_sid: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="owned")  # owned | verified | manual
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    caller_id_id: Mapped[int | None] = mapped_column(
        ForeignKey("phone_numbers.id", ondelete="SET NULL")
    )
    # The dialling settings: defaults and checks in app.domain.campaign_settings; write them
    # with app.store.campaigns.create_campaign / update_campaign, which validate them.
    concurrency: Mapped[int] = mapped_column(Integer, default=DEFAULTS.concurrency)
    per_minute: Mapped[int] = mapped_column(Integer, default=DEFAULTS.per_minute)
    max_attempts: Mapped[int] = mapped_column(Integer, default=DEFAULTS.max_attempts)
    retry_delay_min: Mapped[int] = mapped_column(Integer, default=DEFAULTS.retry_delay_min)
    start_at: Mapped[datetime | None] = mapped_column()
    window_start: Mapped[str] = mapped_column(String(5), default=DEFAULTS.window_start)
    window_end: Mapped[str] = mapped_column(String(5), default=DEFAULTS.window_end)
    window_days: Mapped[str] = mapped_column(String(40), default=DEFAULTS.window_days)
    # What a machine-answered call does, and its own retry rule (migration 0010).
    voicemail_mode: Mapped[str] = mapped_column(String(16), default=DEFAULTS.voicemail_mode)
    voicemail_max_attempts: Mapped[int] = mapped_column(
        Integer, default=DEFAULTS.voicemail_max_attempts
    )
    voicemail_retry_delay_min: Mapped[int] = mapped_column(
        Integer, default=DEFAULTS.voicemail_retry_delay_min
    )
    region: Mapped[str] = mapped_column(String(2), default="US")
    dispositions: Mapped[list[str]] = mapped_column(default=lambda: list(DEFAULT_DISPOSITIONS))
    state: Mapped[str] = mapped_column(String(16), default=CampaignState.DRAFT.value)
    # The published agent version its calls use: pinned at the first start, moved only by
    # the supervisor (migration 0009); None: the agent's newest published version.
    agent_version_id: Mapped[int | None] = mapped_column(ForeignKey("agent_versions.id"))
    # Archived: paused and out of the campaigns list, its results kept (migration 0007).
    archived_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agent: Mapped[Agent | None] = relationship()
    caller_id: Mapped[PhoneNumber | None] = relationship()


class ContactImport(Base):
    """One import into a campaign (a file, or pasted numbers): a whole one can be removed."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(300))  # the file's name, or "pasted numbers"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("campaign_id", "phone", name="uq_contacts_campaign_phone"),
        # The dialer's claim query: due contacts of a campaign in a status.
        Index("ix_contacts_claim", "campaign_id", "status", "next_attempt_at"),
        Index("ix_contacts_import", "import_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    # Digits to send once the call is answered ("x12" in the list); migration 0007.
    extension: Mapped[str | None] = mapped_column(String(16))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ContactStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Call(Base):
    """One dial attempt. Created (status "calling") in the claim transaction, before the dial."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("contact_id", "attempt", name="uq_calls_contact_attempt"),
        Index("ix_calls_campaign_ended", "campaign_id", "ended_at"),
        Index("ix_calls_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    provider_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    from_number: Mapped[str | None] = mapped_column(String(20))  # E.164 caller-ID used
    # Placed through the emulator (demo mode): its outcome, recording and transcript are made up.
    simulated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), default=ContactStatus.CALLING.value)
    provider_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    duration_s: Mapped[int | None] = mapped_column(Integer)
    answered_by: Mapped[str | None] = mapped_column(String(32))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_path: Mapped[str | None] = mapped_column(Text)
    # pending | downloaded | none | unavailable: <reason>
    recording_state: Mapped[str | None] = mapped_column(String(200))
    transcript_state: Mapped[str | None] = mapped_column(String(200))
    disposition: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_by: Mapped[str | None] = mapped_column(String(100))
    notes_at: Mapped[datetime | None] = mapped_column()
    disposition_by: Mapped[str | None] = mapped_column(String(100))
    disposition_at: Mapped[datetime | None] = mapped_column()
    # A seat's edit is a compare-and-set on this (app.results.edits; migration 0012).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The published agent version that handled the call (app.agents.library).
    agent_version_id: Mapped[int | None] = mapped_column(ForeignKey("agent_versions.id"))
    # What the agent made of the call (app.agents.actions.CallResult; migration 0006).
    outcome: Mapped[str | None] = mapped_column(String(20))
    agent_fields: Mapped[dict[str, Any] | None] = mapped_column()
    step_path: Mapped[list[str] | None] = mapped_column()
    summary: Mapped[str | None] = mapped_column(Text)
    suggested_disposition: Mapped[str | None] = mapped_column(String(64))
    dnc_evidence: Mapped[str | None] = mapped_column(Text)  # the callee's own words
    dnc_offset_s: Mapped[float | None] = mapped_column(Float)  # when, in call seconds
    callback_at: Mapped[datetime | None] = mapped_column()  # the agreed time to call back

    contact: Mapped[Contact] = relationship()
    turns: Mapped[list[TranscriptTurn]] = relationship(
        order_by="TranscriptTurn.offset_s", cascade="all, delete-orphan"
    )


class TranscriptTurn(Base):
    __tablename__ = "transcript_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(16))  # agent | callee
    text: Mapped[str] = mapped_column(Text)
    offset_s: Mapped[float] = mapped_column(Float, default=0.0)


class DncEntry(Base):
    __tablename__ = "dnc"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(
        String(32), default="manual"
    )  # manual|import|call|disposition
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """Non-secret settings. Secrets live in the OS keyring (app.secrets), never here."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StatCounter(Base):
    """A per-campaign tally kept by database triggers (migration 0002), so every writer keeps it.

    kind is one of app.results.stats.COUNTER_KINDS; key is e.g. a status, a disposition or an
    ten-minute bucket ("2026-11-27 13:2" for 13:20-13:29). app.results.stats.recount() rebuilds them from the rows.
    """

    __tablename__ = "stat_counters"

    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class SeatChange(Base):
    """One change another seat may show: a call or campaign inserted, updated or deleted.
    Written by triggers (migration 0012), read by id by app.store.changes."""

    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(16))  # calls | campaigns
    row_id: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # insert | update | delete
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(100))


# The Results calls table sorts a campaign's calls newest first (migration 0002).
Index("ix_calls_campaign_created", Call.campaign_id, Call.created_at)

# The Results text search (migration 0008): an SQLite FTS5 table and its shadow tables
# (call_search_data, …), kept by triggers; no model describes them.
SEARCH_TABLE = "call_search"


def described_by_models(name: str | None, kind: str, parent_names: object = None) -> bool:
    """For alembic's compare_metadata (include_name): leave the search index out."""
    return not (kind == "table" and name is not None and name.startswith(SEARCH_TABLE))


class WorkerLease(Base):
    """Which dialer dials a campaign, on a shared (PostgreSQL) database (migration 0011).

    One row per leased campaign; the holder renews expires_at by heartbeat (server time), and a
    lease past expires_at may be taken by another worker, which first reconciles the calls the
    old holder left in flight (app.dialer.leases).
    """

    __tablename__ = "worker_leases"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    worker: Mapped[str] = mapped_column(String(200))  # host:pid:random, unique per process
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class DialerWorker(Base):
    """A dialer alive on a shared database (migration 0011), renewed with its leases: the
    workers share the running campaigns out between those alive."""

    __tablename__ = "dialer_workers"

    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
