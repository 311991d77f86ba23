"""Campaigns keep the agent version they started with; an agent's test scenarios.

campaigns.agent_version_id is set when a campaign first starts (app.store.campaigns) and moves
only when the supervisor moves it; NULL (never started, or made before this revision) means
"the agent's newest published version", as before.

agent_scenarios holds an agent's tests, one row a scenario (app.agents.scenarios' JSON
format). A table, not a field of the definition: a test is about the agent, not a version of
what it says, so adding one (or saving a call from Results as one) neither makes a draft
differ from its published version nor publishes anything.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch rebuild): rebuilding campaigns would drop its triggers.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE campaigns ADD COLUMN agent_version_id INTEGER "
            "REFERENCES agent_versions (id)"
        )
    else:
        op.add_column("campaigns", sa.Column("agent_version_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "campaigns_agent_version_id_fkey",
            "campaigns",
            "agent_versions",
            ["agent_version_id"],
            ["id"],
        )
    op.create_table(
        "agent_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "name", name="uq_agent_scenarios_name"),
    )


def downgrade() -> None:
    op.drop_table("agent_scenarios")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE campaigns DROP COLUMN agent_version_id")
    else:
        op.drop_constraint("campaigns_agent_version_id_fkey", "campaigns", type_="foreignkey")
        op.drop_column("campaigns", "agent_version_id")
