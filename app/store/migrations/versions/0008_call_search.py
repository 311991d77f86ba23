"""call text search kept by triggers

One FTS5 row per call (rowid = calls.id) with the contact's name and phone, the call's notes
and its transcript text, so that Results finds "Ada" or "0123" among 1,000,000 calls with an
index lookup instead of scanning every row. The trigram tokenizer makes a match a
case-insensitive substring match, as the LIKE search it replaces (needles of 3 characters or
more; shorter ones keep the LIKE search, see app.results.search).

Triggers keep it equal to the rows, like the stats counters of 0002: no writer has to
remember it. A migration that rebuilds calls, contacts or transcript_turns must recreate them.

PostgreSQL: the same table as one text document per call (name, phone, notes, transcript,
one per line), kept by plpgsql triggers, under a pg_trgm GIN index: PostgreSQL's own
trigram index answers the same case-insensitive substring ILIKE the FTS5 trigrams do (its
tsvector full-text search matches words, not parts of a phone number). Other databases get
no table: app.results.search falls back to LIKE there.

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


# PostgreSQL: one function builds a call's document from the rows; each trigger rewrites
# the documents of the calls its row belongs to.
PG_DOCUMENT_DDL = f"""
CREATE FUNCTION calldeck_search_document(wanted integer) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT concat_ws(E'\\n', contacts.name, contacts.phone, coalesce(calls.notes, ''),
         coalesce((SELECT string_agg(text, E'\\n') FROM transcript_turns
                   WHERE call_id = calls.id), ''))
  FROM calls JOIN contacts ON contacts.id = calls.contact_id WHERE calls.id = wanted
$$;
CREATE FUNCTION calldeck_search_index(wanted integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO {TABLE} (call_id, document)
  SELECT wanted, calldeck_search_document(wanted) WHERE EXISTS (SELECT 1 FROM calls WHERE id = wanted)
  ON CONFLICT (call_id) DO UPDATE SET document = excluded.document
$$;
CREATE FUNCTION calldeck_search_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM calldeck_search_index(NEW.id); RETURN NULL; END $$;
CREATE FUNCTION calldeck_search_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM calldeck_search_index(id) FROM calls WHERE contact_id = NEW.id; RETURN NULL; END $$;
CREATE FUNCTION calldeck_search_turns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM calldeck_search_index(OLD.call_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM calldeck_search_index(NEW.call_id); END IF;
  RETURN NULL;
END $$;
"""
PG_TRIGGERS = {
    "trg_calls_search_ins": "AFTER INSERT ON calls",
    "trg_calls_search_upd": "AFTER UPDATE OF notes, contact_id ON calls FOR EACH ROW WHEN "
    "(OLD.notes IS DISTINCT FROM NEW.notes OR OLD.contact_id IS DISTINCT FROM NEW.contact_id)",
    "trg_contacts_search_upd": "AFTER UPDATE OF name, phone ON contacts FOR EACH ROW WHEN "
    "(OLD.name IS DISTINCT FROM NEW.name OR OLD.phone IS DISTINCT FROM NEW.phone)",
    "trg_turns_search": "AFTER INSERT OR UPDATE OR DELETE ON transcript_turns",
}
_PG_FUNCTION_OF = {
    "trg_calls_search_ins": "calldeck_search_calls",
    "trg_calls_search_upd": "calldeck_search_calls",
    "trg_contacts_search_upd": "calldeck_search_contacts",
    "trg_turns_search": "calldeck_search_turns",
}
PG_FUNCTIONS = (
    "calldeck_search_calls()",
    "calldeck_search_contacts()",
    "calldeck_search_turns()",
    "calldeck_search_index(integer)",
    "calldeck_search_document(integer)",
)


def pg_ddl() -> list[str]:
    statements = [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE TABLE {TABLE} (call_id integer PRIMARY KEY REFERENCES calls (id) "
        "ON DELETE CASCADE, document text NOT NULL)",
        f"CREATE INDEX ix_{TABLE}_trigram ON {TABLE} USING gin (document gin_trgm_ops)",
        PG_DOCUMENT_DDL,
        f"INSERT INTO {TABLE} (call_id, document) "
        "SELECT id, calldeck_search_document(id) FROM calls",
    ]
    for name, when in PG_TRIGGERS.items():
        each = "" if "FOR EACH ROW" in when else " FOR EACH ROW"
        statements.append(
            f"CREATE TRIGGER {name} {when}{each} EXECUTE FUNCTION {_PG_FUNCTION_OF[name]}()"
        )
    return statements


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in pg_ddl():
            op.execute(statement)
        return
    if dialect != "sqlite":
        return
    op.execute(table_ddl())
    op.execute(backfill_sql())
    for statement in trigger_ddl():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP TABLE IF EXISTS {TABLE}")
        for name, when in PG_TRIGGERS.items():
            table = when.split(" ON ", 1)[1].split()[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
        return
    if dialect != "sqlite":
        return
    for name in trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
