import pytest

from app.store import contacts
from app.store.campaigns import (
    CampaignError,
    campaign_region,
    create_campaign,
    record_start_or_pause,
)
from app.store.contacts import ContactFilter
from app.store.models import Call, Contact, DncEntry


@pytest.fixture
def campaign_id(store):
    with store.session.begin() as session:
        campaign = create_campaign(session, "Spring", caller_id="+15005550006", region="GB")
        people = [
            ("+14155550100", "Ada", "completed", {"company": "Acme"}),
            ("+14155550101", "Bob", "queued", {"plan": "gold"}),
            ("+14155550102", "Cy", "busy", {}),
        ]
        for phone, name, status, fields in people:
            session.add(
                Contact(
                    campaign_id=campaign.id, phone=phone, name=name, status=status, fields=fields
                )
            )
        session.add(DncEntry(phone="+14155550101"))
        return campaign.id


def _ids_by_name(store, campaign_id):
    with store.session() as session:
        ids = contacts.contact_ids(session, campaign_id)
        return {r.name: r.id for r in contacts.contact_records(session, ids).values()}


def test_ids_filter_by_status_and_search(store, campaign_id):
    by_name = _ids_by_name(store, campaign_id)
    with store.session() as session:
        assert contacts.contact_ids(session, campaign_id) == sorted(by_name.values())
        only_busy = contacts.contact_ids(session, campaign_id, ContactFilter(status="busy"))
        assert only_busy == [by_name["Cy"]]
        assert contacts.contact_ids(session, campaign_id, ContactFilter(search=" bo ")) == [
            by_name["Bob"]
        ]
        assert contacts.contact_ids(session, campaign_id, ContactFilter(search="0102")) == [
            by_name["Cy"]
        ]
        assert contacts.contact_ids(session, campaign_id + 1) == []


def test_variables_come_from_the_first_contacts(store, campaign_id):
    with store.session() as session:
        assert contacts.contact_variables(session, campaign_id, sample=10) == ["company", "plan"]
        assert contacts.contact_variables(session, campaign_id, sample=1) == ["company"]


def test_records_carry_the_last_finished_call_and_the_dnc_flag(store, campaign_id):
    by_name = _ids_by_name(store, campaign_id)
    ada, cy = by_name["Ada"], by_name["Cy"]
    with store.session.begin() as session:
        for attempt, status, error in [(1, "busy", None), (2, "failed", "Carrier said no")]:
            session.add(
                Call(
                    campaign_id=campaign_id,
                    contact_id=ada,
                    attempt=attempt,
                    status=status,
                    error_message=error,
                )
            )
        session.add(Call(campaign_id=campaign_id, contact_id=cy, attempt=1, status="calling"))
    with store.session() as session:
        records = contacts.contact_records(session, [ada, by_name["Bob"], cy, 10_000])
    assert set(records) == {ada, by_name["Bob"], cy}  # a deleted id is simply missing
    assert (records[ada].last_call_status, records[ada].last_call_error) == (
        "failed",
        "Carrier said no",
    )
    assert records[cy].last_call_status is None  # a call in flight is not an outcome
    assert records[by_name["Bob"]].on_dnc_list and not records[ada].on_dnc_list
    assert records[ada].fields == {"company": "Acme"} and records[ada].status == "completed"


def test_start_pause_and_region_by_id(store, campaign_id):
    with store.session.begin() as session:
        assert campaign_region(session, campaign_id) == "GB"
        assert record_start_or_pause(session, campaign_id, pausing=False) == "running"
        assert record_start_or_pause(session, campaign_id, pausing=True) == "paused"
    with (
        pytest.raises(CampaignError, match="no longer exists"),
        store.session.begin() as session,
    ):
        record_start_or_pause(session, campaign_id + 1, pausing=True)
