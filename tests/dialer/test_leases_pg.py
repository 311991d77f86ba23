"""The lease keeper on PostgreSQL: workers share the running campaigns out, a lease is never
held twice, and a dead worker's campaigns go to the living, who hear which ones they gained."""

from __future__ import annotations

from sqlalchemy import text

from app.dialer.leases import LeaseKeeper
from app.store import leases as lease_store
from app.store.engine import open_store
from tests.dialer.helpers import make_campaign


def _keeper(store, wanted: set[int], heard: list):
    return LeaseKeeper(
        store, lambda: wanted, lambda held, gained, holders: heard.append((held, gained, holders))
    )


def test_two_workers_share_four_campaigns_and_the_survivor_takes_them_all(home, pg_url):
    store = open_store(home, pg_url)
    campaigns = {make_campaign(store, f"C{i}", [f"+1212555010{i}"])[0] for i in range(4)}
    heard_a, heard_b = [], []
    a, b = _keeper(store, campaigns, heard_a), _keeper(store, campaigns, heard_b)
    with store.engine.begin() as conn:  # both started together: each sees the other
        lease_store.here(conn, a.worker, a.ttl_s)
        lease_store.here(conn, b.worker, b.ttl_s)
    a.beat()
    b.beat()
    assert len(a.held) == len(b.held) == 2 and a.held | b.held == campaigns
    assert heard_b[-1] == (b.held, b.held, 2)  # gained: reconcile these before dialing
    a.beat()  # renewed, and now it shares the CPS cap with B
    assert heard_a[-1] == (a.held, set(), 2)

    # A dies: its presence and leases run out; B takes its campaigns (and hears which).
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE worker_leases SET expires_at = expires_at - interval '1 hour' "
                "WHERE worker = :w"
            ),
            {"w": a.worker.id},
        )
        conn.execute(
            text(
                "UPDATE dialer_workers SET expires_at = expires_at - interval '1 hour' "
                "WHERE worker = :w"
            ),
            {"w": a.worker.id},
        )
    taken_from_a = set(a.held)
    b.beat()
    assert b.held == campaigns
    assert heard_b[-1] == (campaigns, taken_from_a, 1)
    # A comes back (it had stalled): it cannot renew what B holds, and drops it.
    a.beat()
    assert a.held == set() and heard_a[-1][0] == set()
    b.release_all()
    with store.engine.connect() as conn:
        assert lease_store.leases(conn) == []
    store.dispose()
