"""Agent definitions and their published versions; each call records the version it used.

agents.definition holds the draft (app.agents.definition's JSON format); publishing copies it
into agent_versions as the next version number, which campaigns then use.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "version", name="uq_agent_versions_number"),
    )
    # Plain ADD COLUMNs (not batch rebuilds): rebuilding calls would drop the stats triggers.
    op.add_column("agents", sa.Column("definition", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a REFERENCES clause in place, but not a separate constraint.
        # No ON DELETE: versions are never deleted with their agent (agent_id becomes NULL).
        op.execute(
            "ALTER TABLE calls ADD COLUMN agent_version_id INTEGER REFERENCES agent_versions (id)"
        )
    else:
        op.add_column("calls", sa.Column("agent_version_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "calls_agent_version_id_fkey", "calls", "agent_versions", ["agent_version_id"], ["id"]
        )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place, so the triggers on calls survive.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE calls DROP COLUMN agent_version_id")
    else:
        op.drop_constraint("calls_agent_version_id_fkey", "calls", type_="foreignkey")
        op.drop_column("calls", "agent_version_id")
    op.execute("ALTER TABLE agents DROP COLUMN definition")
    op.drop_table("agent_versions")
