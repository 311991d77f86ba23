"""The callback routes over real HTTP on 127.0.0.1: only callbacks signed over the configured
public URL (with every value of a repeated name) get through, in SequenceNumber order, once."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from app.telephony.callback_routes import (
    AMD_PATH,
    RECORDING_PATH,
    STATUS_PATH,
    CallbackRoutes,
    callback_call_info,
)
from app.telephony.emulator.signing import twilio_signature

TOKEN = "f" * 32
PUBLIC = "https://calls.example.com/calldeck"  # what Settings says; the Host header differs


class Recorder:
    """A CallbackSink that remembers what reached it."""

    def __init__(self) -> None:
        self.statuses: list[tuple[str, str]] = []
        self.recordings: list[tuple[str, str, str]] = []
        self.verdicts: list[tuple[str, str]] = []

    def call_status(self, info) -> None:
        self.statuses.append((info.sid, info.provider_status))

    def recording_status(self, call_sid: str, recording_sid: str, status: str) -> None:
        self.recordings.append((call_sid, recording_sid, status))

    def answered_by(self, call_sid: str, answered_by: str) -> None:
        self.verdicts.append((call_sid, answered_by))


@asynccontextmanager
async def served():
    routes = CallbackRoutes(TOKEN, lambda: PUBLIC)
    routes.sink = recorder = Recorder()
    app = web.Application()
    routes.add_to(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    local = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with aiohttp.ClientSession() as http:

        async def post(
            path, params, *, token=TOKEN, signed_url=None, sign=True, signature=None
        ) -> int:
            pairs = list(params.items()) if isinstance(params, dict) else list(params)
            headers = {}
            if sign:
                url = signed_url or f"{PUBLIC}{path}"
                headers["X-Twilio-Signature"] = signature or twilio_signature(token, url, pairs)
            async with http.post(f"{local}{path}", data=pairs, headers=headers) as resp:
                return resp.status

        try:
            yield post, recorder, routes
        finally:
            await runner.cleanup()


def status(seq: int, call_status: str, sid: str = "CA1", **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": "AC1",
        "CallStatus": call_status,
        "SequenceNumber": str(seq),
        **extra,
    }


def test_signed_callbacks_reach_the_sink_and_forged_or_unsigned_ones_do_not():
    async def go():
        async with served() as (post, recorder, routes):
            assert await post(STATUS_PATH, status(0, "initiated")) == 204
            assert await post(STATUS_PATH, status(1, "ringing"), token="0" * 32) == 403
            assert await post(STATUS_PATH, status(1, "ringing"), sign=False) == 403
            # Signed over the address it was really sent to, not the configured public one
            # (what a tunnel's Host header would suggest): refused.
            assert await post(STATUS_PATH, status(1, "ringing"), signed_url="http://x/") == 403
            # The signature covers the parameters: a changed one is a forgery.
            assert await post(AMD_PATH, {"CallSid": "CA1", "AnsweredBy": "human"}) == 204
            assert await post(AMD_PATH, {"CallSid": "CA2"}, sign=True) == 204  # no verdict
            assert recorder.statuses == [("CA1", "initiated")]
            assert recorder.verdicts == [("CA1", "human")]
            assert routes.received == 3

    asyncio.run(go())


def test_a_repeated_parameter_is_checked_with_every_value():
    async def go():
        async with served() as (post, recorder, _):
            params = [*status(0, "initiated").items(), ("Extra", "b"), ("Extra", "a")]
            assert await post(STATUS_PATH, params) == 204
            # Signed as if the name had one value (a plain dict keeps only the last): refused.
            url = f"{PUBLIC}{STATUS_PATH}"
            again = [*status(1, "ringing").items(), ("Extra", "b"), ("Extra", "a")]
            one_value = twilio_signature(TOKEN, url, dict(again).items())
            assert await post(STATUS_PATH, again, signature=one_value) == 403
            assert recorder.statuses == [("CA1", "initiated")]

    asyncio.run(go())


def test_replayed_callbacks_change_nothing():
    async def go():
        async with served() as (post, recorder, _):
            for _ in range(2):
                assert await post(STATUS_PATH, status(0, "initiated")) == 204
                assert await post(STATUS_PATH, status(1, "completed", CallDuration="12")) == 204
                amd = {"CallSid": "CA1", "AnsweredBy": "machine_end_beep"}
                assert await post(AMD_PATH, amd) == 204
                rec = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed"}
                assert await post(RECORDING_PATH, rec) == 204
            assert recorder.statuses == [("CA1", "initiated"), ("CA1", "completed")]
            assert recorder.verdicts == [("CA1", "machine_end_beep")]
            assert recorder.recordings == [("CA1", "RE1", "completed")]

    asyncio.run(go())


def test_out_of_order_callbacks_are_applied_in_sequence_and_stale_ones_dropped():
    async def go():
        async with served() as (post, recorder, _):
            await post(STATUS_PATH, status(2, "in-progress"))
            await post(STATUS_PATH, status(1, "ringing"))
            assert recorder.statuses == []  # held until the gap is filled
            await post(STATUS_PATH, status(0, "initiated"))
            assert [s for _, s in recorder.statuses] == ["initiated", "ringing", "in-progress"]
            await post(STATUS_PATH, status(4, "completed"))  # 3 was lost: final releases
            await post(STATUS_PATH, status(3, "in-progress"))  # too late: changes nothing
            assert [s for _, s in recorder.statuses][-1] == "completed"
            assert len(recorder.statuses) == 4

    asyncio.run(go())


def test_a_completed_callback_reads_as_the_poll_would():
    info = callback_call_info(
        status(
            3,
            "completed",
            To="+14155550100",
            From="+15005550006",
            CallDuration="17",
            AnsweredBy="machine_end_beep",
            Timestamp="Tue, 01 Dec 2026 14:00:00 +0000",
            ErrorCode="",
        )
    )
    assert (info.status, info.duration_s, info.answered_by) == ("completed", 17, "machine_end_beep")
    assert info.is_final and info.end_time is not None and info.error_code is None
    assert callback_call_info(status(1, "ringing")).status == "calling"
