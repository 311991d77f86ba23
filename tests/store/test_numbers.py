from dataclasses import dataclass

from app.store import numbers


@dataclass(frozen=True)
class Listed:  # what a provider lists (app.telephony.base.OwnedNumber's fields)
    sid: str
    phone_number: str
    friendly_name: str
    kind: str


def test_manual_numbers_are_added_once_and_unverified(store):
    with store.session.begin() as session:
        assert numbers.add_manual_number(session, "+14155550100") is True
        assert numbers.add_manual_number(session, "+14155550100") is False
    with store.session() as session:
        [number] = numbers.list_numbers(session)
    assert number == numbers.NumberRecord("+14155550100", "", "manual", False)
    assert not number.can_call_from


def test_account_numbers_update_what_is_there_and_add_the_rest(store):
    with store.session.begin() as session:
        numbers.add_manual_number(session, "+14155550100")
    listed = [
        Listed("PN1", "+14155550100", "Main line", "verified"),
        Listed("PN2", "+15005550006", "Demo", "owned"),
    ]
    with store.session.begin() as session:
        assert numbers.record_account_numbers(session, listed) == 2
        numbers.record_account_numbers(
            session, [Listed("PN3", "+14155550199", "(415) 555-0199", "owned")]
        )
    with store.session() as session:
        rows = numbers.list_numbers(session)
    assert rows == [
        numbers.NumberRecord("+14155550100", "Main line", "verified", True),
        numbers.NumberRecord("+14155550199", "(415) 555-0199", "owned", True),
        numbers.NumberRecord("+15005550006", "Demo", "owned", True),
    ]
    assert all(r.can_call_from for r in rows)
