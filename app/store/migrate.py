"""Run the packaged Alembic migrations programmatically at start-up.

Alembic itself is imported only when a migration is pending: checking costs one query.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def packaged_head() -> str:
    """Revision ids are the zero-padded number each file name starts with (0001_…, 0002_…),
    so the newest file names the head without loading Alembic (a test holds us to it)."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_to_head(engine: Engine) -> bool:
    """Upgrade if needed; returns True when a migration ran."""
    current = current_revision(engine)
    head = packaged_head()
    if current == head:
        return False
    if current is not None and current > head:  # ids are zero-padded numbers
        from app.store.errors import StoreError

        raise StoreError(
            f"this database was last used by a newer CallDeck (schema {current}; this version "
            f"knows up to {head}); nothing was changed. Update CallDeck to open it"
        )
    from alembic import command

    from app.store.engine import backup_sqlite_file

    if current is not None:  # a brand-new database has nothing to lose
        backup_sqlite_file(engine, current)
    command.upgrade(alembic_config(engine), "head")
    return True
