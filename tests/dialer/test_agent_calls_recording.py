"""Settings › Defaults › recording, as each call's TwiML carries it: recorded calls start a
<Recording> and the greeting ends with the team's notice; unrecorded ones do neither."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from app.agents.relay.server import RelayServer
from app.dialer.agent_calls import AgentCalls
from app.dialer.live_call import CallIdentity, LiveCall
from app.settings import set_setting

NOTICE = "This call is recorded so we can improve."


def live_call() -> LiveCall:
    identity = CallIdentity(
        call_id=1,
        campaign_id=1,
        contact_id=1,
        attempt=1,
        to="+15551230000",
        from_="+15005550006",
        claimed_at=datetime(2026, 12, 1, tzinfo=UTC),
        attempts=1,
        max_attempts=3,
        retry_delay_min=30,
    )
    return LiveCall(identity, contact_status="calling")


def twiml(store, **settings) -> str:
    with store.session.begin() as session:
        for key, value in settings.items():
            set_setting(session, key, value)
    calls = AgentCalls(store, RelayServer(auth_token="token"))

    async def prepared() -> str:  # tickets expire on the loop's clock
        return calls.prepare(live_call(), None)[0].twiml

    return asyncio.run(prepared())


def test_a_recorded_call_says_the_teams_notice_after_the_greeting(store):
    text = twiml(store, recording_notice=NOTICE)
    assert "<Recording" in text and NOTICE in text


def test_an_unrecorded_call_has_no_recording_and_no_notice(store):
    text = twiml(store, record_calls=False, recording_notice=NOTICE)
    assert "<Recording" not in text and NOTICE not in text
