"""`calldeck db check`: reachable, schema version, the workers holding leases; and one
clear line (exit 2) for a bad URL, a refused connection, a failed login, a missing permission."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from app.cli import main
from app.store import leases as lease_store
from app.store.engine import open_store
from app.store.migrate import packaged_head
from tests.dialer.helpers import make_campaign


def _check(capsys, url: str, *extra: str) -> tuple[int, str, str]:
    code = main(["db", "check", "--db", url, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_shared_database_with_a_worker_holding_a_lease(home, pg_url, capsys):
    store = open_store(home, pg_url)
    cid, _ = make_campaign(store, "Spring", ["+12125550100"])
    worker = lease_store.Worker("laptop:42:abcd", "laptop", 42)
    with store.engine.begin() as conn:
        lease_store.here(conn, worker, 30)
        assert lease_store.take(conn, worker, {cid}, 30) == {cid}
        # Another worker cannot take a live lease.
        other = lease_store.Worker("server:7:ef01", "server", 7)
        assert lease_store.take(conn, other, {cid}, 30) == set()
    store.dispose()

    code, out, err = _check(capsys, pg_url, "--json")
    assert code == 0, err
    found = json.loads(out)
    assert found["reachable"] is True and found["server"].startswith("PostgreSQL ")
    assert found["schema"] == {
        "current": packaged_head(),
        "head": packaged_head(),
        "up_to_date": True,
    }
    assert [(w["worker"], w["host"], w["pid"]) for w in found["workers"]] == [
        ("laptop:42:abcd", "laptop", 42)
    ]
    assert [c["name"] for c in found["workers"][0]["campaigns"]] == ["Spring"]
    assert ":calldeck-test@" not in out  # the password is never shown

    code, out, _ = _check(capsys, pg_url)
    assert code == 0
    assert "reachable (PostgreSQL" in out and "up to date" in out
    assert f"worker laptop:42:abcd: dials Spring (#{cid})" in out


def test_an_empty_database_is_reachable_and_says_so(pg_url, capsys):
    code, out, _ = _check(capsys, pg_url)
    assert code == 0
    assert "schema: none" in out and "workers: none" in out


def _bad(pg_cluster, pg_url, case: str) -> str:
    database = pg_url.rsplit("/", 1)[1]
    if case == "bad URL":
        return "postgres:/nowhere"
    if case == "refused":
        return "postgresql+psycopg://calldeck:pw@127.0.0.1:1/calldeck"
    if case == "wrong password":
        return pg_cluster.url(database, password="not-the-password")
    pg_cluster.sql(f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC")
    pg_cluster.sql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') THEN "
        "CREATE ROLE reader LOGIN PASSWORD 'pw'; END IF; END $$"
    )
    return pg_cluster.url(database, user="reader", password="pw")


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("bad URL", "is not a database URL"),
        ("refused", "cannot reach the database server at 127.0.0.1:1: connection refused"),
        ("wrong password", "refused the login of 'postgres': check the password"),
        ("no permission", "'reader' lacks a permission on database"),
    ],
)
def test_each_failure_is_one_clear_line(pg_cluster, pg_url, capsys, case, says):
    code, out, err = _check(capsys, _bad(pg_cluster, pg_url, case))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("calldeck db check: ")
    assert says in err, err
    assert "pw@" not in err and "not-the-password" not in err


def test_a_lease_past_its_time_is_free_for_another_worker(home, pg_url):
    store = open_store(home, pg_url)
    cid, _ = make_campaign(store, "Spring", ["+12125550100"])
    first = lease_store.Worker("a:1:x", "a", 1)
    second = lease_store.Worker("b:2:y", "b", 2)
    with store.engine.begin() as conn:
        assert lease_store.take(conn, first, {cid}, 30) == {cid}
        conn.execute(text("UPDATE worker_leases SET expires_at = expires_at - interval '1 hour'"))
        assert lease_store.take(conn, second, {cid}, 30) == {cid}
        assert [lease.worker for lease in lease_store.leases(conn)] == ["b:2:y"]
    store.dispose()
