"""A campaign's voicemail mode and its machine-answered retry rule.

voicemail_mode is "leave_message" | "hang_up_retry" | "no_detection" (the rule and the
defaults in app.domain.campaign_settings; the values are frozen here, as a migration's must be).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (not a batch rebuild): rebuilding campaigns would drop its trigger.
    op.add_column(
        "campaigns",
        sa.Column(
            "voicemail_mode", sa.String(length=16), nullable=False, server_default="leave_message"
        ),
    )
    op.add_column(
        "campaigns",
        sa.Column("voicemail_max_attempts", sa.Integer(), nullable=False, server_default="3"),
    )
    op.add_column(
        "campaigns",
        sa.Column("voicemail_retry_delay_min", sa.Integer(), nullable=False, server_default="120"),
    )


def downgrade() -> None:
    for column in ("voicemail_retry_delay_min", "voicemail_max_attempts", "voicemail_mode"):
        op.execute(f"ALTER TABLE campaigns DROP COLUMN {column}")
