"""Short write transactions for the dialer's hot path, at the lowest cost per statement.

Every call costs the dialer four or five small transactions (claim, sid, answered, ended,
results). Through SQLAlchemy's execution machinery each statement costs about as much Python
as SQLite spends running it (see benchmarks/bench_dialer.py), so on SQLite the statements run
straight on one DBAPI connection taken from the engine's pool (it carries the same pragmas);
on other databases they go through SQLAlchemy. The SQL text, with :named parameters, is the
same either way, and timestamps are stored exactly as the models store them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, TextClause, bindparam, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import PoolProxiedConnection

from app.store.backend import Backend
from app.store.types import UTCDateTime

# The database refused a write for now (locked, disk full): worth retrying.
WRITE_REFUSED = (OperationalError, sqlite3.OperationalError)

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Statement:
    """One SQL statement with :named parameters; *timestamps* names those holding datetimes."""

    sql: str
    timestamps: tuple[str, ...] = ()
    clause: TextClause = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        clause = text(self.sql)
        if self.timestamps:
            clause = clause.bindparams(
                *(bindparam(name, type_=UTCDateTime()) for name in self.timestamps)
            )
        object.__setattr__(self, "clause", clause)


class Rows:
    """What a statement returned: the part of SQLAlchemy's Result the dialer uses."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[tuple], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def first(self) -> tuple | None:
        return self.rows[0] if self.rows else None

    def one(self) -> tuple:
        if len(self.rows) != 1:
            raise LookupError(f"expected one row, got {len(self.rows)}")
        return self.rows[0]

    def scalar(self) -> Any:
        row = self.first()
        return None if row is None else row[0]


class Transaction(Protocol):
    def execute(self, statement: Statement, params: Params | Sequence[Params]) -> Rows: ...


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection, to_db) -> None:
        self._connection = connection
        self._to_db = to_db

    def _bind(self, statement: Statement, params: Params) -> Params:
        if not statement.timestamps:
            return params
        bound = dict(params)
        for name in statement.timestamps:
            bound[name] = self._to_db(bound[name])
        return bound

    def execute(self, statement: Statement, params: Params | Sequence[Params]) -> Rows:
        if isinstance(params, Mapping):
            cursor = self._connection.execute(statement.sql, self._bind(statement, params))
            # RETURNING rows are read before the commit, which would otherwise cut them off.
            rows = cursor.fetchall() if cursor.description else []
            return Rows(rows, cursor.rowcount)
        cursor = self._connection.executemany(
            statement.sql, [self._bind(statement, p) for p in params]
        )
        return Rows([], cursor.rowcount)


class _SqlAlchemyTransaction:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def execute(self, statement: Statement, params: Params | Sequence[Params]) -> Rows:
        many = not isinstance(params, Mapping)
        result = self._connection.execute(statement.clause, list(params) if many else params)
        rows = [tuple(row) for row in result.all()] if result.returns_rows else []
        return Rows(rows, result.rowcount)


class Writer:
    """Hands out short write transactions; close() when done (returns the connection)."""

    def __init__(self, engine: Engine, *, direct: bool | None = None) -> None:
        """*direct*: run on the DBAPI connection (default: when the database is SQLite)."""
        self._engine = engine
        self._direct = Backend(engine.url).direct_writes if direct is None else direct
        # The models' own conversion, so the direct path stores the very same text.
        self._to_db = UTCDateTime().dialect_impl(engine.dialect).bind_processor(engine.dialect)
        self._raw: PoolProxiedConnection | None = None

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Commit on success, roll back on any error (which is re-raised)."""
        if not self._direct:
            with self._engine.begin() as connection:
                yield _SqlAlchemyTransaction(connection)
            return
        if self._raw is None:
            self._raw = self._engine.raw_connection()
        connection = self._raw.driver_connection
        try:
            yield _SqliteTransaction(connection, self._to_db)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
