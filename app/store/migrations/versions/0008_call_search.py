"""call text search kept by triggers

One FTS5 row per call (rowid = calls.id) with the contact's name and phone, the call's notes
and its transcript text, so that Results finds "Ada" or "0123" among 1,000,000 calls with an
index lookup instead of scanning every row. The trigram tokenizer makes a match a
case-insensitive substring match, as the LIKE search it replaces (needles of 3 characters or
more; shorter ones keep the LIKE search, see app.results.search).

Triggers keep it equal to the rows, like the stats counters of 0002: no writer has to
remember it. A migration that rebuilds calls, contacts or transcript_turns must recreate them.
Other databases get no table: app.results.search falls back to LIKE there.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "call_search"
# The transcript column is every turn's text, one line each (order does not matter to a search).
_TRANSCRIPT_OF = (
    "coalesce((SELECT group_concat(text, char(10)) FROM transcript_turns "
    "WHERE call_id = {call}), '')"
)


def table_ddl() -> str:
    return (
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "name, phone, notes, transcript, tokenize = 'trigram')"
    )


def trigger_ddl() -> list[str]:
    contact_of = "(SELECT {col} FROM contacts WHERE id = NEW.contact_id)"
    return [
        f"CREATE TRIGGER trg_calls_search_ins AFTER INSERT ON calls BEGIN\n"
        f"INSERT INTO {TABLE} (rowid, name, phone, notes, transcript) VALUES (NEW.id, "
        f"{contact_of.format(col='name')}, {contact_of.format(col='phone')}, "
        f"coalesce(NEW.notes, ''), '');\nEND",  # a new call has no turns yet
        f"CREATE TRIGGER trg_calls_search_del AFTER DELETE ON calls BEGIN\n"
        f"DELETE FROM {TABLE} WHERE rowid = OLD.id;\nEND",
        f"CREATE TRIGGER trg_calls_search_notes AFTER UPDATE OF notes ON calls "
        f"WHEN OLD.notes IS NOT NEW.notes BEGIN\n"
        f"UPDATE {TABLE} SET notes = coalesce(NEW.notes, '') WHERE rowid = NEW.id;\nEND",
        f"CREATE TRIGGER trg_calls_search_contact AFTER UPDATE OF contact_id ON calls "
        f"WHEN OLD.contact_id IS NOT NEW.contact_id BEGIN\n"
        f"UPDATE {TABLE} SET name = {contact_of.format(col='name')}, "
        f"phone = {contact_of.format(col='phone')} WHERE rowid = NEW.id;\nEND",
        f"CREATE TRIGGER trg_contacts_search_upd AFTER UPDATE OF name, phone ON contacts "
        f"WHEN OLD.name IS NOT NEW.name OR OLD.phone IS NOT NEW.phone BEGIN\n"
        f"UPDATE {TABLE} SET name = NEW.name, phone = NEW.phone "
        f"WHERE rowid IN (SELECT id FROM calls WHERE contact_id = NEW.id);\nEND",
        f"CREATE TRIGGER trg_turns_search_ins AFTER INSERT ON transcript_turns BEGIN\n"
        f"UPDATE {TABLE} SET transcript = {_TRANSCRIPT_OF.format(call='NEW.call_id')} "
        f"WHERE rowid = NEW.call_id;\nEND",
        f"CREATE TRIGGER trg_turns_search_upd AFTER UPDATE ON transcript_turns BEGIN\n"
        f"UPDATE {TABLE} SET transcript = {_TRANSCRIPT_OF.format(call='OLD.call_id')} "
        f"WHERE rowid = OLD.call_id;\n"
        f"UPDATE {TABLE} SET transcript = {_TRANSCRIPT_OF.format(call='NEW.call_id')} "
        f"WHERE rowid = NEW.call_id;\nEND",
        f"CREATE TRIGGER trg_turns_search_del AFTER DELETE ON transcript_turns BEGIN\n"
        f"UPDATE {TABLE} SET transcript = {_TRANSCRIPT_OF.format(call='OLD.call_id')} "
        f"WHERE rowid = OLD.call_id;\nEND",
    ]


def trigger_names() -> list[str]:
    return [s.split()[2] for s in trigger_ddl()]


def backfill_sql() -> str:
    """Index the calls already there, once, with the values the triggers would write."""
    return (
        f"INSERT INTO {TABLE} (rowid, name, phone, notes, transcript) "
        f"SELECT calls.id, contacts.name, contacts.phone, coalesce(calls.notes, ''), "
        f"{_TRANSCRIPT_OF.format(call='calls.id')} "
        f"FROM calls JOIN contacts ON contacts.id = calls.contact_id"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(table_ddl())
    op.execute(backfill_sql())
    for statement in trigger_ddl():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
