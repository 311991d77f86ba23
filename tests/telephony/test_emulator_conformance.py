"""The emulator, driven only through the official SDK, against REFERENCE.md item by item."""

from __future__ import annotations

import io
import re
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator

from app.telephony.emulator import media
from tests.telephony.conftest import FROM, call_log, ready_recordings, wait_final

SAY = "<Response><Say>Hello, this is CallDeck calling about your appointment tomorrow.</Say></Response>"
RFC2822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")
CALL_FIELDS = [
    "sid",
    "date_created",
    "date_updated",
    "parent_call_sid",
    "account_sid",
    "to",
    "to_formatted",
    "from",
    "from_formatted",
    "phone_number_sid",
    "status",
    "start_time",
    "end_time",
    "duration",
    "price",
    "price_unit",
    "direction",
    "answered_by",
    "api_version",
    "forwarded_from",
    "group_sid",
    "caller_name",
    "queue_time",
    "trunk_sid",
    "uri",
    "subresource_uris",
]


def create(client, to="+14155551230", **kwargs):
    kwargs.setdefault("twiml", SAY)
    return client.calls.create(to=to, from_=kwargs.pop("from_", FROM), **kwargs)


def raw_get(emu, path: str, auth=None) -> requests.Response:
    return requests.get(
        f"{emu.base_url}{path}", auth=auth or (emu.account_sid, emu.auth_token), timeout=10
    )


# -- Calls: create, shape, lifecycle -----------------------------------------------------------
def test_create_returns_a_queued_call_with_every_documented_field(client, emulator):
    call = create(client)
    raw = raw_get(emulator, f"/2010-04-01/Accounts/{emulator.account_sid}/Calls/{call.sid}.json")
    body = raw.json()
    assert set(CALL_FIELDS) <= set(body)
    assert re.fullmatch(r"CA[0-9a-f]{32}", call.sid)
    assert call.status == "queued" or call.status in ("ringing", "in-progress")
    assert body["direction"] == "outbound-api" and body["api_version"] == "2010-04-01"
    assert RFC2822.match(body["date_created"])
    assert body["to_formatted"] == "(415) 555-1230"


def test_status_progresses_queued_ringing_in_progress_completed(client, emulator):
    call = create(client, to="+14155551231")
    final = wait_final(client, call.sid)
    assert final.status == "completed"
    assert int(final.duration) >= 4  # the Say plus the callee's lines
    assert final.price.startswith("-")
    statuses = [e["status"] for e in call_log(emulator) if e["sid"] == call.sid]
    assert statuses == ["queued", "ringing", "in-progress", "completed"]
    assert RFC2822.match(raw_get(emulator, final.uri).json()["end_time"])


@pytest.mark.parametrize(
    ("to", "status", "answered_by"),
    [
        ("+14155551232", "completed", "human"),
        # The short <Say> ends (and Twilio hangs up) before the machine's greeting does.
        ("+14155551235", "completed", "unknown"),
        ("+14155551236", "no-answer", None),
        ("+14155551237", "busy", None),
        ("+14155551238", "failed", None),
        ("+14155551239", "completed", "human"),
    ],
)
def test_outcome_follows_the_last_digit(client, to, status, answered_by):
    call = create(client, to=to, machine_detection="DetectMessageEnd", async_amd="true", timeout=20)
    final = wait_final(client, call.sid)
    assert (final.status, final.answered_by) == (status, answered_by)


def test_async_amd_runs_the_twiml_at_once_and_tells_the_verdict_to_its_callback_only(
    client, emulator, sink
):
    call = create(
        client,
        to="+14155551235",
        # 10 minutes of Twilio's time (1.5 s here): the line is surely open when the test looks.
        twiml='<Response><Pause length="600"/></Response>',
        machine_detection="DetectMessageEnd",
        async_amd="true",
        async_amd_status_callback=f"{sink.url}/amd",
    )
    amd = sink.wait_for(lambda r: r["path"] == "/amd")
    assert dict(amd[0]["params"])["AnsweredBy"] == "machine_end_beep"
    live = client.calls(call.sid).fetch()
    assert live.status == "in-progress" and live.answered_by is None  # only once ended
    client.calls(call.sid).update(status="completed")
    assert wait_final(client, call.sid).answered_by == "machine_end_beep"
    assert not client.calls(call.sid).notifications.list()  # it had its callback: no 21262


def test_async_amd_without_its_callback_logs_warning_21262(client):
    call = create(client, to="+14155551232", machine_detection="Enable", async_amd="true")
    notes = client.calls(call.sid).notifications.list()
    assert [(n.error_code, n.log) for n in notes] == [("21262", "1")]
    assert wait_final(client, call.sid).answered_by == "human"  # still on the ended Call


def test_a_redirect_runs_the_new_twiml_on_the_live_call(client, emulator):
    call = create(client, to="+14155551232", twiml='<Response><Pause length="600"/></Response>')
    for _ in range(200):
        if client.calls(call.sid).fetch().status == "in-progress":
            break
        time.sleep(0.02)
    message = "Sorry we missed you, please call us back."
    client.calls(call.sid).update(twiml=f"<Response><Say>{message}</Say><Hangup/></Response>")
    final = wait_final(client, call.sid)
    assert final.status == "completed" and int(final.duration) < 600  # the <Pause> was cut
    record = emulator.emulator.server.account.calls[call.sid]
    assert [s.text for s in record.conversation.segments if s.speaker == "agent"] == [message]


def test_voicemail_without_amd_leaves_answered_by_empty_and_enable_says_machine_start(client):
    plain = wait_final(client, create(client, to="+14155551235").sid)
    enable = wait_final(client, create(client, to="+14155551245", machine_detection="Enable").sid)
    assert plain.answered_by is None
    assert enable.answered_by == "machine_start"


def test_twiml_pause_sets_the_length_and_hangup_cuts_it_short(client):
    long = create(client, twiml='<Response><Pause length="40"/></Response>')
    short = create(client, twiml="<Response><Hangup/><Pause length='40'/></Response>")
    assert int(wait_final(client, long.sid).duration) >= 40
    assert int(wait_final(client, short.sid).duration) < 5


def test_hang_up_a_live_call_then_updating_it_again_is_21220(make_emulator, make_client):
    emu = make_emulator(speed=50)
    client = make_client(emu)
    call = create(client, twiml='<Response><Pause length="600"/></Response>')
    deadline = time.monotonic() + 10
    while client.calls(call.sid).fetch().status != "in-progress" and time.monotonic() < deadline:
        time.sleep(0.02)
    ended = client.calls(call.sid).update(status="completed")
    assert ended.status == "completed"
    assert 0 < int(ended.duration) < 600
    with pytest.raises(TwilioRestException) as info:
        client.calls(call.sid).update(status="completed")
    assert (info.value.status, info.value.code) == (400, 21220)


def test_canceling_a_ringing_call_makes_it_canceled(make_emulator, make_client):
    emu = make_emulator(speed=2)  # slow enough to catch it before answer
    client = make_client(emu)
    call = create(client, to="+14155551236")
    assert client.calls(call.sid).update(status="canceled").status == "canceled"


# -- Errors and magic numbers ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("to", "from_", "code"),
    [
        ("+15005550001", FROM, 21217),
        ("+15005550002", FROM, 21214),
        ("+15005550003", FROM, 21215),
        ("+15005550004", FROM, 21216),
        ("+14155551230", "+15005550001", 21212),
        ("+14155551230", "+14155559999", 21210),
        ("not-a-number", FROM, 21211),
    ],
)
def test_magic_numbers_and_invalid_numbers_fail_with_documented_codes(client, to, from_, code):
    with pytest.raises(TwilioRestException) as info:
        client.calls.create(to=to, from_=from_, twiml=SAY)
    assert (info.value.status, info.value.code) == (400, code)
    assert info.value.msg.startswith("Unable to create record")


def test_missing_parameters_are_400s(emulator):
    url = f"{emulator.base_url}/2010-04-01/Accounts/{emulator.account_sid}/Calls.json"
    auth = (emulator.account_sid, emulator.auth_token)
    cases = [({"From": FROM, "Twiml": SAY}, 21201), ({"To": "+14155551230", "Twiml": SAY}, 21213)]
    cases.append(({"To": "+14155551230", "From": FROM}, 21205))
    long_twiml = "<Response>" + "<Pause/>" * 500 + "</Response>"  # over Twilio's 4000 chars
    cases.append(({"To": "+14155551230", "From": FROM, "Twiml": long_twiml}, 20001))
    bad_callback = {"To": "+14155551230", "From": FROM, "Twiml": SAY, "StatusCallback": "ftp://x"}
    cases.append((bad_callback, 21609))
    python_bool = {"To": "+14155551230", "From": FROM, "Twiml": SAY, "AsyncAmd": "True"}
    cases.append((python_bool, 20001))  # the SDK's async_amd=True pitfall
    for data, code in cases:
        resp = requests.post(url, data=data, auth=auth, timeout=10)
        body = resp.json()
        assert resp.status_code == 400
        assert body["code"] == code and body["status"] == 400
        assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"


def test_wrong_credentials_are_401_20003_and_list_failures_are_twilio_exceptions(
    emulator, make_client
):
    bad = make_client(emulator, token="0" * 32)
    with pytest.raises(TwilioRestException) as info:
        bad.calls.create(to="+14155551230", from_=FROM, twiml=SAY)
    assert (info.value.status, info.value.code) == (401, 20003)
    with pytest.raises(TwilioException) as listed:
        bad.calls.list(limit=5)
    assert "Unable to fetch page" in str(listed.value.args[0])
    assert listed.value.args[1].status_code == 401


def test_unknown_call_is_404_20404(client):
    with pytest.raises(TwilioRestException) as info:
        client.calls("CA" + "0" * 32).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)


# -- Pagination and filters --------------------------------------------------------------------
def test_list_pages_with_page_tokens_and_filters(make_emulator, make_client):
    client = make_client(make_emulator(faults="list-delay=0"))
    created = [create(client, to=f"+1415555200{i}").sid for i in range(7)]
    page = client.calls.page(page_size=3)
    assert len(list(page)) == 3
    assert "PageToken=PA" in page._payload["next_page_uri"]
    streamed = [c.sid for c in client.calls.stream(page_size=3)]
    assert streamed == list(reversed(created))  # newest first, no duplicates across pages
    only = client.calls.list(to="+14155552003")
    assert [c.sid for c in only] == [created[3]]
    future = datetime.now(UTC) + timedelta(hours=1)
    assert client.calls.list(start_time_after=future) == []
    past = datetime.now(UTC) - timedelta(minutes=5)
    assert len(client.calls.list(start_time_after=past, from_=FROM)) == 7


def test_status_filter(client):
    sid = create(client, to="+14155551237").sid
    wait_final(client, sid)
    assert [c.sid for c in client.calls.list(status="busy")] == [sid]


# -- Status callbacks --------------------------------------------------------------------------
def test_status_callbacks_are_signed_sequenced_and_complete(client, emulator, sink):
    url = f"{sink.url}/status?campaign=7"
    call = create(
        client,
        to="+14155551233",
        record=True,
        machine_detection="DetectMessageEnd",
        async_amd="true",
        status_callback=url,
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    )
    got = sink.wait_for(lambda r: dict(r["params"]).get("CallStatus") == "completed")
    assert got, "no completed callback"
    events = sorted(
        (dict(r["params"]) for r in sink.requests if r["path"].startswith("/status")),
        key=lambda p: int(p["SequenceNumber"]),
    )
    assert [e["CallStatus"] for e in events] == ["initiated", "ringing", "in-progress", "completed"]
    assert [e["SequenceNumber"] for e in events] == ["0", "1", "2", "3"]
    done = events[-1]
    assert done["CallSid"] == call.sid and done["CallbackSource"] == "call-progress-events"
    assert int(done["CallDuration"]) > 0 and done["Duration"] == "1"
    assert done["AnsweredBy"] == "human"
    assert done["RecordingSid"].startswith("RE") and done["RecordingUrl"].endswith(
        done["RecordingSid"]
    )
    validator = RequestValidator(emulator.auth_token)
    for r in sink.requests:
        assert validator.validate(url, dict(r["params"]), r["headers"]["X-Twilio-Signature"])
    assert not RequestValidator("x" * 32).validate(
        url, dict(sink.requests[0]["params"]), sink.requests[0]["headers"]["X-Twilio-Signature"]
    )


def test_without_events_only_completed_is_sent(client, sink):
    create(client, to="+14155551237", status_callback=f"{sink.url}/cb")
    got = sink.wait_for(lambda r: True)
    time.sleep(0.1)
    assert [dict(r["params"])["CallStatus"] for r in sink.requests] == ["busy"]
    assert got[0]["params"] and dict(got[0]["params"])["SequenceNumber"] == "0"


def test_url_twiml_is_fetched_with_a_signed_request(client, emulator, sink):
    call = create(client, twiml=None, url=f"{sink.url}/twiml")
    final = wait_final(client, call.sid)
    fetched = sink.wait_for(lambda r: r["path"] == "/twiml")
    assert final.status == "completed"
    params = dict(fetched[0]["params"])
    assert params["CallSid"] == call.sid
    assert RequestValidator(emulator.auth_token).validate(
        f"{sink.url}/twiml", params, fetched[0]["headers"]["X-Twilio-Signature"]
    )


# -- Recordings and media ----------------------------------------------------------------------
def test_recording_lists_and_media_is_a_real_wav_made_lazily(client, emulator):
    call = create(client, record=True)
    final = wait_final(client, call.sid)
    [rec] = ready_recordings(client, call.sid)
    [acct] = client.recordings.list(call_sid=call.sid)
    assert rec.sid == acct.sid and rec.status == "completed" and rec.source == "OutboundAPI"
    assert rec.duration == final.duration
    assert acct.media_url.endswith(f"/Recordings/{rec.sid}")
    assert emulator.emulator.server.media_renders == 0  # nothing rendered until asked
    base = f"/2010-04-01/Accounts/{emulator.account_sid}/Recordings/{rec.sid}"
    for suffix in (".wav", ""):
        resp = raw_get(emulator, base + suffix)
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "audio/x-wav"
        with wave.open(io.BytesIO(resp.content)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
            assert abs(w.getnframes() / 8000 - int(rec.duration)) <= 1
    assert emulator.emulator.server.media_renders == 1  # cached after the first GET
    mp3 = raw_get(emulator, base + ".mp3")
    if media.mp3_encoder() is None:
        assert mp3.status_code == 404 and mp3.json()["code"] == 20404
    else:
        assert mp3.status_code == 200 and mp3.headers["Content-Type"] == "audio/mpeg"
    assert raw_get(emulator, base + ".wav", auth=(emulator.account_sid, "nope")).status_code == 401


def test_unrecorded_and_unanswered_calls_have_no_recording(client):
    plain = create(client)
    busy = create(client, to="+14155551237", record=True)
    wait_final(client, plain.sid)
    wait_final(client, busy.sid)
    assert client.calls(plain.sid).recordings.list() == []
    assert client.calls(busy.sid).recordings.list() == []


def test_many_recorded_calls_write_no_media_until_requested(client, emulator):
    sids = [create(client, to=f"+1415555{3000 + i}", record=True).sid for i in range(40)]
    wait_final(client, sids[-1])
    media_dir = emulator.emulator._media_dir
    assert list(media_dir.iterdir()) == []
    assert len(client.recordings.list(page_size=100)) >= 1


# -- Phone numbers -----------------------------------------------------------------------------
def test_numbers_list_search_and_buy(client):
    owned = {n.phone_number for n in client.incoming_phone_numbers.list()}
    verified = {n.phone_number for n in client.outgoing_caller_ids.list()}
    assert FROM in owned and verified and not owned & verified
    found = client.available_phone_numbers("US").local.list(area_code=212, limit=5)
    assert len(found) == 5 and found[0].locality == "New York"
    assert all(n.phone_number.startswith("+1212") for n in found)
    bought = client.incoming_phone_numbers.create(phone_number=found[0].phone_number)
    assert bought.sid.startswith("PN")
    assert found[0].phone_number in {n.phone_number for n in client.incoming_phone_numbers.list()}
    with pytest.raises(TwilioRestException) as info:
        client.incoming_phone_numbers.create(phone_number=found[0].phone_number)
    assert info.value.code == 21422
    # A bought number is a valid From straight away.
    assert create(client, from_=found[0].phone_number).status == "queued"


# -- Voice Intelligence ------------------------------------------------------------------------
def test_transcript_from_recording_has_both_channels_and_meta_paging(client):
    call = create(client, to="+14155551239", record=True, recording_channels="dual")
    wait_final(client, call.sid)
    [rec] = ready_recordings(client, call.sid)
    svc = client.intelligence.v2.services.create(unique_name="conformance", auto_transcribe=False)
    tr = client.intelligence.v2.transcripts.create(
        service_sid=svc.sid, channel={"media_properties": {"source_sid": rec.sid}}
    )
    assert tr.status == "queued" and tr.sid.startswith("GT")
    deadline = time.monotonic() + 10
    while tr.status != "completed" and time.monotonic() < deadline:
        time.sleep(0.02)
        tr = client.intelligence.v2.transcripts(tr.sid).fetch()
    assert tr.status == "completed"
    page = client.intelligence.v2.transcripts(tr.sid).sentences.page(page_size=2)
    assert page._payload["meta"]["key"] == "sentences" and page.next_page_url
    sentences = client.intelligence.v2.transcripts(tr.sid).sentences.list(word_timestamps=True)
    assert {s.media_channel for s in sentences} == {1, 2}
    assert [s.sentence_index for s in sentences] == list(range(len(sentences)))
    assert float(sentences[0].start_time) < float(sentences[-1].end_time)
    # A one-leg call's dual recording: the inbound track (the callee) is channel 1.
    callee = " ".join(s.transcript for s in sentences if s.media_channel == 1)
    assert "do not call me again" in callee
    assert "do not call me again" not in " ".join(
        s.transcript for s in sentences if s.media_channel == 2
    )
    assert sentences[0].words and "word" in sentences[0].words[0]


# -- Faults, scenario, log ---------------------------------------------------------------------
def test_429_fault_is_a_20429_error_and_faults_repeat_with_the_seed(make_emulator, make_client):
    runs = []
    for _ in range(2):
        emu = make_emulator(faults="429=0.5", seed=42)
        client = make_client(emu)
        outcome = []
        for _i in range(12):
            try:
                client.incoming_phone_numbers.list()
                outcome.append("ok")
            except TwilioException as exc:
                body = exc.args[1].text
                assert '"code": 20429' in body and exc.args[1].status_code == 429
                outcome.append("429")
        runs.append(outcome)
    assert runs[0] == runs[1] and "429" in runs[0] and "ok" in runs[0]


def test_500_fault_is_a_server_error(make_emulator, make_client):
    client = make_client(make_emulator(faults="500=1.0"))
    with pytest.raises(TwilioRestException) as info:
        client.calls.create(to="+14155551230", from_=FROM, twiml=SAY)
    assert info.value.status == 500


def test_timeout_fault_places_the_call_but_drops_the_connection(make_emulator, make_client):
    emu = make_emulator(faults="timeout=1.0,list-delay=0")
    client = make_client(emu)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.calls.create(to="+14155551230", from_=FROM, twiml=SAY)
    created = [e for e in call_log(emu) if e["event"] == "created"]
    assert len(created) == 1
    assert client.calls.list(to="+14155551230")[0].sid == created[0]["sid"]


def test_the_call_list_lags_new_calls_by_the_list_delay(make_emulator, make_client):
    emu = make_emulator(speed=100, faults="list-delay=20")  # 0.2 s of real time
    client = make_client(emu)
    call = create(client, to="+14155551230")
    assert client.calls.list(to="+14155551230") == []
    assert client.calls(call.sid).fetch().sid == call.sid  # fetch by sid is not delayed
    time.sleep(0.3)
    assert [c.sid for c in client.calls.list(to="+14155551230")] == [call.sid]


def test_clock_skew_moves_every_date_and_the_date_header(make_emulator, make_client):
    emu = make_emulator(clock_skew=-300)
    client = make_client(emu)
    before = datetime.now(UTC)
    call = create(client)
    header = parsedate_to_datetime(raw_get(emu, "/v2/Services").headers["Date"])
    assert abs((header - before).total_seconds() + 300) < 5
    assert abs((call.date_created - before).total_seconds() + 300) < 5


def test_recordings_are_processing_for_the_recording_delay(make_emulator, make_client):
    emu = make_emulator(speed=100, faults="recording-delay=30")  # 0.3 s of real time
    client = make_client(emu)
    call = create(client, record=True)
    assert wait_final(client, call.sid).status == "completed"
    [rec] = client.recordings.list(call_sid=call.sid)
    assert rec.status == "processing"
    media = f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/Recordings/{rec.sid}.wav"
    auth = (emu.account_sid, emu.auth_token)
    assert requests.get(media, auth=auth, timeout=10).status_code == 404
    deadline = time.monotonic() + 10
    while client.recordings(rec.sid).fetch().status != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert requests.get(media, auth=auth, timeout=10).status_code == 200


def test_one_transcript_per_recording(make_emulator, make_client):
    client = make_client(make_emulator(faults="recording-delay=0"))
    call = create(client, record=True)
    wait_final(client, call.sid)
    [rec] = client.recordings.list(call_sid=call.sid)
    svc = client.intelligence.v2.services.create(unique_name="once", auto_transcribe=False)
    channel = {"media_properties": {"source_sid": rec.sid}}
    first = client.intelligence.v2.transcripts.create(service_sid=svc.sid, channel=channel)
    with pytest.raises(TwilioRestException) as info:
        client.intelligence.v2.transcripts.create(service_sid=svc.sid, channel=channel)
    assert info.value.status == 409
    listed = client.intelligence.v2.transcripts.list(source_sid=rec.sid)
    assert [t.sid for t in listed] == [first.sid]


@pytest.mark.parametrize(
    ("options", "to", "code"),
    [
        ({"trial": True}, "+14155551231", 21219),
        ({"geo_block": ("GB", "FR")}, "+447700900123", 21215),
        ({"geo_block": ("GB", "FR")}, "+33612345678", 21215),
    ],
)
def test_trial_and_geo_permissions_refuse_the_create(make_emulator, make_client, options, to, code):
    client = make_client(make_emulator(**options))
    with pytest.raises(TwilioRestException) as info:
        create(client, to=to)
    assert info.value.code == code
    assert create(client, to="+14155550199").sid  # verified, and in an allowed country


def test_drop_callback_fault_sends_nothing_but_the_call_completes(make_emulator, sink, make_client):
    emu = make_emulator(faults="drop-callback=1.0")
    client = make_client(emu)
    call = create(client, status_callback=f"{sink.url}/cb")
    assert wait_final(client, call.sid).status == "completed"
    time.sleep(0.1)
    assert sink.requests == []


def test_scenario_file_overrides_outcome_and_trial_rules(make_emulator, tmp_path, make_client):
    scenario = tmp_path / "scenario.json"
    scenario.write_text(
        '{"numbers": {"+14155551230": {"outcome": "busy"}}, "trial": true,'
        ' "verified_caller_ids": ["+14155551230"]}'
    )
    client = make_client(make_emulator(scenario=scenario))
    assert wait_final(client, create(client).sid).status == "busy"
    with pytest.raises(TwilioRestException) as info:
        create(client, to="+14155551231")
    assert info.value.code == 21219


def test_call_log_has_one_line_per_event(client, emulator):
    sid = create(client, to="+14155551237").sid
    wait_final(client, sid)
    events = [e for e in call_log(emulator) if e["sid"] == sid]
    assert [e["event"] for e in events] == ["created", "status", "status"]
    assert all(set(e) == {"event", "sid", "to", "from", "status", "at"} for e in events)
    assert events[0]["at"] <= events[-1]["at"]


def test_calls_over_one_per_second_wait_in_the_queue(make_emulator, make_client):
    client = make_client(make_emulator(speed=10))  # slow enough that 5 creates beat 1 CPS
    # All five at once (one after the other, a loaded machine may space them past 1 s).
    with ThreadPoolExecutor(5) as pool:
        sids = list(pool.map(lambda i: create(client, to=f"+1415555{6100 + i}").sid, range(5)))
    queue_ms = sorted(int(wait_final(client, sid).queue_time) for sid in sids)
    # Twilio's default 1 CPS per account: the first starts at once, the fifth ~4 s later.
    assert queue_ms[0] < 1000 and queue_ms[-1] >= 2500


def test_recording_and_async_amd_callbacks_are_signed_posts(client, emulator, sink):
    call = create(
        client,
        to="+14155551235",
        twiml='<Response><Pause length="15"/></Response>',  # the line open past the beep
        record=True,
        machine_detection="DetectMessageEnd",
        async_amd="true",
        async_amd_status_callback=f"{sink.url}/amd",
        recording_status_callback=f"{sink.url}/rec",
    )
    rec = sink.wait_for(lambda r: r["path"] == "/rec")
    amd = sink.wait_for(lambda r: r["path"] == "/amd")
    assert rec and amd
    rec_params, amd_params = dict(rec[0]["params"]), dict(amd[0]["params"])
    assert rec_params["CallSid"] == call.sid and rec_params["RecordingStatus"] == "completed"
    assert rec_params["RecordingSid"].startswith("RE") and int(rec_params["RecordingDuration"]) > 0
    assert amd_params["AnsweredBy"] == "machine_end_beep"
    validator = RequestValidator(emulator.auth_token)
    for path, got in (("/rec", rec[0]), ("/amd", amd[0])):
        assert validator.validate(
            f"{sink.url}{path}", dict(got["params"]), got["headers"]["X-Twilio-Signature"]
        )
