"""Run the packaged Alembic migrations programmatically at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> bool:
    """Upgrade if needed; returns True when a migration ran."""
    from app.store.engine import backup_sqlite_file

    current = current_revision(engine)
    if current == head_revision():
        return False
    if current is not None:  # a brand-new database has nothing to lose
        backup_sqlite_file(engine, current)
    command.upgrade(alembic_config(engine), "head")
    return True
