"""`calldeck db check`: is the database reachable, at which schema, and who dials from it.

Nothing is changed (no migration). Every way of failing to connect is one line that names
the cause and what to do: a bad URL, a refused connection, a failed login, a missing
permission, a database that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from app.store import leases as lease_store
from app.store.backend import Backend
from app.store.engine import make_engine, shown_url
from app.store.errors import StoreError
from app.store.migrate import current_revision, packaged_head


@dataclass
class DbCheck:
    url: str  # password hidden
    server: str  # e.g. "PostgreSQL 15.18" or "SQLite 3.45.1"
    current: str | None  # the schema revision (None: an empty database)
    head: str
    leases: list[lease_store.Lease] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def workers(self) -> dict[str, list[lease_store.Lease]]:
        """Live leases by worker."""
        held: dict[str, list[lease_store.Lease]] = {}
        for lease in self.leases:
            if lease.live:
                held.setdefault(lease.worker, []).append(lease)
        return held


def check_database(url: str) -> DbCheck:
    """Raises StoreError, one line, when the database cannot be reached or read."""
    try:
        engine = make_engine(url)
    except ArgumentError:
        raise StoreError(
            f"{url!r} is not a database URL (e.g. postgresql+psycopg://user:password@host/calldeck)"
        ) from None
    except ModuleNotFoundError as exc:
        raise StoreError(f"the driver for {shown_url(url)} is not installed ({exc.name})") from None
    backend = Backend(engine.url)
    try:
        with engine.connect() as conn:
            if backend.is_postgresql:
                server = "PostgreSQL " + conn.scalar(text("SHOW server_version")).split()[0]
            elif backend.is_sqlite:
                server = "SQLite " + conn.scalar(text("SELECT sqlite_version()"))
            else:
                server = backend.name
        current = current_revision(engine)
        held: list[lease_store.Lease] = []
        if backend.shared_dialing:
            with engine.connect() as conn:
                if inspect(conn).has_table("worker_leases"):
                    held = lease_store.leases(conn)
    except SQLAlchemyError as exc:
        raise StoreError(explain_connect_error(exc, url)) from None
    finally:
        engine.dispose()
    return DbCheck(shown_url(url), server, current, packaged_head(), held)


def explain_connect_error(exc: SQLAlchemyError, url: str) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    user, database = parsed.username or "(default user)", parsed.database or "(default)"
    lowered = reason.lower()
    if "connection refused" in lowered:
        return f"cannot reach the database server at {where}: connection refused (is it running?)"
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f"the server at {where} refused the login of {user!r}: check the password"
    if "permission denied" in lowered:
        return (
            f"{user!r} lacks a permission on database {database!r} ({reason}); "
            "ask its owner to GRANT it"
        )
    if "does not exist" in lowered:
        return f"the server at {where} says: {reason}"
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return f"unknown database host {parsed.host!r} ({reason})"
    return f"cannot use the database at {shown_url(url)}: {reason}"
