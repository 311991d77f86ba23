"""Which import each contact came from (so a whole import can be removed), the extension
dialled after the number answers, and archived campaigns.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    # Plain ADD COLUMNs (not batch rebuilds): rebuilding contacts would drop the stats triggers.
    op.execute("ALTER TABLE contacts ADD COLUMN import_id INTEGER REFERENCES imports (id)")
    op.add_column("contacts", sa.Column("extension", sa.String(16), nullable=True))
    op.add_column("campaigns", sa.Column("archived_at", UTCDateTime(), nullable=True))
    op.create_index("ix_contacts_import", "contacts", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_contacts_import", "contacts")
    # SQLite 3.35+ drops a column in place, so the triggers survive.
    op.execute("ALTER TABLE campaigns DROP COLUMN archived_at")
    op.execute("ALTER TABLE contacts DROP COLUMN extension")
    op.execute("ALTER TABLE contacts DROP COLUMN import_id")
    op.drop_table("imports")
