"""The engine (SQLite WAL by default, any SQLAlchemy URL by choice) and start-up migrations."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.store.backend import Backend
from app.store.errors import StoreError

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
    parsed = make_url(url)
    if parsed.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2; ours is 3
        parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    if Backend(parsed).is_sqlite:
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def open_store(home: Path, url: str | None = None, *, migrate: bool = True) -> Store:
    """Open the database and bring its schema up to date (backing up a SQLite file first).

    Raises StoreError, one line saying what is wrong and what to do, when it cannot.
    """
    home = _data_folder(Path(home))
    resolved = database_url(home, url)
    engine = _engine_for(resolved)
    if migrate:
        from app.store.migrate import upgrade_to_head

        try:
            upgrade_to_head(engine)
        except StoreError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(_explain(exc, resolved)) from exc
    return Store(
        engine=engine,
        session=sessionmaker(engine, expire_on_commit=False),
        url=resolved,
        home=home,
        backend=Backend.for_url(resolved),
    )


def _data_folder(home: Path) -> Path:
    if home.exists() and not home.is_dir():
        raise StoreError(f"the data folder {home} is a file; give a folder (--home DIR)")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {home}: {exc.strerror or exc}") from None
    return home


def shown_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"


def _engine_for(url: str) -> Engine:
    try:
        return make_engine(url)
    except ArgumentError:
        raise StoreError(
            f"{url!r} is not a database URL (e.g. postgresql+psycopg://user@host/calldeck)"
        ) from None
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"the driver for {shown_url(url)} is not installed (Python module {exc.name!r})"
        ) from None


def _explain(exc: SQLAlchemyError, url: str) -> str:
    """One line for a database that failed to open, in the driver's words."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    database = Backend.for_url(url).sqlite_file
    if database is not None:
        if "not a database" in reason or "malformed" in reason:
            return (
                f"{database} is not a readable CallDeck database ({reason}); nothing was "
                "changed. Move it aside to start afresh, or restore a .bak copy beside it"
            )
        return f"cannot open {database}: {reason}"
    return f"cannot use the database at {shown_url(url)}: {reason}"


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
