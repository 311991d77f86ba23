"""Record the caller-ID each call was dialled from (crash recovery searches by it).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (not a batch rebuild): rebuilding calls would drop the stats triggers.
    op.add_column("calls", sa.Column("from_number", sa.String(length=20), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place, so the triggers on calls survive.
    op.execute("ALTER TABLE calls DROP COLUMN from_number")
