"""Store.backend: what differs between SQLite and a server database, decided in one place."""

from __future__ import annotations

import pytest

from app.dialer.lock import DialerBusy, DialerLock
from app.store.backend import Backend
from app.store.engine import open_store


def test_sqlite_file_and_its_traits(tmp_path):
    backend = Backend.for_url(f"sqlite:///{tmp_path}/calldeck.db")
    assert backend.is_sqlite and backend.sqlite_file == tmp_path / "calldeck.db"
    assert backend.direct_writes and backend.counters_by_triggers
    assert backend.dialer_lock_path() == tmp_path / "calldeck.db.dialer.lock"


def test_in_memory_sqlite_has_no_file():
    assert Backend.for_url("sqlite://").sqlite_file is None
    assert Backend.for_url("sqlite:///:memory:").sqlite_file is None


def test_postgresql_is_shared_by_leases_with_its_own_triggers_and_search_index():
    backend = Backend.for_url("postgresql+psycopg://u:pw@db.example/calls")
    assert backend.is_postgresql and not backend.is_sqlite and backend.sqlite_file is None
    assert not backend.direct_writes and backend.counters_by_triggers
    assert backend.shared_dialing and backend.text_search == "trigram"
    assert Backend.for_url("sqlite://").text_search == "fts5"
    assert not Backend.for_url("sqlite://").shared_dialing


def test_another_server_database_locks_per_url_on_this_machine():
    backend = Backend.for_url("mysql://u:pw@db.example/calls")
    assert not backend.shared_dialing and not backend.counters_by_triggers
    assert backend.text_search is None
    lock = backend.dialer_lock_path()
    assert lock.name.startswith("calldeck-") and lock.name.endswith(".dialer.lock")
    assert lock == Backend.for_url("mysql://u:pw@db.example/calls").dialer_lock_path()
    assert lock != Backend.for_url("mysql://u:pw@db.example/other").dialer_lock_path()


def test_a_symlinked_database_shares_the_one_dialer_lock(tmp_path):
    """Two names for one file must not let two dialers in (8 calls at once on a limit of 4)."""
    real = tmp_path / "real"
    real.mkdir()
    open_store(real).dispose()
    alias = tmp_path / "alias.db"
    alias.symlink_to(real / "calldeck.db")
    by_file = Backend.for_url(f"sqlite:///{real / 'calldeck.db'}").dialer_lock_path()
    by_link = Backend.for_url(f"sqlite:///{alias}").dialer_lock_path()
    assert by_file == by_link == real / "calldeck.db.dialer.lock"

    first = DialerLock(by_file)
    first.acquire()
    try:
        with pytest.raises(DialerBusy):
            DialerLock(by_link).acquire()
    finally:
        first.release()


def test_the_store_knows_its_home_and_backend(tmp_path):
    store = open_store(tmp_path / "home")
    try:
        assert store.home == tmp_path / "home"
        assert store.is_sqlite and store.backend.sqlite_file == tmp_path / "home" / "calldeck.db"
    finally:
        store.dispose()
