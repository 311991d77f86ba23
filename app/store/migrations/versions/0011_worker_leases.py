"""campaign leases for several dialers on one shared database

On PostgreSQL any number of `calldeck run` workers and windows may dial: each running
campaign is leased to one of them, which renews it by heartbeat (see app.dialer.leases);
dialer_workers says which workers are alive, so each takes only its share of the campaigns.
The tables are created on SQLite too (one schema), where the file lock still does the job.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_leases",
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.Column("renewed_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_worker_leases_expires_at", "worker_leases", ["expires_at"])
    op.create_table(
        "dialer_workers",
        sa.Column("worker", sa.String(200), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dialer_workers")
    op.drop_index("ix_worker_leases_expires_at", "worker_leases")
    op.drop_table("worker_leases")
