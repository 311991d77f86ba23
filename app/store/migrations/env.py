"""Alembic environment: the engine comes from app.store.migrate, never from an ini file."""

from alembic import context

from app.store.models import Base

config = context.config
engine = config.attributes["engine"]

# Several CallDecks may open one PostgreSQL database at once (a team): one migrates while the
# others wait, then find it at head. The lock ends with the transaction.
MIGRATION_LOCK = 0x43414C4C  # any constant of ours

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
