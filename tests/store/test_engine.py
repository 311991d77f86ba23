from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.store.engine import database_url, open_store
from app.store.migrate import current_revision, head_revision
from app.store.models import Base, described_by_models
from tests.data.db import make_fixtures


def test_sqlite_file_in_the_data_dir_with_the_pragmas_we_rely_on(store, home):
    assert store.url == f"sqlite:///{home / 'calldeck.db'}"
    assert (home / "calldeck.db").exists()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_migrations_run_at_open_and_leave_the_schema_equal_to_the_models(store):
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described_by_models})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_indexes_for_the_dialer_and_results_queries_exist(store):
    inspector = inspect(store.engine)
    contact_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("contacts")}
    assert contact_indexes["ix_contacts_claim"] == ["campaign_id", "status", "next_attempt_at"]
    call_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("calls")}
    assert call_indexes["ix_calls_campaign_ended"] == ["campaign_id", "ended_at"]


def test_reopening_is_idempotent_and_keeps_data(home):
    first = open_store(home)
    with first.session.begin() as session:
        session.execute(
            text(
                "INSERT INTO dnc (phone, reason, source, created_at) "
                "VALUES ('+14155550100', 'asked', 'manual', '2026-01-01 00:00:00')"
            )
        )
    first.dispose()
    second = open_store(home)
    with second.session() as session:
        assert session.execute(text("SELECT count(*) FROM dnc")).scalar() == 1
    second.dispose()
    assert not list(home.glob("*.bak"))  # nothing was pending, so nothing was backed up


def test_db_url_from_the_environment_wins_over_the_default(home, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere.db"
    monkeypatch.setenv("CALLDECK_DB", f"sqlite:///{other}")
    assert database_url(home) == f"sqlite:///{other}"
    assert database_url(home, "sqlite:///explicit.db") == "sqlite:///explicit.db"


def test_a_pending_migration_backs_up_the_file_first(home):
    import sqlite3

    assert head_revision() != "0001", "this test needs a migration after 0001"
    make_fixtures.copy_fixture("0001", home)

    store = open_store(home)
    assert current_revision(store.engine) == head_revision()
    store.dispose()
    backup = home / "calldeck.db.before-0001.bak"
    with sqlite3.connect(backup) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert db.execute("SELECT phone FROM dnc").fetchall() == [("+14155550199",)]
    db.close()


def test_file_names_name_the_head_so_startup_can_skip_alembic():
    from app.store.migrate import packaged_head

    assert packaged_head() == head_revision()
