import pytest

from app.domain.status import (
    FINAL_STATUSES,
    TRANSITIONS,
    ContactStatus,
    IllegalTransition,
    can_transition,
    transition,
)

S = ContactStatus

LEGAL = [
    (S.QUEUED, S.CALLING),
    (S.CALLING, S.CONNECTED),
    (S.CALLING, S.COMPLETED),
    (S.CALLING, S.NO_ANSWER),
    (S.CALLING, S.BUSY),
    (S.CALLING, S.FAILED),
    (S.CALLING, S.QUEUED),
    (S.CONNECTED, S.COMPLETED),
    (S.CONNECTED, S.FAILED),
    (S.NO_ANSWER, S.CALLING),
    (S.BUSY, S.CALLING),
    (S.FAILED, S.CALLING),
    (S.COMPLETED, S.CALLING),  # a callback the agent booked
    (S.CALLING, S.VOICEMAIL),  # a machine answered
    (S.CONNECTED, S.VOICEMAIL),  # async AMD says so after the answer
    (S.VOICEMAIL, S.CALLING),  # the machine-answered retry rule
]


def test_the_table_is_exactly_the_documented_lifecycle():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == set(LEGAL)


@pytest.mark.parametrize(("current", "new"), LEGAL)
def test_every_legal_transition_is_allowed(current, new):
    assert transition(current, new) is new
    assert transition(current.value, new.value) is new  # stored strings work too
    assert can_transition(current, new)


ILLEGAL = [
    (S.QUEUED, S.CONNECTED),
    (S.QUEUED, S.COMPLETED),
    (S.QUEUED, S.QUEUED),
    (S.COMPLETED, S.QUEUED),
    (S.COMPLETED, S.CONNECTED),
    (S.CONNECTED, S.NO_ANSWER),
    (S.CONNECTED, S.BUSY),
    (S.CONNECTED, S.CALLING),
    (S.NO_ANSWER, S.COMPLETED),
    (S.BUSY, S.QUEUED),
    (S.FAILED, S.CONNECTED),
    (S.VOICEMAIL, S.COMPLETED),
    (S.QUEUED, S.VOICEMAIL),
]


@pytest.mark.parametrize(("current", "new"), ILLEGAL)
def test_illegal_transitions_raise(current, new):
    assert not can_transition(current, new)
    with pytest.raises(IllegalTransition) as raised:
        transition(current, new)
    assert raised.value.current is current and raised.value.new is new
    assert current.value in str(raised.value) and new.value in str(raised.value)


def test_completed_is_dialled_again_only_for_a_callback_and_finals_are_the_five_outcomes():
    assert TRANSITIONS[S.COMPLETED] == frozenset({S.CALLING})
    finals = {"completed", "no_answer", "busy", "failed", "voicemail"}
    assert {s.value for s in FINAL_STATUSES} == finals
    assert S.CALLING.is_live and S.CONNECTED.is_live and not S.QUEUED.is_live


def test_unknown_status_is_rejected():
    with pytest.raises(ValueError):
        transition("queued", "ringing")


def test_live_statuses_are_the_ones_in_flight():
    from app.domain.status import LIVE_STATUSES

    assert LIVE_STATUSES == (S.CALLING, S.CONNECTED)
    assert {s for s in S if s.is_live} == set(LIVE_STATUSES)
    assert not set(LIVE_STATUSES) & FINAL_STATUSES
    assert set(S) == set(LIVE_STATUSES) | FINAL_STATUSES | {S.QUEUED}


def test_running_and_scheduled_campaigns_are_pausable():
    from app.domain.status import PAUSABLE_STATES, CampaignState

    assert {s for s in CampaignState if s.is_pausable} == {"running", "scheduled"}
    assert set(PAUSABLE_STATES) == {CampaignState.RUNNING, CampaignState.SCHEDULED}


def test_final_twilio_statuses():
    from app.domain.status import TWILIO_CALL_STATUSES, TWILIO_FINAL_STATUSES
    from app.telephony.base import TWILIO_TO_CONTACT_STATUS

    assert {"completed", "busy", "no-answer", "canceled", "failed"} == TWILIO_FINAL_STATUSES
    assert set(TWILIO_CALL_STATUSES) > TWILIO_FINAL_STATUSES
    assert set(TWILIO_CALL_STATUSES) == set(TWILIO_TO_CONTACT_STATUS)
    # A final Twilio status ends the contact's attempt; a live one keeps it in flight.
    for status in TWILIO_CALL_STATUSES:
        contact = ContactStatus(TWILIO_TO_CONTACT_STATUS[status])
        assert contact.is_final == (status in TWILIO_FINAL_STATUSES)
