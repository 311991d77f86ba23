"""The upgrade fixtures' rows (tests/data/db/make_fixtures.py), written into a PostgreSQL
database at an old revision with plain SQL, as a team's server would hold them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, inspect, text

from tests.data.db import make_fixtures as fx


def _at(minute: int) -> datetime:
    return datetime.fromisoformat(fx.AT.format(minute))


def seed_rows(engine: Engine) -> int:
    """The fixtures' campaign, contacts, calls and turns; returns the campaign id."""
    with engine.begin() as conn:
        calls_have = {c["name"] for c in inspect(conn).get_columns("calls")}
        phone_id = conn.scalar(
            text(
                "INSERT INTO phone_numbers (e164, friendly_name, provider_sid, kind, verified, "
                "created_at) VALUES ('+15005550006', 'Demo line', 'PN1', 'owned', true, :at) "
                "RETURNING id"
            ),
            {"at": _at(0)},
        )
        campaign_id = conn.scalar(
            text(
                "INSERT INTO campaigns (name, caller_id_id, concurrency, per_minute, max_attempts, "
                "retry_delay_min, window_start, window_end, window_days, region, dispositions, "
                "state, created_at, updated_at) VALUES (:name, :phone, 2, 10, 3, 30, '08:00', "
                "'21:00', 'mon-fri', 'US', '[\"Interested\"]', 'paused', :at, :at) RETURNING id"
            ),
            {"name": fx.CAMPAIGN, "phone": phone_id, "at": _at(0)},
        )
        contact_ids = [
            conn.scalar(
                text(
                    "INSERT INTO contacts (campaign_id, phone, name, fields, status, attempts, "
                    "created_at, updated_at) VALUES (:c, :phone, :name, '{}', :status, :attempts, "
                    ":at, :at) RETURNING id"
                ),
                {
                    "c": campaign_id,
                    "phone": phone,
                    "name": name,
                    "status": status,
                    "attempts": attempts,
                    "at": _at(1),
                },
            )
            for name, phone, status, attempts in fx.CONTACTS
        ]
        call_ids = []
        for index, (contact, status, duration, answered_by, _, _, disposition, notes) in enumerate(
            fx.CALLS, start=1
        ):
            values = {
                "campaign_id": campaign_id,
                "contact_id": contact_ids[contact],
                "attempt": 1,
                "provider_sid": f"CA{index:032d}",
                "status": status,
                "created_at": _at(index),
                "duration_s": duration,
                "answered_by": answered_by,
                "disposition": disposition,
                "notes": notes,
            }
            if "from_number" in calls_have:
                values["from_number"] = "+15005550006"
            columns = ", ".join(values)
            marks = ", ".join(f":{name}" for name in values)
            call_ids.append(
                conn.scalar(
                    text(f"INSERT INTO calls ({columns}) VALUES ({marks}) RETURNING id"), values
                )
            )
        for contact, speaker, said, offset in fx.TURNS:
            conn.execute(
                text(
                    "INSERT INTO transcript_turns (call_id, speaker, text, offset_s) "
                    "VALUES (:call, :speaker, :text, :offset)"
                ),
                {"call": call_ids[contact], "speaker": speaker, "text": said, "offset": offset},
            )
    return campaign_id
