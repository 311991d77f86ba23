"""`calldeck db check [--json]`: the database's reachability, schema and dialers (app.store.check).

Exit codes: 0 reachable (whatever its schema), 2 it cannot be reached or read (one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC

EXIT_OK, EXIT_UNREACHABLE = 0, 2


def add_db_parser(sub, common: argparse.ArgumentParser) -> None:
    db = sub.add_parser("db", parents=[common], help="check the (shared) database")
    actions = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", parents=[common], help="reachable? schema version? which workers dial?"
    )
    check.add_argument("--json", action="store_true")


def cmd_db(args: argparse.Namespace) -> int:
    from app.paths import data_home
    from app.store.check import check_database
    from app.store.engine import database_url
    from app.store.errors import StoreError

    url = database_url(data_home(args.home), args.db)
    try:
        found = check_database(url)
    except StoreError as exc:
        print(f"calldeck db check: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    workers = [
        {
            "worker": worker,
            "host": held[0].host,
            "pid": held[0].pid,
            "campaigns": [
                {
                    "id": lease.campaign_id,
                    "name": lease.campaign,
                    "since": _iso(lease.acquired_at),
                    "expires_at": _iso(lease.expires_at),
                }
                for lease in held
            ],
        }
        for worker, held in found.workers().items()
    ]
    if args.json:
        summary = {
            "url": found.url,
            "reachable": True,
            "server": found.server,
            "schema": {
                "current": found.current,
                "head": found.head,
                "up_to_date": found.up_to_date,
            },
            "workers": workers,
        }
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{found.url}: reachable ({found.server})")
    if found.up_to_date:
        state = "up to date"
    elif found.current is None:
        state = "empty: the first CallDeck to open it creates the tables"
    elif found.current > found.head:
        state = "newer than this CallDeck: update it"
    else:
        state = "older: the next CallDeck to open it upgrades it"
    print(f"schema: {found.current or 'none'} (this CallDeck: {found.head}; {state})")
    if not workers:
        print("workers: none holds a campaign lease")
    for worker in workers:
        names = ", ".join(f"{c['name']} (#{c['id']})" for c in worker["campaigns"])
        print(f"worker {worker['worker']}: dials {names}")
    return EXIT_OK


def _iso(moment) -> str:
    return moment.replace(tzinfo=UTC).isoformat()
