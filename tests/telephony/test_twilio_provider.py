"""TwilioProvider against the emulator: mapping, errors, retries, faults, ambiguous creates."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import stat
import threading
import time
import wave
from datetime import UTC, datetime, timedelta

import pytest

from app.telephony import errors
from app.telephony.base import CallRequest, Provider
from app.telephony.emulator import media
from app.telephony.transcription import INTELLIGENCE_SERVICE
from app.telephony.twilio_provider import TwilioProvider
from tests.telephony.conftest import FROM, FakeSleep, call_log, provider_ready_recordings, run

SAY = "<Response><Say>Hello, this is CallDeck calling about your order.</Say></Response>"


def request(to: str = "+14155551230", **kwargs) -> CallRequest:
    kwargs.setdefault("twiml", SAY)
    return CallRequest(to=to, from_=kwargs.pop("from_", FROM), **kwargs)


def created_events(emu) -> list[dict]:
    return [e for e in call_log(emu) if e["event"] == "created"]


async def place_and_finish(provider: TwilioProvider, req: CallRequest):
    info = await provider.place_call(req)
    return info, await provider.wait_until_final(info.sid, timeout_s=20)


def test_provider_satisfies_the_protocol(emulator, make_provider):
    provider: Provider = make_provider(emulator)
    assert isinstance(provider, TwilioProvider)


def test_place_call_maps_statuses_and_answered_by(emulator, make_provider):
    async def go():
        provider = make_provider(emulator)
        try:
            amd = {"machine_detection": "DetectMessageEnd"}
            return [
                await place_and_finish(provider, request(to, **amd))
                for to in ("+14155551230", "+14155551237", "+14155551235")
            ] + [await place_and_finish(provider, request("+14155551235"))]
        finally:
            await provider.close()

    (human0, human), (_, busy), (_, machine), (_, unasked) = run(go())
    assert human0.provider_status == "queued" and human0.status == "calling"
    assert (human.provider_status, human.status, human.answered_by) == (
        "completed",
        "completed",
        "human",
    )
    assert human.duration_s and human.duration_s > 0 and human.is_final
    assert (busy.provider_status, busy.status) == ("busy", "busy")
    # Async AMD with no callback: the short <Say> ended the call before the beep.
    assert machine.answered_by == "unknown"
    assert unasked.answered_by is None  # no AMD unless the request asks for it


@pytest.mark.parametrize(
    ("to", "from_", "kind", "code"),
    [
        ("+15005550001", FROM, errors.InvalidNumber, 21217),
        ("+15005550003", FROM, errors.GeoPermissionDenied, 21215),
        ("+15005550004", FROM, errors.InvalidNumber, 21216),
        ("+14155551230", "+14155559999", errors.UnverifiedCallerId, 21210),
        ("+14155551230", "+15005550001", errors.UnverifiedCallerId, 21212),
    ],
)
def test_create_errors_are_typed_and_readable(emulator, to, from_, kind, code, make_provider):
    provider = make_provider(emulator)
    with pytest.raises(kind) as info:
        run(provider.place_call(request(to, from_=from_)))
    assert info.value.code == code and not info.value.retryable
    assert f"error {code}" in info.value.user_message
    if code == 21215:
        assert to in info.value.user_message and "Geo" in info.value.user_message
    assert created_events(emulator) == []


def test_bad_credentials_and_unknown_sids(emulator, make_provider):
    assert run(make_provider(emulator).verify_credentials()) == "CallDeck emulator account"
    bad = make_provider(emulator, max_retries=0)
    bad._auth_token = "0" * 32
    with pytest.raises(errors.AuthenticationFailed):
        run(bad.verify_credentials())
    with pytest.raises(errors.AuthenticationFailed) as info:
        run(bad.list_numbers())
    assert info.value.status == 401 and "Settings" in info.value.user_message
    with pytest.raises(errors.NotFound):
        run(make_provider(emulator).fetch_call("CA" + "0" * 32))


def test_trial_account_error(make_emulator, tmp_path, make_provider):
    scenario = tmp_path / "s.json"
    scenario.write_text('{"trial": true}')
    emu = make_emulator(scenario=scenario)
    with pytest.raises(errors.TrialAccountLimit) as info:
        run(make_provider(emu).place_call(request()))
    assert info.value.code == 21219


def test_rate_limits_are_retried_with_jittered_exponential_backoff(make_emulator, make_provider):
    emu = make_emulator(faults="429=1.0")
    sleep = FakeSleep()
    provider = make_provider(emu, sleep=sleep, rand=lambda: 0.5, max_retries=4)
    with pytest.raises(errors.RateLimited) as info:
        run(provider.place_call(request()))
    assert info.value.retryable and info.value.code == 20429
    assert sleep.delays == [0.25, 0.5, 1.0, 2.0]  # rand * base * 2^n
    assert created_events(emu) == []


def test_intermittent_429_and_500_never_place_a_call_twice(make_emulator, make_provider):
    """429s are retried; a 500 may hide a placed call, so it is adopted or left ambiguous."""
    emu = make_emulator(faults="429=0.3,500=0.3", seed=7)
    provider = make_provider(emu, max_retries=8)

    async def go():
        placed, ambiguous = [], []
        for i in range(6):
            try:
                placed.append(await provider.place_call(request(f"+1415555{4000 + i}")))
            except errors.AmbiguousCreate:
                ambiguous.append(i)
        return placed, ambiguous

    placed, ambiguous = run(go())
    created = created_events(emu)
    assert {i.sid for i in placed} <= {e["sid"] for e in created}
    tos = [e["to"] for e in created]
    assert len(tos) == len(set(tos))  # never two creates for one number
    assert len(placed) + len(ambiguous) == 6
    assert emu.emulator.faults_injected["429"] > 0 and emu.emulator.faults_injected["500"] > 0


def test_ambiguous_create_is_adopted_not_redialled(make_emulator, make_provider):
    emu = make_emulator(faults="timeout=1.0")
    provider = make_provider(emu)
    info = run(provider.place_call(request()))
    created = created_events(emu)
    assert len(created) == 1  # exactly one create reached the emulator
    assert info.sid == created[0]["sid"] and info.to == "+14155551230"
    assert emu.emulator.faults_injected["timeout"] == 1


def test_ambiguous_create_that_cannot_be_proven_raises_and_never_redials(
    make_emulator, monkeypatch, make_provider
):
    emu = make_emulator(faults="timeout=1.0")
    provider = make_provider(emu)

    async def search_fails(*args, **kwargs):
        raise errors.ServerError("Twilio had a temporary problem", status=503)

    monkeypatch.setattr(provider, "find_calls", search_fails)
    with pytest.raises(errors.AmbiguousCreate) as info:
        run(provider.place_call(request()))
    assert not info.value.retryable and "may or may not" in info.value.user_message
    assert len(created_events(emu)) == 1


def test_ambiguous_create_with_nothing_found_raises(make_emulator, monkeypatch, make_provider):
    emu = make_emulator(faults="timeout=1.0")
    provider = make_provider(emu)

    async def nothing(*args, **kwargs):
        return []

    monkeypatch.setattr(provider, "find_calls", nothing)
    with pytest.raises(errors.AmbiguousCreate):
        run(provider.place_call(request()))
    assert len(created_events(emu)) == 1


def test_lost_connections_among_many_creates_never_double_dial(make_emulator, make_provider):
    emu = make_emulator(faults="timeout=0.4,list-delay=0", seed=3)
    provider = make_provider(emu)

    async def go():
        return [await provider.place_call(request(f"+1415555{5000 + i}")) for i in range(8)]

    infos = run(go())
    created = created_events(emu)
    assert len(created) == 8 and {c["sid"] for c in created} == {i.sid for i in infos}
    assert emu.emulator.faults_injected["timeout"] > 0


def test_unreachable_twilio_is_never_reached_and_the_listener_hears_it():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    provider = TwilioProvider(
        "AC" + "1" * 32, "t", base_url=f"http://127.0.0.1:{port}", sleep=FakeSleep(), max_retries=2
    )
    heard: list[bool] = []
    provider.watch_reachability(heard.append)
    # Refused on connect: provably not placed, so the contact is given back, not searched for.
    with pytest.raises(errors.NeverReached) as info:
        run(provider.place_call(request()))
    assert isinstance(info.value, errors.NotPlaced) and errors.is_unreachable(info.value)
    assert heard == [False]  # told once, at the first refused request


def test_find_calls_finds_what_was_created(make_emulator, make_provider):
    provider = make_provider(make_emulator(faults="list-delay=0"))
    before = datetime.now(UTC) - timedelta(seconds=1)
    info = run(provider.place_call(request("+14155556001")))
    found = run(provider.find_calls("+14155556001", FROM, before))
    assert [c.sid for c in found] == [info.sid]
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert run(provider.find_calls("+14155556001", FROM, later)) == []


def test_drop_callback_fault_does_not_stop_polling(make_emulator, sink, make_provider):
    emu = make_emulator(faults="drop-callback=1.0")
    provider = make_provider(emu)
    _, final = run(place_and_finish(provider, request(status_callback=f"{sink.url}/cb")))
    assert final.provider_status == "completed"
    assert sink.requests == []


def test_hang_up_live_call_and_again_after_it_ended(make_emulator, make_provider):
    emu = make_emulator(speed=50)
    provider = make_provider(emu)

    async def go():
        info = await provider.place_call(
            request(twiml='<Response><Pause length="600"/></Response>')
        )
        for _ in range(500):
            if (await provider.fetch_call(info.sid)).provider_status == "in-progress":
                break
            await asyncio.sleep(0.01)
        first = await provider.hang_up(info.sid)
        second = await provider.hang_up(info.sid)  # already ended: not an error
        return first, second

    first, second = run(go())
    assert first.provider_status == "completed" and first.status == "completed"
    assert second.provider_status == "completed"


def test_recordings_download_private_and_valid(emulator, tmp_path, make_provider):
    provider = make_provider(emulator)

    async def go():
        info, final = await place_and_finish(provider, request(record=True))
        recs = await provider_ready_recordings(provider, info.sid)
        path = await provider.download_recording(recs[0], tmp_path / "cache" / "recordings")
        return final, recs, path

    final, recs, path = run(go())
    assert (
        len(recs) == 1 and recs[0].status == "completed" and recs[0].duration_s == final.duration_s
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    expected = ".mp3" if media.mp3_encoder() else ".wav"
    assert path.suffix == expected and path.name.startswith(recs[0].sid)
    if expected == ".wav":
        with wave.open(str(path)) as w:
            assert w.getframerate() == 8000 and w.getnframes() > 8000
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial files left


START_RECORDING = (
    '<Response><Start><Recording channels="dual"/></Start>'
    "<Say>Hello, this is CallDeck.</Say></Response>"
)


@pytest.mark.parametrize(
    "how",
    [{"record": True}, {"record": False, "twiml": START_RECORDING}],
    ids=["record-true", "start-recording"],
)
def test_transcribe_maps_channels_to_agent_and_callee(emulator, make_provider, how):
    provider = make_provider(emulator)

    async def go():
        info, _ = await place_and_finish(provider, request("+14155551239", **how))
        [rec] = await provider_ready_recordings(provider, info.sid)
        first = await provider.transcribe(rec)
        again = await provider.transcribe(rec)  # the service is created once and reused
        return first, again

    sentences, again = run(go())
    speakers = [s.speaker for s in sentences]
    assert set(speakers) == {"agent", "callee"}
    assert any("Hello, this is CallDeck" in s.text for s in sentences if s.speaker == "agent")
    assert any("do not call me again" in s.text for s in sentences if s.speaker == "callee")
    assert all(s.end_s > s.start_s for s in sentences)
    assert [s.start_s for s in sentences] == sorted(s.start_s for s in sentences)
    assert again == sentences
    account = emulator.emulator.server.account
    assert len(account.services) == 1
    [transcript] = account.transcripts.values()  # reused, not re-created
    assert account.recordings[transcript.recording_sid].channels == 2
    # The roles are stated, not left to Voice Intelligence's "channel 1 is the agent".
    roles = {p["channel_participant"]: p["role"] for p in transcript.channel["participants"]}
    assert roles == {1: "Customer", 2: "Agent"}


def test_transcribe_reuses_the_transcript_a_lost_answer_created(
    emulator, make_provider, make_client
):
    """A transcript that already exists for the recording (a create whose answer was lost, a
    run that crashed) is read, never created again: Twilio would refuse the second."""
    provider = make_provider(emulator)
    client = make_client(emulator)
    info, _ = run(place_and_finish(provider, request("+14155551239", record=True)))
    [rec] = run(provider_ready_recordings(provider, info.sid))
    service = client.intelligence.v2.services.create(unique_name=INTELLIGENCE_SERVICE)
    channel = {"media_properties": {"source_sid": rec.sid}}
    client.intelligence.v2.transcripts.create(service_sid=service.sid, channel=channel)
    sentences = run(provider.transcribe(rec))
    assert any(s.speaker == "callee" for s in sentences)
    assert len(emulator.emulator.server.account.transcripts) == 1


@pytest.mark.parametrize("skew_s", [300, -300])
def test_find_calls_under_clock_skew_and_a_lagging_list(make_emulator, make_provider, skew_s):
    """Twilio's clock 5 minutes off ours and its list 20 s late: the call is found once listed."""
    emu = make_emulator(speed=100, clock_skew=skew_s, faults="list-delay=20")
    provider = make_provider(emu)
    before = datetime.now(UTC)
    info = run(provider.place_call(request("+14155556002")))
    assert abs(provider.twilio_clock.skew.total_seconds() - skew_s) < 2
    assert run(provider.find_calls("+14155556002", FROM, before)) == []  # not listed yet

    async def found_later():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if found := await provider.find_calls("+14155556002", FROM, before):
                return found
            await asyncio.sleep(0.05)
        return []

    assert [c.sid for c in run(found_later())] == [info.sid]
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert run(provider.find_calls("+14155556002", FROM, later)) == []


def test_numbers_list_search_buy(emulator, make_provider):
    provider = make_provider(emulator)

    async def go():
        before = await provider.list_numbers()
        found = await provider.search_numbers("US", "415", limit=3)
        bought = await provider.buy_number(found[0].phone_number)
        after = await provider.list_numbers()
        return before, found, bought, after

    before, found, bought, after = run(go())
    kinds = {n.phone_number: n.kind for n in before}
    assert kinds[FROM] == "owned" and "verified" in kinds.values()
    assert len(found) == 3 and found[0].locality == "San Francisco" and found[0].iso_country == "US"
    assert bought.kind == "owned" and bought.capabilities.get("voice") is True
    assert bought.phone_number in {n.phone_number for n in after}
    with pytest.raises(errors.ProviderError) as info:
        run(provider.buy_number(found[0].phone_number))
    assert info.value.code == 21422
    with pytest.raises(errors.ProviderError):
        run(provider.search_numbers("US", "41a"))


def test_caller_id_verification_gives_a_code_then_the_number_is_verified(emulator, make_provider):
    provider = make_provider(emulator)

    async def go():
        code = await provider.request_caller_id_verification("+14155550142", "Front desk")
        for _ in range(200):
            numbers = {n.phone_number: n for n in await provider.list_numbers()}
            if "+14155550142" in numbers:
                return code, numbers["+14155550142"]
            await asyncio.sleep(0.01)
        return code, None

    code, number = run(go())
    assert len(code) == 6 and code.isdigit()
    assert number is not None and number.kind == "verified" and number.friendly_name == "Front desk"
    with pytest.raises(errors.ProviderError) as info:
        run(provider.request_caller_id_verification("+14155550142"))
    assert info.value.code == 21450


def test_url_calls_fetch_twiml_from_the_app(emulator, sink, make_provider):
    provider = make_provider(emulator)
    _, final = run(place_and_finish(provider, request(twiml=None, url=f"{sink.url}/voice")))
    assert final.provider_status == "completed"
    fetched = sink.wait_for(lambda r: r["path"] == "/voice")
    assert dict(fetched[0]["params"])["CallSid"] == final.sid


def test_a_create_waiting_out_429s_is_abandoned_when_dialling_stops(make_emulator, make_provider):
    emu = make_emulator(faults="429=1.0")
    provider = make_provider(emu, max_retries=8)
    asked = []

    def may_proceed() -> bool:
        asked.append(True)
        return len(asked) < 2  # the campaign is paused during the second wait

    with pytest.raises(errors.NotPlaced) as raised:
        run(provider.place_call(dataclasses.replace(request(), may_proceed=may_proceed)))
    assert "not placed" in raised.value.user_message and len(asked) == 2
    assert created_events(emu) == []  # nothing reached the line


def test_a_call_failing_after_the_create_gets_its_reason_from_notifications(
    emulator, make_provider
):
    provider = make_provider(emulator)
    _, final = run(place_and_finish(provider, request("+14155551248")))  # ...8: fails to route
    assert final.provider_status == "failed"
    assert final.error_code == 13224
    assert final.error_message.startswith("Twilio: The phone number could not be reached")


def test_creates_never_queue_behind_busy_polls(emulator, make_provider):
    """Every read worker busy (polls of many live calls): a create still goes out at once."""
    provider = make_provider(emulator, max_workers=1)
    release = threading.Event()

    async def go():
        busy = asyncio.ensure_future(provider._run(lambda _c: release.wait(10)))
        await asyncio.sleep(0.05)  # the one read worker is now taken
        try:
            info = await asyncio.wait_for(provider.place_call(request()), 5)
            still_busy = not busy.done()
        finally:
            release.set()
            await busy
        return info, still_busy

    info, still_busy = run(go())
    assert info.sid.startswith("CA") and still_busy


def test_each_language_has_its_own_intelligence_service(emulator, make_provider):
    """A service's language cannot be changed once set: French gets a service of its own."""
    provider = make_provider(emulator)
    info, _ = run(place_and_finish(provider, request("+14155551239", record=True)))
    [rec] = run(provider_ready_recordings(provider, info.sid))
    run(provider.transcribe(rec, language_code="fr-FR"))
    services = emulator.emulator.server.account.services.values()
    assert {(s.unique_name, s.language_code) for s in services} == {
        (f"{INTELLIGENCE_SERVICE}-fr-FR", "fr-FR")
    }
    [transcript] = emulator.emulator.server.account.transcripts.values()
    assert transcript.language_code == "fr-FR"
