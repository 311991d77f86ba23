"""calls per outcome per ten minutes, kept by triggers

The Results chart draws calls over time per outcome. At 1,000,000 calls a GROUP BY over the
rows takes about a second; one more stat_counters kind, "bucket_status", kept by triggers like
the counters of 0002 (key "2026-11-27 13:2 completed": the ten-minute bucket, a space, the
call's status), makes it a read of a few thousand rows. The triggers have their own names
(trg_calls_series_*) so that 0002's stay as they are; app.results.stats.counts_from_rows
counts the same kind from the rows, and recount() rebuilds it.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

KIND = "bucket_status"
# created_at is stored as text ("2026-11-27 13:24:05.000000"): its first 15 characters name
# the ten-minute bucket.
KEY = "substr({r}.created_at, 1, 15) || ' ' || {r}.status"
WATCHED = ("campaign_id", "created_at", "status")


def _add(r: str) -> str:
    return (
        f"INSERT INTO stat_counters (campaign_id, kind, key, n) "
        f"SELECT {r}.campaign_id, '{KIND}', {KEY.format(r=r)}, 1 "
        f"ON CONFLICT (campaign_id, kind, key) DO UPDATE SET n = n + 1;"
    )


def _sub(r: str) -> str:
    return (
        f"UPDATE stat_counters SET n = n - 1 WHERE campaign_id = {r}.campaign_id "
        f"AND kind = '{KIND}' AND key = {KEY.format(r=r)};"
    )


def trigger_ddl() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    return [
        f"CREATE TRIGGER trg_calls_series_ins AFTER INSERT ON calls BEGIN\n{_add('NEW')}\nEND",
        f"CREATE TRIGGER trg_calls_series_del AFTER DELETE ON calls BEGIN\n{_sub('OLD')}\nEND",
        f"CREATE TRIGGER trg_calls_series_upd AFTER UPDATE OF {', '.join(WATCHED)} ON calls "
        f"WHEN {changed} BEGIN\n{_sub('OLD')}\n{_add('NEW')}\nEND",
    ]


def trigger_names() -> list[str]:
    return [s.split()[2] for s in trigger_ddl()]


def backfill_sql() -> str:
    key = KEY.format(r="calls")
    return (
        f"INSERT INTO stat_counters (campaign_id, kind, key, n) "
        f"SELECT campaign_id, '{KIND}', {key}, count(*) FROM calls GROUP BY campaign_id, {key}"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # no triggers elsewhere: app.results.stats counts from the rows there
    op.execute(backfill_sql())
    for statement in trigger_ddl():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DELETE FROM stat_counters WHERE kind = '{KIND}'")
