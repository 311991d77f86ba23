"""A campaign followed by status callbacks reaches the results polling reaches, with far
fewer status requests (the emulator counts its GET /Calls/{sid})."""

from __future__ import annotations

from sqlalchemy import select

from app.store.engine import open_store
from app.store.models import Contact
from tests.dialer.callback_campaigns import (
    CALL_FETCH,
    calls_by_phone,
    reminder_campaign,
    run_campaign,
)

# A person, one who declines, no answer, busy, a routing failure, an opt-out.
PHONES = ["+12125550100", "+12125550140", "+12125550106", "+12125550107", "+12125550108"]


def outcome_of(store) -> dict[str, tuple]:
    with store.session() as session:
        statuses = dict(session.execute(select(Contact.phone, Contact.status)).all())
    return {
        phone: (call.status, statuses[phone], call.outcome, call.recording_state)
        for phone, call in calls_by_phone(store).items()
    }


def test_callbacks_reach_the_same_results_as_polling_with_far_fewer_polls(tmp_path, monkeypatch):
    results, fetches = {}, {}
    for mode in ("callbacks", "polled"):
        store = open_store(tmp_path / mode)
        try:
            reminder_campaign(store, monkeypatch, PHONES, max_attempts=1)
            server, updates = run_campaign(store, len(PHONES), polled=mode == "polled")
            results[mode], fetches[mode] = outcome_of(store), server.requests[CALL_FETCH]
            if mode == "callbacks":
                assert updates.startswith("Call updates: status callbacks via http://127.0.0.1:")
                assert updates.endswith("/twilio/status")
            else:
                assert updates == "Call updates: polling every 0.05 s (no public address)"
        finally:
            store.dispose()
    assert results["callbacks"] == results["polled"]
    assert results["callbacks"]["+12125550100"][:2] == ("completed", "completed")
    assert results["callbacks"]["+12125550107"][:2] == ("busy", "busy")
    # Each call is still polled now and then (a safety net), but nowhere near as often.
    assert fetches["callbacks"] * 4 < fetches["polled"], fetches
