"""The engine (SQLite WAL by default, any SQLAlchemy URL by choice) and start-up migrations."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.store.backend import Backend

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


@dataclass
class Store:
    """An open database, with the data folder it belongs to.

    *home* is the data folder the store was opened for (recordings, reject reports and logs
    live there, whichever database the URL names); *backend* says what kind of database it is.
    """

    engine: Engine
    session: sessionmaker[Session]
    url: str
    home: Path
    backend: Backend

    @property
    def is_sqlite(self) -> bool:
        return self.backend.is_sqlite

    def dispose(self) -> None:
        self.engine.dispose()


def database_url(home: Path, url: str | None = None) -> str:
    return url or os.environ.get("CALLDECK_DB") or f"sqlite:///{home / 'calldeck.db'}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str) -> Engine:
    if Backend.for_url(url).is_sqlite:
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def open_store(home: Path, url: str | None = None, *, migrate: bool = True) -> Store:
    """Open the database and bring its schema up to date (backing up a SQLite file first)."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    resolved = database_url(home, url)
    engine = make_engine(resolved)
    if migrate:
        from app.store.migrate import upgrade_to_head

        upgrade_to_head(engine)
    return Store(
        engine=engine,
        session=sessionmaker(engine, expire_on_commit=False),
        url=resolved,
        home=home,
        backend=Backend.for_url(resolved),
    )


def backup_sqlite_file(engine: Engine, revision: str | None) -> Path | None:
    """Copy the SQLite file beside itself before a migration changes it."""
    source = Backend(engine.url).sqlite_file
    if source is None or not source.exists() or source.stat().st_size == 0:
        return None
    target = source.with_name(f"{source.name}.before-{revision or 'base'}.bak")
    # The WAL may hold committed pages: checkpoint so the copy is whole.
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(source, target)
    log.info("backed up %s to %s before migrating", source, target)
    return target
