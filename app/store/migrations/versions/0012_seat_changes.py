"""every seat sees the others: a change feed kept by triggers, and a revision per call

`changes` gets one row per insert, delete or seat-visible update of a call (status, end,
disposition, notes, recording, transcript, outcome) and per change of a campaign (created,
edited, started, paused, deleted), written by triggers so that no writer (the dialer's plain
SQL included) has to remember it. Each GUI polls it by id (app.store.changes). On PostgreSQL
the trigger also NOTIFYs `calldeck_changes`, which wakes a listening seat early.

`calls.revision` is the compare-and-set token of a seat's edit (app.results.edits): a save
that finds another revision than the one it read is a conflict, never a silent overwrite.
`disposition_by`/`disposition_at` say who set the disposition, like `notes_by`/`notes_at`.
Plain ADD COLUMNs: rebuilding calls would drop the stats and search triggers.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CHANNEL = "calldeck_changes"  # app.store.changes.CHANNEL
# The columns a seat shows; the dialer's other per-call writes (sid, answered) stay quiet.
CALL_COLUMNS = (
    "status",
    "ended_at",
    "disposition",
    "notes",
    "recording_state",
    "transcript_state",
    "outcome",
)
_COLUMNS = "table_name, row_id, campaign_id, kind, changed_at, changed_by"
# How SQLAlchemy's DateTime stores a naive UTC time on SQLite (microseconds, 6 digits).
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
_SQLITE_WHO = (
    "CASE WHEN OLD.notes IS NOT NEW.notes THEN NEW.notes_by "
    "WHEN OLD.disposition IS NOT NEW.disposition THEN NEW.disposition_by END"
)


def sqlite_trigger_ddl() -> list[str]:
    def trigger(name: str, event: str, table: str, row: str, campaign: str, kind: str, who: str):
        return (
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN\n"
            f"INSERT INTO changes ({_COLUMNS}) VALUES "
            f"('{table}', {row}.id, {campaign}, '{kind}', {_SQLITE_NOW}, {who});\nEND"
        )

    watched = ", ".join(CALL_COLUMNS)
    return [
        trigger(
            "trg_calls_seat_ins", "INSERT", "calls", "NEW", "NEW.campaign_id", "insert", "NULL"
        ),
        trigger(
            "trg_calls_seat_upd",
            f"UPDATE OF {watched}",
            "calls",
            "NEW",
            "NEW.campaign_id",
            "update",
            _SQLITE_WHO,
        ),
        trigger(
            "trg_calls_seat_del", "DELETE", "calls", "OLD", "OLD.campaign_id", "delete", "NULL"
        ),
        trigger("trg_campaigns_seat_ins", "INSERT", "campaigns", "NEW", "NEW.id", "insert", "NULL"),
        trigger("trg_campaigns_seat_upd", "UPDATE", "campaigns", "NEW", "NEW.id", "update", "NULL"),
        trigger("trg_campaigns_seat_del", "DELETE", "campaigns", "OLD", "OLD.id", "delete", "NULL"),
    ]


def postgresql_trigger_ddl() -> list[str]:
    function = f"""CREATE FUNCTION calldeck_seat_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
    campaign integer;
    who varchar(100);
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'calls' THEN campaign := r.campaign_id; ELSE campaign := r.id; END IF;
    IF TG_TABLE_NAME = 'calls' AND TG_OP = 'UPDATE' THEN
        IF NEW.notes IS DISTINCT FROM OLD.notes THEN who := NEW.notes_by;
        ELSIF NEW.disposition IS DISTINCT FROM OLD.disposition THEN who := NEW.disposition_by;
        END IF;
    END IF;
    INSERT INTO changes ({_COLUMNS}) VALUES (TG_TABLE_NAME, r.id, campaign, lower(TG_OP), now() AT TIME ZONE 'utc', who);
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$"""
    watched = ", ".join(CALL_COLUMNS)
    return [
        function,
        "CREATE TRIGGER trg_calls_seat_change AFTER INSERT OR DELETE OR UPDATE OF "
        f"{watched} ON calls FOR EACH ROW EXECUTE FUNCTION calldeck_seat_change()",
        "CREATE TRIGGER trg_campaigns_seat_change AFTER INSERT OR UPDATE OR DELETE ON campaigns "
        "FOR EACH ROW EXECUTE FUNCTION calldeck_seat_change()",
    ]


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=16), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,  # ids never come back after pruning: the feed reads by id
    )
    op.add_column("calls", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("calls", sa.Column("disposition_by", sa.String(length=100), nullable=True))
    op.add_column("calls", sa.Column("disposition_at", sa.DateTime(), nullable=True))
    dialect = op.get_bind().dialect.name
    ddl = {"sqlite": sqlite_trigger_ddl, "postgresql": postgresql_trigger_ddl}.get(dialect)
    for statement in ddl() if ddl else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_calls_seat_change ON calls")
        op.execute("DROP TRIGGER IF EXISTS trg_campaigns_seat_change ON campaigns")
        op.execute("DROP FUNCTION IF EXISTS calldeck_seat_change()")
    else:
        for statement in sqlite_trigger_ddl():
            op.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    for column in ("disposition_at", "disposition_by", "revision"):
        op.execute(f"ALTER TABLE calls DROP COLUMN {column}")
    op.drop_table("changes")
