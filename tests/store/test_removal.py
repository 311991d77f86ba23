"""Removing contacts, campaigns and DNC entries: what is lost is counted first; undo restores."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.store import dnc
from app.store.campaigns import (
    CampaignError,
    archive_campaign,
    campaign_contents,
    create_campaign,
    delete_campaign,
    list_campaigns,
)
from app.store.contacts import (
    matching_ids,
    plan_removal,
    remove_contacts,
    restore_contacts,
)
from app.store.counters import read_counters
from app.store.models import Call, Campaign, Contact, TranscriptTurn
from app.store.types import utcnow


@pytest.fixture
def campaign_id(store):
    with store.session.begin() as session:
        campaign = create_campaign(session, "Spring", caller_id="+15005550006")
        for n, status in enumerate(["completed", "queued", "busy", "calling"]):
            contact = Contact(campaign_id=campaign.id, phone=f"+1415555010{n}", status=status)
            session.add(contact)
            session.flush()
            if status != "queued":
                call = Call(
                    campaign_id=campaign.id,
                    contact_id=contact.id,
                    attempt=1,
                    status=status,
                    recording_path=f"/rec/{n}.wav" if status == "completed" else None,
                )
                session.add(call)
                session.flush()
                session.add(TranscriptTurn(call_id=call.id, speaker="callee", text="hi"))
        return campaign.id


def _counts(store, campaign_id):
    with store.session() as session:
        return (
            session.scalar(select(func.count()).where(Contact.campaign_id == campaign_id)),
            session.scalar(select(func.count()).select_from(Call)),
            session.scalar(select(func.count()).select_from(TranscriptTurn)),
            read_counters(session, campaign_id),
        )


def test_a_removal_counts_what_it_loses_and_spares_contacts_on_a_call(store, campaign_id):
    with store.session() as session:
        every = matching_ids(session, campaign_id)
        plan = plan_removal(session, campaign_id, every)
    assert (plan.contacts, plan.calls, plan.recordings, plan.live) == (3, 2, 1, 1)


def test_undo_puts_back_the_contacts_their_calls_and_the_counters(store, campaign_id):
    before = _counts(store, campaign_id)
    with store.session.begin() as session:
        busy = matching_ids(session, campaign_id, status="busy")
        removed = remove_contacts(session, plan_removal(session, campaign_id, busy), campaign_id)
    assert removed.count == 1
    after = _counts(store, campaign_id)
    assert after[:3] == (before[0] - 1, before[1] - 1, before[2] - 1)
    assert after[3].get(("contact_status", "busy"), 0) == 0

    with store.session.begin() as session:
        assert restore_contacts(session, removed) == 1
    assert _counts(store, campaign_id) == before  # the counters too, by their triggers


def test_undo_keeps_a_number_imported_again_in_the_meantime(store, campaign_id):
    with store.session.begin() as session:
        queued = matching_ids(session, campaign_id, status="queued")
        removed = remove_contacts(session, plan_removal(session, campaign_id, queued), campaign_id)
        session.add(Contact(campaign_id=campaign_id, phone=removed.contacts[0]["phone"]))
    with store.session.begin() as session:
        assert restore_contacts(session, removed) == 0


def test_an_archived_campaign_is_paused_and_leaves_the_list(store, campaign_id):
    with store.session.begin() as session:
        session.get(Campaign, campaign_id).state = "running"
        archive_campaign(session, campaign_id)
    with store.session() as session:
        assert list_campaigns(session, archived=False) == []
        [archived] = list_campaigns(session, archived=True)
        assert (archived.state, archived.archived) == ("paused", True)
    with store.session.begin() as session:
        archive_campaign(session, campaign_id, archived=False)
        assert [s.name for s in list_campaigns(session, archived=False)] == ["Spring"]


def test_a_campaign_with_live_calls_is_not_deleted(store, campaign_id):
    with store.session() as session:
        contents = campaign_contents(session, campaign_id)
    assert (contents.contacts, contents.calls, contents.recordings) == (4, 3, 1)
    with store.session.begin() as session, pytest.raises(CampaignError, match="in progress"):
        delete_campaign(session, campaign_id)


def test_deleting_a_campaign_takes_everything_and_names_its_recordings(store, campaign_id):
    with store.session.begin() as session:
        session.execute(
            Contact.__table__.update().values(status="completed").where(Contact.status == "calling")
        )
        assert delete_campaign(session, campaign_id) == ["/rec/0.wav"]
    assert _counts(store, campaign_id)[:3] == (0, 0, 0)


def test_dnc_entries_are_listed_searched_removed_and_restored(store, campaign_id):
    said = 'asked on the call of 2026-12-01 at 0:12: "take me off your list"'
    with store.session.begin() as session:
        added = dnc.add_entries(
            session,
            [
                dnc.DncRecord("+14155550100", "call", said, utcnow()),
                dnc.DncRecord("+442079460958", "manual", "", utcnow()),
                dnc.DncRecord("+14155550100", "import", "again", utcnow()),
            ],
        )
    assert added == 2
    with store.session() as session:
        [found] = dnc.list_entries(session, "off your list")
        assert (found.phone, found.source_label) == ("+14155550100", "Asked on a call")
        assert dnc.campaigns_calling(session, ["+14155550100"]) == [("Spring", 1)]
    with store.session.begin() as session:
        removed = dnc.remove_entries(session, ["+14155550100"])
    with store.session.begin() as session:
        assert dnc.count_entries(session) == 1
        dnc.add_entries(session, removed)
        assert dnc.list_entries(session, "0:12")[0].reason == said
