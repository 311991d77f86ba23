"""Small pure pieces of the provider: URL rewrite, backoff maths, ambiguity detection."""

from __future__ import annotations

import asyncio

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from app.telephony.base import CallRequest
from app.telephony.http_seam import rewrite_url
from app.telephony.retry import Backoff
from app.telephony.transport import may_have_reached_twilio
from app.telephony.twilio_provider import TwilioProvider


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://api.twilio.com/2010-04-01/Accounts.json",
            "http://127.0.0.1:9/2010-04-01/Accounts.json",
        ),
        ("https://intelligence.twilio.com/v2/Transcripts", "http://127.0.0.1:9/v2/Transcripts"),
        ("https://api.dublin.ie1.twilio.com/x", "http://127.0.0.1:9/x"),
        ("https://example.com/twilio.com/x", "https://example.com/twilio.com/x"),
        ("https://nottwilio.community/x", "https://nottwilio.community/x"),
    ],
)
def test_only_twilio_hosts_are_rewritten(url, expected):
    assert rewrite_url(url, "http://127.0.0.1:9/") == expected
    assert rewrite_url(url, None) == url


def test_backoff_is_full_jitter_exponential_and_capped():
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    backoff = Backoff(base_s=0.5, cap_s=4.0, sleep=sleep, rand=lambda: 1.0)
    for attempt in range(5):
        asyncio.run(backoff.wait(attempt))
    assert slept == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert Backoff(rand=lambda: 0.0).delay(3) == 0.0


def test_which_transport_failures_make_a_create_ambiguous():
    refused = requests.exceptions.ConnectionError(
        MaxRetryError(None, "/", NewConnectionError(None, "refused"))
    )
    dropped = requests.exceptions.ConnectionError(ProtocolError("Connection aborted."))
    assert not may_have_reached_twilio(refused)
    assert not may_have_reached_twilio(requests.exceptions.ConnectTimeout())
    assert may_have_reached_twilio(dropped)
    assert may_have_reached_twilio(requests.exceptions.ReadTimeout())


def test_create_parameters_follow_the_sdk_pitfalls():
    provider = TwilioProvider("AC" + "0" * 32, "token")
    params = provider._create_params(
        CallRequest(
            to="+14155550100",
            from_="+15005550006",
            twiml="<Response/>",
            status_callback="https://x.example/cb",
            recording_status_callback="https://x.example/rec",
            amd_status_callback="https://x.example/amd",
            machine_detection="DetectMessageEnd",
            time_limit_s=120,
        )
    )
    assert params["status_callback_event"] == ["initiated", "ringing", "answered", "completed"]
    assert params["async_amd"] == "true" and params["machine_detection"] == "DetectMessageEnd"
    # Async AMD with its callback (without one Twilio logs warning 21262 on every call).
    assert params["async_amd_status_callback"] == "https://x.example/amd"
    assert params["recording_status_callback"] == "https://x.example/rec"
    assert params["recording_status_callback_event"] == ["completed", "absent"]
    assert params["twiml"] == "<Response/>" and "url" not in params
    assert params["time_limit"] == 120 and params["record"] is True
    bare = provider._create_params(
        CallRequest(
            to="+1",
            from_="+1",
            url="https://x.example/t",
            amd_status_callback="https://x.example/amd",
        )
    )
    assert "machine_detection" not in bare and "async_amd" not in bare and bare["url"]
    assert "async_amd_status_callback" not in bare
    with pytest.raises(ValueError):
        provider._create_params(CallRequest(to="+1", from_="+1"))
    asyncio.run(provider.close())


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("https://calldeck.example.com/cb", True),
        ("http://localhost:8080/cb", False),
        ("http://127.0.0.1:8080/cb", False),
        ("http://[::1]:8080/cb", False),
    ],
)
def test_loopback_callbacks_are_kept_from_real_twilio_but_not_the_emulator(url, sent):
    req = CallRequest(
        to="+14155550100", from_="+15005550006", twiml="<Response/>", status_callback=url
    )
    real = TwilioProvider("AC" + "0" * 32, "token")
    emulated = TwilioProvider("AC" + "0" * 32, "token", base_url="http://127.0.0.1:9")
    assert ("status_callback" in real._create_params(req)) is sent
    assert emulated._create_params(req)["status_callback"] == url
    asyncio.run(real.close())
    asyncio.run(emulated.close())


def test_the_provider_remembers_only_its_recent_calls():
    from app.telephony.twilio_provider import RecentSet

    recent = RecentSet(3)
    for sid in ["CA1", "CA2", "CA3", "CA4"]:
        recent.add(sid)
    assert "CA1" not in recent and all(sid in recent for sid in ["CA2", "CA3", "CA4"])
    recent.add("CA2")  # seen again: now the newest
    recent.add("CA5")
    assert "CA2" in recent and "CA3" not in recent and len(recent) == 3
