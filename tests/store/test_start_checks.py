"""The checks before Start / Schedule (app.store.start_checks), on a real SQLite store."""

from __future__ import annotations

from app.store.campaigns import create_campaign
from app.store.models import Contact
from app.store.numbers import add_manual_number, record_account_numbers
from app.store.start_checks import AccountInUse, start_refusal
from app.telephony.base import OwnedNumber as Listed

LIVE = AccountInUse(live=True)


def campaign(store, caller_id=None, contacts=()) -> int:
    with store.session.begin() as session:
        made = create_campaign(session, f"C{caller_id}", caller_id=caller_id)
        session.add_all(Contact(campaign_id=made.id, phone=phone) for phone in contacts)
        return made.id


def refusal(store, campaign_id, account=LIVE):
    with store.session() as session:
        return start_refusal(session, campaign_id, account)


def test_no_caller_id_is_refused_with_the_fix(store):
    found = refusal(store, campaign(store))
    assert "has no caller-ID" in found.reason
    assert "pick one of your numbers" in found.fix


def test_a_caller_id_the_account_does_not_own_or_verify_is_refused(store):
    with store.session.begin() as session:
        add_manual_number(session, "+14155550123")
    found = refusal(store, campaign(store, "+14155550123"))
    assert "+14155550123 is not a number this Twilio account owns or has verified" in found.reason
    assert "(error 21210)" in found.reason and "Verify it on the Phone numbers page" in found.fix
    demo = refusal(store, campaign_id_of(store, "C+14155550123"), AccountInUse(live=False))
    assert "the demo account" in demo.reason


def test_an_owned_caller_id_may_start(store):
    with store.session.begin() as session:
        record_account_numbers(session, [Listed("PN1", "+14155550100", "Main", "owned")])
    assert refusal(store, campaign(store, "+14155550100", ["+14155550101"])) is None


def test_a_trial_account_refuses_contacts_that_are_not_verified(store):
    with store.session.begin() as session:
        record_account_numbers(session, [Listed("PN1", "+14155550100", "Main", "owned")])
    cid = campaign(store, "+14155550100", ["+14155550101", "+14155550102"])
    found = refusal(store, cid, AccountInUse(live=True, trial=True))
    assert "trial Twilio account" in found.reason
    assert "2 contact(s)" in found.reason and "+14155550101, +14155550102" in found.reason
    assert "upgrade the account" in found.fix


def test_the_dialers_own_refusal_is_said_last(store):
    with store.session.begin() as session:
        record_account_numbers(session, [Listed("PN1", "+14155550100", "Main", "owned")])
    cid = campaign(store, "+14155550100")
    found = refusal(store, cid, AccountInUse(live=True, dialer_refusal="No public address."))
    assert str(found) == "No public address."


def campaign_id_of(store, name: str) -> int:
    from app.store.campaigns import get_by_name

    with store.session() as session:
        return get_by_name(session, name).id


def test_until_the_accounts_numbers_are_read_the_caller_id_is_left_to_twilio(store):
    with store.session.begin() as session:
        add_manual_number(session, "+14155550124")
    unknown = AccountInUse(live=True, trial=True, numbers_known=False)
    assert refusal(store, campaign(store, "+14155550124", ["+14155550101"]), unknown) is None
