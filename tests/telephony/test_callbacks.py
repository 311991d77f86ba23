"""Signature checks and SequenceNumber ordering of status callbacks (pure logic)."""

from __future__ import annotations

from twilio.request_validator import RequestValidator

from app.telephony.callbacks import StatusCallbackOrderer, is_valid_signature
from app.telephony.emulator.signing import twilio_signature

TOKEN = "12345678901234567890123456789012"
URL = "https://calldeck.example.com/twilio/status?campaign=3"


def event(seq: int, status: str, sid: str = "CA1") -> dict[str, str]:
    return {"CallSid": sid, "SequenceNumber": str(seq), "CallStatus": status}


def test_emulator_signature_is_what_twilios_validator_accepts():
    params = {"CallSid": "CA1", "CallStatus": "ringing", "Empty": "", "SequenceNumber": "1"}
    sig = twilio_signature(TOKEN, URL, params.items())
    assert sig == RequestValidator(TOKEN).compute_signature(URL, params)
    assert is_valid_signature(TOKEN, URL, params, sig)
    # Twilio validators also accept the URL with the default port added.
    assert is_valid_signature(TOKEN, URL.replace(".com/", ".com:443/"), params, sig)


def test_tampered_or_missing_signature_is_rejected():
    params = {"CallSid": "CA1", "CallStatus": "completed"}
    sig = twilio_signature(TOKEN, URL, params.items())
    assert not is_valid_signature(TOKEN, URL, {**params, "CallStatus": "busy"}, sig)
    assert not is_valid_signature("x" * 32, URL, params, sig)
    assert not is_valid_signature(TOKEN, URL, params, None)


def test_in_order_events_pass_straight_through():
    o = StatusCallbackOrderer()
    assert o.push(event(0, "initiated")) == [event(0, "initiated")]
    assert o.push(event(1, "ringing")) == [event(1, "ringing")]


def test_out_of_order_events_are_held_then_released_in_sequence():
    o = StatusCallbackOrderer()
    assert o.push(event(2, "in-progress")) == []
    assert o.push(event(1, "ringing")) == []
    released = o.push(event(0, "initiated"))
    assert [e["SequenceNumber"] for e in released] == ["0", "1", "2"]


def test_duplicates_and_stale_events_are_dropped():
    o = StatusCallbackOrderer()
    o.push(event(0, "initiated"))
    assert o.push(event(0, "initiated")) == []
    o.push(event(2, "in-progress"))
    assert o.push(event(2, "in-progress")) == []


def test_final_status_releases_across_a_gap_and_closes_the_call():
    o = StatusCallbackOrderer()
    o.push(event(0, "initiated"))
    assert o.push(event(2, "in-progress")) == []  # 1 (ringing) was lost
    released = o.push(event(3, "completed"))
    assert [e["CallStatus"] for e in released] == ["in-progress", "completed"]
    assert o.push(event(1, "ringing")) == []  # too late: the call is over


def test_flush_gives_up_on_a_gap_and_calls_are_independent():
    o = StatusCallbackOrderer()
    o.push(event(1, "ringing", "CA1"))
    assert o.push(event(0, "initiated", "CA2")) == [event(0, "initiated", "CA2")]
    assert o.flush("CA1") == [event(1, "ringing", "CA1")]
    assert o.push(event(2, "in-progress", "CA1")) == [event(2, "in-progress", "CA1")]
