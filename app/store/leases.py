"""Campaign leases on a shared PostgreSQL database (migration 0011), in the server's time.

A lease says which worker (a `calldeck run` or a window) dials a campaign. Taking one is one
upsert that succeeds only when the row is free, expired or already ours, so two workers can
never both hold it; every time is the server's (timezone('UTC', now())), so the workers'
clocks need not agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from app.domain.media_state import RecordingState, TranscriptState
from app.domain.status import LIVE_STATUSES

_NOW = "timezone('UTC', now())"

_TAKE = text(
    f"""
    INSERT INTO worker_leases AS lease
        (campaign_id, worker, host, pid, acquired_at, renewed_at, expires_at)
    SELECT :campaign_id, :worker, :host, :pid, {_NOW}, {_NOW},
           {_NOW} + make_interval(secs => :ttl_s)
    WHERE EXISTS (SELECT 1 FROM campaigns WHERE id = :campaign_id)
    ON CONFLICT (campaign_id) DO UPDATE SET
        worker = excluded.worker, host = excluded.host, pid = excluded.pid,
        acquired_at = CASE WHEN lease.worker = excluded.worker THEN lease.acquired_at
                           ELSE excluded.acquired_at END,
        renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
    WHERE lease.worker = excluded.worker OR lease.expires_at < {_NOW}
    RETURNING campaign_id
    """
)
_RELEASE = text(
    "DELETE FROM worker_leases WHERE worker = :worker AND campaign_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_HOLDERS = text(f"SELECT count(DISTINCT worker) FROM worker_leases WHERE expires_at > {_NOW}")
_HELD_ELSEWHERE = text(
    f"SELECT campaign_id FROM worker_leases WHERE worker <> :worker AND expires_at > {_NOW}"
)
_HERE = text(
    f"""
    INSERT INTO dialer_workers AS w (worker, host, pid, started_at, expires_at)
    VALUES (:worker, :host, :pid, {_NOW}, {_NOW} + make_interval(secs => :ttl_s))
    ON CONFLICT (worker) DO UPDATE SET expires_at = excluded.expires_at
    """
)
_GONE = text(f"DELETE FROM dialer_workers WHERE worker = :worker OR expires_at < {_NOW}")
_ALIVE = text(f"SELECT count(*) FROM dialer_workers WHERE expires_at > {_NOW}")
# Campaigns whose calls a worker left open, or without their results, and nobody holds now.
_ORPHANED = text(
    f"""
    SELECT DISTINCT calls.campaign_id FROM calls
    WHERE (calls.status IN :live OR (calls.provider_sid IS NOT NULL
           AND (calls.recording_state = :pending_rec OR calls.transcript_state = :pending_tr)))
      AND NOT EXISTS (SELECT 1 FROM worker_leases WHERE worker_leases.campaign_id = calls.campaign_id
                      AND worker_leases.expires_at > {_NOW})
    """
).bindparams(
    bindparam("live", value=sorted(LIVE_STATUSES), expanding=True),
    bindparam("pending_rec", value=RecordingState.PENDING.to_db()),
    bindparam("pending_tr", value=TranscriptState.PENDING.to_db()),
)
_LIST = text(
    f"""
    SELECT worker_leases.campaign_id, campaigns.name, worker, host, pid, acquired_at, renewed_at,
           expires_at, expires_at > {_NOW} AS live
    FROM worker_leases JOIN campaigns ON campaigns.id = worker_leases.campaign_id
    ORDER BY worker, worker_leases.campaign_id
    """
)


@dataclass(frozen=True)
class Lease:
    campaign_id: int
    campaign: str
    worker: str
    host: str
    pid: int
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime
    live: bool  # False: expired, free for another worker to take


@dataclass(frozen=True)
class Worker:
    """Who asks for leases: one per dialer process."""

    id: str
    host: str
    pid: int


def take(conn: Connection, worker: Worker, campaign_ids: Iterable[int], ttl_s: float) -> set[int]:
    """Take or renew these campaigns' leases; returns those this worker holds now."""
    held = set()
    for campaign_id in sorted(campaign_ids):  # one order for every worker
        row = conn.execute(
            _TAKE,
            {
                "campaign_id": campaign_id,
                "worker": worker.id,
                "host": worker.host,
                "pid": worker.pid,
                "ttl_s": ttl_s,
            },
        ).first()
        if row is not None:
            held.add(campaign_id)
    return held


def here(conn: Connection, worker: Worker, ttl_s: float) -> int:
    """Say this worker is alive for *ttl_s* more; returns how many workers are alive."""
    conn.execute(
        _HERE, {"worker": worker.id, "host": worker.host, "pid": worker.pid, "ttl_s": ttl_s}
    )
    return int(conn.scalar(_ALIVE) or 1)


def gone(conn: Connection, worker: Worker) -> None:
    """This worker stops (and the long-dead are forgotten)."""
    conn.execute(_GONE, {"worker": worker.id})


def release(conn: Connection, worker: Worker, campaign_ids: Iterable[int]) -> None:
    ids = sorted(campaign_ids)
    if ids:
        conn.execute(_RELEASE, {"worker": worker.id, "ids": ids})


def held_elsewhere(conn: Connection, worker: Worker) -> set[int]:
    """Campaigns another worker holds a live lease on."""
    return set(conn.scalars(_HELD_ELSEWHERE, {"worker": worker.id}))


def live_holders(conn: Connection) -> int:
    """How many workers hold a live lease (they share the account's CPS cap)."""
    return int(conn.scalar(_HOLDERS) or 0)


def orphaned_campaigns(conn: Connection) -> set[int]:
    """Campaigns with calls left in flight (or without results) under no live lease."""
    return set(conn.scalars(_ORPHANED))


def leases(conn: Connection) -> list[Lease]:
    return [Lease(*row) for row in conn.execute(_LIST)]
