"""Regenerate the fixture databases, one per schema revision: calldeck-0001.db, -0002.db, ….

    .venv/bin/python -m tests.data.db.make_fixtures          # every revision
    .venv/bin/python -m tests.data.db.make_fixtures 0004     # just one (after a new migration)

Each file is a real SQLite database made by running the packaged migrations up to that revision
and inserting the same few rows with plain SQL (the models describe the head schema, not the
old ones): an agent, a caller-ID, a paused campaign, five contacts and their calls in each
recording/transcript state, two transcript turns, a DNC entry and a setting.
tests/store/test_upgrade_fixtures.py opens each the way the app does and checks the upgrade.

A file once committed is left alone: it stands for databases users already have. Add the file
for a new revision when its migration is added; regenerate an old one only to fix the fixture.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from alembic import command

from app.store.engine import make_engine
from app.store.migrate import MIGRATIONS, alembic_config

HERE = Path(__file__).resolve().parent
AT = "2026-11-20 14:0{}:00.000000"  # how SQLAlchemy's DateTime stores a naive UTC time

CAMPAIGN = "Spring renewals"
# (name, phone, status, attempts); the calls below belong to these contacts, in order.
CONTACTS = [
    ("Ada Lovelace", "+14155550101", "completed", 1),
    ("Grace Hopper", "+14155550102", "no_answer", 1),
    ("Alan Turing", "+14155550103", "completed", 1),
    ("Edsger Dijkstra", "+14155550104", "calling", 1),
    ("Barbara Liskov", "+14155550105", "queued", 0),
]
# (contact index, status, duration_s, answered_by, recording_state, transcript_state,
#  disposition, notes)
CALLS = [
    (0, "completed", 42, "human", "downloaded", "done", "Interested", "call back in May"),
    (1, "no_answer", None, None, "none", "none", None, ""),
    (
        2,
        "completed",
        17,
        "machine_end_beep",
        "unavailable: the provider kept no audio",
        "unavailable: no recording",
        "Voicemail",
        "",
    ),
    (3, "calling", None, None, None, None, None, ""),
]
TURNS = [
    (0, "agent", "Hello, is this Ada?", 0.4),
    (0, "callee", "It is. Tell me more.", 1.9),
]


def revisions() -> list[str]:
    """Every packaged revision, oldest first (file names start with the revision id)."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def make_fixture(revision: str, target: Path) -> Path:
    target.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{target}")
    command.upgrade(alembic_config(engine), revision)
    engine.dispose()
    with sqlite3.connect(target) as db:
        _insert_rows(db, has_from_number=_has_column(db, "calls", "from_number"))
    db.close()
    with sqlite3.connect(target) as db:  # one self-contained file: no -wal beside it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    with sqlite3.connect(target) as db:
        db.execute("VACUUM")
    db.close()
    return target


def _has_column(db: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})"))


def _insert_rows(db: sqlite3.Connection, *, has_from_number: bool) -> None:
    db.execute(
        "INSERT INTO agents (id, name, greeting, business_info, knowledge_base, tools, flow, "
        "created_at) VALUES (1, 'Renewals agent', 'Hi, this is Sam from Acme.', 'Acme Energy', "
        "'', '[\"end_call\"]', '{}', ?)",
        (AT.format(0),),
    )
    db.execute(
        "INSERT INTO phone_numbers (id, e164, friendly_name, provider_sid, kind, verified, "
        "created_at) VALUES (1, '+15005550006', 'Demo line', 'PN00000000000000000000000000000001', "
        "'owned', 1, ?)",
        (AT.format(0),),
    )
    db.execute(
        "INSERT INTO campaigns (id, name, agent_id, caller_id_id, concurrency, per_minute, "
        "max_attempts, retry_delay_min, start_at, window_start, window_end, window_days, region, "
        "dispositions, state, created_at, updated_at) VALUES (1, ?, 1, 1, 2, 10, 3, 30, NULL, "
        "'08:00', '21:00', 'mon,tue,wed,thu,fri', 'US', "
        '\'["Interested", "Not interested", "Voicemail"]\', \'paused\', ?, ?)',
        (CAMPAIGN, AT.format(0), AT.format(1)),
    )
    for index, (name, phone, status, attempts) in enumerate(CONTACTS, start=1):
        db.execute(
            "INSERT INTO contacts (id, campaign_id, phone, name, fields, status, attempts, "
            "next_attempt_at, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, NULL, ?, ?)",
            (index, phone, name, '{"plan": "gold"}', status, attempts, AT.format(0), AT.format(2)),
        )
    for index, call in enumerate(CALLS, start=1):
        _insert_call(db, index, call, has_from_number=has_from_number)
    db.executemany(
        "INSERT INTO transcript_turns (call_id, speaker, text, offset_s) VALUES (?, ?, ?, ?)",
        [(contact + 1, speaker, text, offset) for contact, speaker, text, offset in TURNS],
    )
    db.execute(
        "INSERT INTO dnc (phone, reason, source, created_at) "
        "VALUES ('+14155550199', 'asked on a call', 'call', ?)",
        (AT.format(3),),
    )
    db.execute("INSERT INTO settings (key, value) VALUES ('operator_name', '\"sam\"')")


def _insert_call(db: sqlite3.Connection, call_id: int, call: tuple, *, has_from_number: bool):
    contact, status, duration, answered_by, recording, transcript, disposition, notes = call
    ended = status not in ("calling", "connected")
    values = {
        "id": call_id,
        "campaign_id": 1,
        "contact_id": contact + 1,
        "attempt": 1,
        "provider_sid": f"CA{call_id:032d}",
        "status": status,
        "provider_status": {"no_answer": "no-answer"}.get(status, status) if ended else None,
        "created_at": AT.format(call_id),
        "answered_at": AT.format(call_id) if duration else None,
        "ended_at": AT.format(call_id) if ended else None,
        "duration_s": duration,
        "answered_by": answered_by,
        "recording_sid": f"RE{call_id:032d}" if recording == "downloaded" else None,
        "recording_path": f"recordings/RE{call_id:032d}.wav" if recording == "downloaded" else None,
        "recording_state": recording,
        "transcript_state": transcript,
        "disposition": disposition,
        "notes": notes,
        "notes_by": "sam" if notes else None,
        "notes_at": AT.format(5) if notes else None,
    }
    if has_from_number:
        values["from_number"] = "+15005550006"
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    db.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", values)


def copy_fixture(revision: str, home: Path) -> Path:
    """Put the revision's fixture in *home* as the app's database file; returns its path."""
    target = home / "calldeck.db"
    shutil.copy2(HERE / f"calldeck-{revision}.db", target)
    return target


def main(argv: list[str]) -> None:
    for revision in argv or revisions():
        path = make_fixture(revision, HERE / f"calldeck-{revision}.db")
        print(f"wrote {path.relative_to(HERE)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
