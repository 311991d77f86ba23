"""stat counters kept by triggers

Per-campaign tallies for the Results stats strip, maintained by triggers on calls, contacts
and campaigns so that no writer has to remember them (SQLite triggers, or plpgsql trigger
functions on PostgreSQL, from the same COUNTERS spec). A 1,000,000-call campaign then
reads its whole stats panel from a few hundred rows instead of several GROUP BYs.

The trigger spec is frozen here on purpose (a migration must not change when app code does);
app.results.stats.recount() recomputes the same tallies from the rows, and the tests check that
the two agree after random writes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, kind, key expression, amount expression, condition or None, columns it depends on).
# "{r}" is NEW or OLD.
COUNTERS = [
    ("calls", "calls", "'all'", "1", None, []),
    ("calls", "call_status", "{r}.status", "1", None, ["status"]),
    ("calls", "answered_by", "coalesce({r}.answered_by, '')", "1", None, ["answered_by"]),
    ("calls", "disposition", "coalesce({r}.disposition, '')", "1", None, ["disposition"]),
    (
        "calls",
        "talk_seconds",
        "'all'",
        "coalesce({r}.duration_s, 0)",
        "{r}.status = 'completed'",
        ["status", "duration_s"],
    ),
    (
        "calls",
        "talk_calls",
        "'all'",
        "1",
        "{r}.status = 'completed' AND {r}.duration_s IS NOT NULL",
        ["status", "duration_s"],
    ),
    # Ten-minute buckets: "2026-11-27 13:2" is 13:20-13:29 (created_at is stored as text).
    ("calls", "bucket", "substr({r}.created_at, 1, 15)", "1", None, ["created_at"]),
    ("contacts", "contact_status", "{r}.status", "1", None, ["status"]),
]


def _add(kind: str, key: str, amount: str, cond: str | None, r: str) -> str:
    where = (cond or "1").format(r=r)
    return (
        f"INSERT INTO stat_counters (campaign_id, kind, key, n) "
        f"SELECT {r}.campaign_id, '{kind}', {key.format(r=r)}, {amount.format(r=r)} "
        f"WHERE {where} "
        f"ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + excluded.n;"
    )


def _sub(kind: str, key: str, amount: str, cond: str | None, r: str) -> str:
    # Update only: a counter row always exists once its row was counted in.
    extra = f" AND ({cond.format(r=r)})" if cond else ""
    return (
        f"UPDATE stat_counters SET n = n - {amount.format(r=r)} "
        f"WHERE campaign_id = {r}.campaign_id AND kind = '{kind}' "
        f"AND key = {key.format(r=r)}{extra};"
    )


def trigger_ddl() -> list[str]:
    statements = []
    for table in ("calls", "contacts"):
        specs = [c for c in COUNTERS if c[0] == table]
        adds = "\n".join(_add(k, key, amt, cond, "NEW") for _, k, key, amt, cond, _ in specs)
        subs = "\n".join(_sub(k, key, amt, cond, "OLD") for _, k, key, amt, cond, _ in specs)
        statements.append(
            f"CREATE TRIGGER trg_{table}_stats_ins AFTER INSERT ON {table} BEGIN\n{adds}\nEND"
        )
        statements.append(
            f"CREATE TRIGGER trg_{table}_stats_del AFTER DELETE ON {table} BEGIN\n{subs}\nEND"
        )
        for _, kind, key, amount, cond, columns in specs:
            watched = ["campaign_id", *columns]
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
            statements.append(
                f"CREATE TRIGGER trg_{table}_stats_upd_{kind} "
                f"AFTER UPDATE OF {', '.join(watched)} ON {table} WHEN {changed} BEGIN\n"
                f"{_sub(kind, key, amount, cond, 'OLD')}\n{_add(kind, key, amount, cond, 'NEW')}\n"
                f"END"
            )
    statements.append(
        "CREATE TRIGGER trg_campaigns_stats_del AFTER DELETE ON campaigns BEGIN\n"
        "DELETE FROM stat_counters WHERE campaign_id = OLD.id;\nEND"
    )
    return statements


def trigger_names() -> list[str]:
    return [s.split()[2] for s in trigger_ddl()]


def backfill_sql() -> list[str]:
    """Count the rows already there, once, with the same expressions the triggers use."""
    statements = []
    for table, kind, key, amount, cond, _ in COUNTERS:
        key_sql = key.format(r=table)
        amount_sql = amount.format(r=table)
        where = cond.format(r=table) if cond else "1"
        statements.append(
            f"INSERT INTO stat_counters (campaign_id, kind, key, n) "
            f"SELECT {table}.campaign_id, '{kind}', {key_sql}, sum({amount_sql}) FROM {table} "
            f"WHERE {where} GROUP BY {table}.campaign_id, {key_sql}"
        )
    return statements


# PostgreSQL: the same spec as one plpgsql function per table. Its timestamps are not text,
# so the ten-minute bucket formats created_at first (to the same "2026-11-27 13:2" key).
PG_TABLES = ("calls", "contacts")
_PG_KEYS = {"bucket": "substr(to_char({r}.created_at, 'YYYY-MM-DD HH24:MI'), 1, 15)"}


def _pg_spec(table: str):
    for spec_table, kind, key, amount, cond, columns in COUNTERS:
        if spec_table == table:
            yield kind, _PG_KEYS.get(kind, key), amount, cond or "TRUE", columns


def _pg_add(kind: str, key: str, amount: str, cond: str, r: str) -> str:
    return (
        f"INSERT INTO stat_counters (campaign_id, kind, key, n) "
        f"SELECT {r}.campaign_id, '{kind}', {key.format(r=r)}, {amount.format(r=r)} "
        f"WHERE {cond.format(r=r)} "
        f"ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = stat_counters.n + excluded.n;"
    )


def _pg_sub(kind: str, key: str, amount: str, cond: str, r: str) -> str:
    return (
        f"UPDATE stat_counters SET n = n - {amount.format(r=r)} "
        f"WHERE campaign_id = {r}.campaign_id AND kind = '{kind}' "
        f"AND key = {key.format(r=r)} AND ({cond.format(r=r)});"
    )


def pg_trigger_ddl() -> list[str]:
    statements = []
    for table in PG_TABLES:
        body = []
        for kind, key, amount, cond, columns in _pg_spec(table):
            # An update moves a row between counters only when a column they read changed:
            # the hot counter rows are not rewritten by every status poll.
            changed = " OR ".join(
                f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ["campaign_id", *columns]
            )
            body.append(
                f"IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ({changed})) THEN\n"
                f"{_pg_sub(kind, key, amount, cond, 'OLD')}\nEND IF;\n"
                f"IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND ({changed})) THEN\n"
                f"{_pg_add(kind, key, amount, cond, 'NEW')}\nEND IF;"
            )
        statements.append(
            f"CREATE FUNCTION calldeck_{table}_stats() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n" + "\n".join(body) + "\nRETURN NULL;\nEND $$"
        )
        statements.append(
            f"CREATE TRIGGER trg_{table}_stats AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION calldeck_{table}_stats()"
        )
    statements.append(
        "CREATE FUNCTION calldeck_campaigns_stats() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\nDELETE FROM stat_counters WHERE campaign_id = OLD.id;\nRETURN NULL;\nEND $$"
    )
    statements.append(
        "CREATE TRIGGER trg_campaigns_stats AFTER DELETE ON campaigns "
        "FOR EACH ROW EXECUTE FUNCTION calldeck_campaigns_stats()"
    )
    return statements


def pg_backfill_sql() -> list[str]:
    statements = []
    for table in PG_TABLES:
        for kind, key, amount, cond, _ in _pg_spec(table):
            key_sql = key.format(r=table)
            statements.append(
                f"INSERT INTO stat_counters (campaign_id, kind, key, n) "
                f"SELECT {table}.campaign_id, '{kind}', {key_sql}, sum({amount.format(r=table)}) "
                f"FROM {table} WHERE {cond.format(r=table)} GROUP BY 1, 3"  # a key may be 'all'
            )
    return statements


def upgrade() -> None:
    op.create_table(
        "stat_counters",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "kind", "key"),
    )
    # The calls table sorts newest first by default; this index serves it without a sort.
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index("ix_calls_campaign_created", ["campaign_id", "created_at"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        statements = [*pg_backfill_sql(), *pg_trigger_ddl()]
    elif dialect == "sqlite":
        statements = [*backfill_sql(), *trigger_ddl()]
    else:  # other databases get no triggers: app.results.stats counts from the rows there
        statements = []
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in trigger_names():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for table in (*PG_TABLES, "campaigns"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_stats ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS calldeck_{table}_stats()")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_campaign_created")
    op.drop_table("stat_counters")
