"""What the agent made of each call: outcome, captured fields, step path, summary, the
suggested disposition, do-not-call evidence and the agreed callback time.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from app.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("outcome", sa.String(20)),
    ("agent_fields", sa.JSON()),
    ("step_path", sa.JSON()),
    ("summary", sa.Text()),
    ("suggested_disposition", sa.String(64)),
    ("dnc_evidence", sa.Text()),
    ("dnc_offset_s", sa.Float()),
    ("callback_at", UTCDateTime()),
)


def upgrade() -> None:
    # Plain ADD COLUMNs (not batch rebuilds): rebuilding calls would drop the stats triggers.
    for name, kind in COLUMNS:
        op.add_column("calls", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place, so the triggers on calls survive.
    for name, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE calls DROP COLUMN {name}")
