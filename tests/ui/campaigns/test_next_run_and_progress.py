"""The campaigns table's Next run never shows a past time (nor one for a paused campaign),
says why it waits, and progress does not count a contact with a retry or callback ahead."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from app.store.campaigns import CampaignSummary, create_campaign, list_campaigns
from app.store.models import Contact
from app.ui.campaigns.campaigns_model import (
    NEXT_RUN_COLUMN,
    PROGRESS_COLUMN,
    CampaignsTableModel,
    ProgressRole,
    next_run,
)

NOW = datetime(2026, 12, 1, 16, 8, tzinfo=UTC)
PAST = NOW - timedelta(hours=2)
LATER = NOW + timedelta(hours=3)
SUMMARY = CampaignSummary(
    id=1,
    name="Spring",
    agent=None,
    caller_id=None,
    state="running",
    concurrency=1,
    per_minute=10,
    start_at=None,
    counts={"queued": 0, "completed": 3},
    next_attempt_at=PAST,
)


def when(moment: datetime) -> str:
    return moment.astimezone().strftime("%a %d %b %H:%M")


def test_a_paused_campaign_shows_no_next_run_even_with_a_past_retry():
    cell, tip = next_run(replace(SUMMARY, state="paused"), None, NOW)
    assert cell == "" and tip.startswith("Paused")


def test_a_running_campaign_outside_its_hours_shows_when_they_open_and_whose():
    local = "08:00 in the contacts' time zone (Los Angeles)"
    cell, tip = next_run(SUMMARY, lambda cid: (LATER, "window", local), NOW)
    assert cell == when(LATER)
    assert tip == f"Outside calling hours: they open at {local}"


def test_a_past_retry_is_never_shown():
    assert next_run(SUMMARY, None, NOW) == ("", "")  # nothing queued, the retry is past
    queued = replace(SUMMARY, counts={"queued": 4})
    assert next_run(queued, lambda cid: (PAST, "retry", ""), NOW)[0] == "Now"
    ahead = replace(SUMMARY, next_attempt_at=LATER)
    assert next_run(ahead, None, NOW)[0] == when(LATER)


def test_a_scheduled_campaign_shows_its_start():
    scheduled = replace(SUMMARY, state="scheduled", start_at=LATER)
    assert next_run(scheduled, None, NOW) == (when(LATER), "Scheduled start")


def test_progress_leaves_out_retries_and_booked_callbacks(qtbot, store):
    with store.session.begin() as session:
        campaign = create_campaign(session, "Spring", caller_id="+15005550006")
        session.flush()
        for i, (status, next_at) in enumerate(
            [
                ("completed", None),
                ("completed", LATER),  # a booked callback
                ("no_answer", LATER),  # a retry ahead
                ("failed", None),
                ("queued", None),
            ]
        ):
            session.add(
                Contact(
                    campaign_id=campaign.id,
                    phone=f"+1202555010{i}",
                    status=status,
                    attempts=1,
                    next_attempt_at=next_at,
                )
            )
    with store.session() as session:
        (summary,) = list_campaigns(session)
    assert (summary.done, summary.awaiting, summary.total) == (2, 2, 5)
    model = CampaignsTableModel(store)
    model.refresh()
    assert model.data(model.index(0, PROGRESS_COLUMN), ProgressRole) == (2, 5)
    tip = model.data(model.index(0, PROGRESS_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert tip == "2 done; 2 more waiting for a retry or a callback"
    assert model.data(model.index(0, NEXT_RUN_COLUMN)) == ""  # a draft: nothing to run
