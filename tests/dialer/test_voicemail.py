"""Each voicemail mode on the emulator's voicemail persona (a last digit 5), end to end: the
agent never talks over the greeting; a message is left after the beep, or the machine is
hung up on and the contact retried later, or no detection is asked for at all."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.store.models import Contact
from app.telephony.emulator.conversation import greeting_length
from app.telephony.emulator.personas import BEEP_S, VOICEMAIL
from tests.dialer.callback_campaigns import calls_by_phone, reminder_campaign, run_campaign

PERSON = "+12125550100"
LEAVE, RETRY, UNDETECTED = "+12125550105", "+12125550115", "+12125550125"


def test_each_voicemail_mode_does_what_it_says(store, monkeypatch):
    reminder_campaign(store, monkeypatch, [LEAVE, PERSON], "Leave", voicemail_mode="leave_message")
    reminder_campaign(
        store,
        monkeypatch,
        [RETRY],
        "Retry",
        voicemail_mode="hang_up_retry",
        max_attempts=3,
        voicemail_max_attempts=2,
        voicemail_retry_delay_min=90,
    )
    reminder_campaign(store, monkeypatch, [UNDETECTED], "Plain", voicemail_mode="no_detection")
    server, _ = run_campaign(store, 4)
    calls = calls_by_phone(store)
    emulated = {c.to: c for c in server.account.calls.values()}
    with store.session() as session:
        contacts = {c.phone: c for c in session.scalars(select(Contact))}

    # leave_message: AMD waits for the beep; the message is said after it, then the call ends.
    left = calls[LEAVE]
    assert (left.status, left.answered_by, left.outcome) == (
        "voicemail",
        "machine_end_beep",
        "voicemail_left",
    )
    assert contacts[LEAVE].status == "voicemail" and contacts[LEAVE].next_attempt_at is None
    assert "call us back" in left.turns[-1].text  # the transcript has the message
    heard = emulated[LEAVE].conversation.segments
    message = next(s for s in heard if s.speaker == "agent")
    assert [s.speaker for s in heard] == ["callee", "agent"]  # nobody talked over the greeting
    assert message.start >= greeting_length(VOICEMAIL) + BEEP_S
    assert emulated[LEAVE].machine_detection == "DetectMessageEnd"

    # A person on the same campaign: AMD says human and the agent talks to them.
    person = calls[PERSON]
    assert (person.status, person.answered_by, person.outcome) == (
        "completed",
        "human",
        "completed",
    )

    # hang_up_retry: hung up at the greeting's start, tried again under the machine rule.
    retried = calls[RETRY]
    assert (retried.status, retried.answered_by, retried.outcome) == (
        "voicemail",
        "machine_start",
        "voicemail",
    )
    assert not [s for s in emulated[RETRY].conversation.segments if s.speaker == "agent"]
    due = contacts[RETRY].next_attempt_at - retried.ended_at
    assert contacts[RETRY].status == "voicemail"
    assert timedelta(minutes=89) < due < timedelta(minutes=91)

    # no_detection: no AMD at all (no charge, no verdict); the machine is an answered call.
    plain = emulated[UNDETECTED]
    assert plain.machine_detection is None and plain.async_amd_status_callback is None
    assert calls[UNDETECTED].answered_by is None and calls[UNDETECTED].status == "completed"
