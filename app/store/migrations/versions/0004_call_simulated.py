"""Mark the calls placed through the emulator (demo mode) as simulated.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (not a batch rebuild): rebuilding calls would drop the stats triggers.
    # Calls made before this revision cannot be told apart; they stay unmarked.
    op.add_column(
        "calls",
        sa.Column("simulated", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE calls DROP COLUMN simulated")
