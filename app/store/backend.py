"""What differs between the databases CallDeck runs on, decided once per store.

SQLite (the default, one file in the data folder) and a server database (PostgreSQL by
URL) differ in a few ways the rest of the code cares about: whether dialers share the
database (PostgreSQL: campaign leases) or one holds a file lock, whether the dialer's hot
writes may skip SQLAlchemy's execution layer, whether triggers keep the stats counters and
how the Results search is indexed. Callers ask the store's Backend, never the URL.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


@dataclass(frozen=True)
class Backend:
    url: URL

    @classmethod
    def for_url(cls, url: str | URL) -> Backend:
        return cls(make_url(url))

    @property
    def name(self) -> str:
        return self.url.get_backend_name()

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file (None for a server database or an in-memory one)."""
        database = self.url.database
        if not self.is_sqlite or not database or database == ":memory:":
            return None
        return Path(database)

    @property
    def direct_writes(self) -> bool:
        """The dialer's per-call statements may run on the DBAPI connection (SQLite only)."""
        return self.is_sqlite

    @property
    def is_postgresql(self) -> bool:
        return self.name == "postgresql"

    @property
    def counters_by_triggers(self) -> bool:
        """Triggers can keep the stats counters (migration 0002 installs them on SQLite and
        PostgreSQL); elsewhere stats are counted from the rows."""
        return self.is_sqlite or self.is_postgresql

    @property
    def text_search(self) -> str | None:
        """How migration 0008 indexes the Results search: "fts5" (SQLite's trigram FTS5
        table), "trigram" (PostgreSQL's pg_trgm GIN index), None (LIKE over the rows)."""
        return "fts5" if self.is_sqlite else "trigram" if self.is_postgresql else None

    @property
    def shared_dialing(self) -> bool:
        """Several dialers on several machines may share the database: campaigns are leased
        (migration 0011) and contacts claimed with SKIP LOCKED, instead of one file lock."""
        return self.is_postgresql

    @property
    def notifies_changes(self) -> bool:
        """The change feed's trigger NOTIFYs each commit (PostgreSQL, migration 0012): a seat
        may LISTEN to poll early (app.store.changes.listen_for_changes); elsewhere it polls."""
        return self.name == "postgresql"

    def dialer_lock_path(self) -> Path:
        """The file whose OS lock says a dialer is at work on this database.

        Beside a SQLite file, resolved through links so two names for one file share one lock;
        for a server database, one per URL on this machine (it does not stop a dialer on
        another machine).
        """
        database = self.sqlite_file
        if database is not None:
            real = database.resolve()
            return real.with_name(real.name + ".dialer.lock")
        rendered = self.url.render_as_string(hide_password=False)
        digest = hashlib.sha1(rendered.encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"calldeck-{digest}.dialer.lock"
