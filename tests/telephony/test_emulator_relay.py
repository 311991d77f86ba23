"""The emulator as the Twilio side of ConversationRelay, driven through the real twilio SDK
against a scripted agent on real websockets (tests/telephony/relay_agent.py)."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Iterator

import aiohttp
import pytest
import requests
from twilio.request_validator import RequestValidator

from app.telephony.emulator import callflow, relay
from tests.telephony.conftest import FROM, wait_final
from tests.telephony.relay_agent import RelayAgent, Session

SPEED = 20.0  # slower than the other emulator tests: personas wait on real round trips
LONG_LINE = (
    "Let me tell you all about our wonderful new plan, which has many features and options "
    "that I am sure you will enjoy hearing about in great detail today."
)


@pytest.fixture
def agent() -> Iterator[RelayAgent]:
    made = RelayAgent()
    yield made
    made.close()


@pytest.fixture
def emu(make_emulator):
    return make_emulator(speed=SPEED)


def persona(name: str) -> str:
    return f'<Parameter name="persona" value="{name}"/>'


def place(emu, make_client, twiml: str, to: str = "+14155550100", **kwargs):
    client = make_client(emu)
    call = client.calls.create(to=to, from_=FROM, twiml=twiml, **kwargs)
    final = wait_final(client, call.sid, timeout=30)
    record = emu.emulator.server.account.calls[call.sid]
    return client, final, record


def lines(record, speaker: str) -> list[str]:
    return [s.text for s in record.conversation.segments if s.speaker == speaker]


def test_the_upgrade_is_signed_and_setup_carries_the_parameters(emu, make_client, agent):
    params = '<Parameter name="contact_id" value="42"/><Parameter name="first_name" value="Ana"/>'
    _, final, record = place(emu, make_client, agent.twiml(params=params))
    session = agent.sessions[0]
    signature = session.headers["X-Twilio-Signature"]
    assert RequestValidator(emu.auth_token).validate(agent.url, {}, signature)
    assert not RequestValidator("not-the-token").validate(agent.url, {}, signature)
    setup = session.received[0]
    assert setup["type"] == "setup" and setup["sessionId"].startswith("VX")
    assert (setup["callSid"], setup["accountSid"]) == (record.sid, emu.account_sid)
    assert (setup["from"], setup["to"]) == (FROM, "+14155550100")
    assert (setup["direction"], setup["callStatus"]) == ("outbound", "IN_PROGRESS")
    assert setup["customParameters"] == {"contact_id": "42", "first_name": "Ana"}
    assert final.status == "completed"


def test_a_refused_upgrade_fails_the_session_and_the_action_ends_the_call(emu, make_client, agent):
    agent.upgrade_status = 403
    agent.action_replies.append("<Response><Hangup/></Response>")
    _, final, record = place(emu, make_client, agent.twiml())
    [action] = agent.wait_actions(1)
    assert action["SessionStatus"] == "failed" and action["ErrorCode"] == "64102"
    assert "403" in action["ErrorMessage"] and action["CallStatus"] == "in-progress"
    assert action["CallSid"] == record.sid and action["SessionId"].startswith("VX")
    signature = agent.action_headers[0]["X-Twilio-Signature"]
    form = {k: v for k, v in action.items() if k != "path"}
    assert RequestValidator(emu.auth_token).validate(f"{agent.http}/action", form, signature)
    assert final.status == "completed" and record.errors[0][0] == 64102


def test_an_unreachable_server_fails_the_session_and_with_no_more_twiml_the_call_ends(
    emu, make_client
):
    twiml = '<Response><Connect><ConversationRelay url="ws://127.0.0.1:9/x"/></Connect></Response>'
    _, final, record = place(emu, make_client, twiml)
    assert final.status == "completed" and record.errors[0][0] == 64102
    assert record.conversation.segments == []


def test_a_send_on_a_socket_the_app_dropped_fails_the_session_and_the_call_goes_on(
    emu, make_client, agent, monkeypatch
):
    """The app's process died before the emulator read the close: the next send raises what
    aiohttp raises on a dropped transport. Twilio ends the session (64105) and goes on."""

    async def dropped(self, ws, now):
        raise aiohttp.ClientConnectionResetError("Cannot write to closing transport")

    monkeypatch.setattr(relay.RelaySession, "_send_due", dropped)
    agent.action_replies.append("<Response><Hangup/></Response>")
    _, final, record = place(emu, make_client, agent.twiml())
    [action] = agent.wait_actions(1)
    assert (action["SessionStatus"], action["ErrorCode"]) == ("failed", "64105")
    assert final.status == "completed" and record.errors[0][0] == 64105


def test_a_fault_of_the_emulators_own_fails_the_call_instead_of_leaving_it_live(
    emu, make_client, agent, monkeypatch, caplog
):
    async def broken(self, steps):
        raise RuntimeError("a bug in the call flow")

    monkeypatch.setattr(callflow.TwimlRunner, "run", broken)
    _, final, record = place(emu, make_client, agent.twiml())
    assert final.status == "failed" and record.errors[-1][0] == 20500
    assert "broke off" in caplog.text and "a bug in the call flow" in caplog.text


def test_a_ws_url_off_this_machine_is_refused_like_twilio(emu, make_client, agent):
    twiml = agent.twiml().replace(agent.url, "ws://example.com/relay")
    _, final, record = place(emu, make_client, twiml)
    [action] = agent.wait_actions(1)
    assert action["ErrorCode"] == "64102" and "wss://" in action["ErrorMessage"]
    assert final.status == "completed" and agent.sessions == []


def test_cooperative_callee_answers_each_line_then_hangs_up_after_the_goodbye(
    emu, make_client, agent
):
    _, final, record = place(emu, make_client, agent.twiml(params=persona("cooperative")))
    prompts = [m["voicePrompt"] for m in agent.sessions[0].of_type("prompt")]
    assert prompts[0] == "Hello?" and "I confirm" in prompts[2] and "Goodbye" in prompts[-1]
    assert all(
        m["last"] is True and m["lang"] == "en-US" for m in agent.sessions[0].of_type("prompt")
    )
    [action] = agent.wait_actions(1)
    assert (action["SessionStatus"], action["CallStatus"]) == ("completed", "completed")
    assert lines(record, "callee") == prompts
    assert lines(record, "agent")[-1] == "Thank you, goodbye!"  # heard before the hang-up
    segments = record.conversation.segments
    assert all(a.start <= b.start for a, b in zip(segments, segments[1:], strict=False))
    assert final.status == "completed" and int(final.duration) >= 8


def test_the_person_answers_after_the_welcome_greeting(emu, make_client, agent):
    attrs = 'welcomeGreeting="Hi, this is Ana from Acme, calling about your order."'
    _, _, record = place(emu, make_client, agent.twiml(attrs, persona("not_interested")))
    first, second = record.conversation.segments[:2]
    assert (first.speaker, first.text) == (
        "agent",
        "Hi, this is Ana from Acme, calling about your order.",
    )
    assert second.speaker == "callee" and second.start >= first.end
    assert all(m.get("voicePrompt") != first.text for m in agent.sessions[0].received)


def test_speaker_events_report_who_is_speaking(emu, make_client, agent):
    attrs = 'debug="speaker-events" welcomeGreeting="Hi, this is Acme."'
    place(emu, make_client, agent.twiml(attrs, persona("not_interested")))
    events = [(m["name"], m["value"]) for m in agent.sessions[0].of_type("info")]
    assert events[:3] == [
        ("agentSpeaking", "on"),
        ("agentSpeaking", "off"),
        ("clientSpeaking", "on"),
    ]
    assert events.count(("clientSpeaking", "off")) == 2  # "Hello?" and the refusal


def test_a_silent_callee_sends_no_prompt_and_gives_up(emu, make_client, agent):
    _, final, record = place(emu, make_client, agent.twiml(params=persona("silent")))
    assert agent.sessions[0].of_type("prompt") == []
    assert lines(record, "callee") == []
    assert final.status == "completed" and int(final.duration) >= 30


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("knowledge_question", "What are your opening hours?"),
        ("unknown_question", "parking garage"),
        ("busy_callback", "call me tomorrow at 3 pm"),
        ("not_interested", "not interested"),
        ("robot_question", "are you a robot?"),
        ("wants_person", "real person"),
    ],
)
def test_each_talking_persona_says_its_piece(name, says, emu, make_client, agent):
    _, final, _ = place(emu, make_client, agent.twiml(params=persona(name)))
    prompts = " ".join(m["voicePrompt"] for m in agent.sessions[0].of_type("prompt"))
    assert says.lower() in prompts.lower()
    assert final.status == "completed"


def test_the_time_limit_ends_a_session_the_callee_would_keep(emu, make_client, agent):
    _, final, record = place(emu, make_client, agent.twiml(params=persona("silent")), time_limit=12)
    [action] = agent.wait_actions(1)
    assert action["SessionStatus"] == "completed" and int(final.duration) <= 13


def test_a_rest_hangup_closes_the_socket(emu, make_client, agent):
    client = make_client(emu)
    call = client.calls.create(
        to="+14155550160", from_=FROM, twiml=agent.twiml(params=persona("silent"))
    )
    deadline = time.monotonic() + 10
    while not agent.sessions and time.monotonic() < deadline:
        time.sleep(0.02)
    client.calls(call.sid).update(status="completed")
    [action] = agent.wait_actions(1)
    assert (action["SessionStatus"], action["CallStatus"]) == ("completed", "completed")
    assert wait_final(client, call.sid).status == "completed"


async def long_winded(session: Session, message: dict) -> None:
    if message["type"] == "prompt":
        await session.say(LONG_LINE)


@pytest.mark.parametrize("mode", ["speech", "none"])
def test_an_interrupter_barges_in_only_when_the_line_is_interruptible(
    mode, emu, make_client, agent
):
    agent.behaviour = long_winded
    attrs = f'interruptible="{mode}"'
    _, _, record = place(emu, make_client, agent.twiml(attrs, persona("interrupter")))
    session = agent.sessions[0]
    interrupts = session.of_type("interrupt")
    prompts = [m["voicePrompt"] for m in session.of_type("prompt")]
    if mode == "speech":
        [interrupt] = interrupts
        heard = interrupt["utteranceUntilInterrupt"]
        assert heard and LONG_LINE.startswith(heard) and heard != LONG_LINE
        assert interrupt["durationUntilInterruptMs"] > 0
        assert "Sorry, sorry, who is this?" in prompts
        assert heard in lines(record, "agent")  # the record keeps what was heard
    else:
        assert interrupts == []
        assert "Sorry, sorry, who is this?" not in prompts  # not reported over the agent
        assert "Sorry, sorry, who is this?" in lines(record, "callee")


@pytest.mark.parametrize("detection", [True, False])
def test_pressed_digits_reach_the_app_only_with_dtmf_detection(detection, emu, make_client, agent):
    attrs = 'dtmfDetection="true"' if detection else ""
    _, _, record = place(emu, make_client, agent.twiml(attrs, persona("digits")))
    dtmf = agent.sessions[0].of_type("dtmf")
    assert dtmf == ([{"type": "dtmf", "digit": "1"}] if detection else [])
    pressed = [s for s in record.conversation.segments if s.kind == "dtmf"]
    assert [s.text for s in pressed] == ["1"]
    assert ("You pressed 1." in lines(record, "agent")) is detection


async def leaves_a_message(session: Session, message: dict) -> None:
    if message["type"] == "prompt":
        await session.say("Hi, this is Acme. Please call us back at your convenience.")


def test_voicemail_greets_beeps_records_the_message_and_hangs_up(emu, make_client, agent):
    agent.behaviour = leaves_a_message
    to = "+14155550105"  # last digit 5: the voicemail persona, without a parameter
    _, final, record = place(emu, make_client, agent.twiml(), to=to)
    [prompt] = agent.sessions[0].of_type("prompt")
    assert "leave a message after the beep" in prompt["voicePrompt"]
    assert lines(record, "agent") == ["Hi, this is Acme. Please call us back at your convenience."]
    [action] = agent.wait_actions(1)
    assert action["SessionStatus"] == "completed" and final.status == "completed"


def test_an_opt_out_number_asks_to_be_taken_off_the_list(emu, make_client, agent):
    place(emu, make_client, agent.twiml(), to="+14155550109")
    prompts = [m["voicePrompt"] for m in agent.sessions[0].of_type("prompt")]
    assert any("take me off your list" in p for p in prompts)


async def hands_off(session: Session, message: dict) -> None:
    if message["type"] == "prompt" and "real person" in message["voicePrompt"]:
        await session.say("One moment, I will connect you.")
        await session.ws.send_json({"type": "end", "handoffData": '{"reason":"human"}'})
    elif message["type"] == "prompt":
        await session.say("Hello, this is Acme.")


def test_end_requests_the_action_and_a_failed_transfer_comes_back_to_a_new_session(
    emu, make_client, agent
):
    agent.behaviour = hands_off
    http = agent.http
    agent.action_replies += [
        f'<Response><Dial action="{http}/dial-action" timeout="20">+14155550107</Dial></Response>',
        agent.twiml('welcomeGreeting="Sorry, nobody is free."', persona("not_interested")),
        "<Response><Hangup/></Response>",
    ]
    _, final, record = place(emu, make_client, agent.twiml(params=persona("wants_person")))
    ended, dialled, second = agent.wait_actions(3)
    assert (ended["SessionStatus"], ended["HandoffData"]) == ("ended", '{"reason":"human"}')
    assert ended["CallStatus"] == "in-progress" and int(ended["SessionDuration"]) >= 1
    assert dialled["path"] == "/dial-action" and dialled["DialCallStatus"] == "busy"
    assert [s.received[0]["callSid"] for s in agent.sessions] == [record.sid, record.sid]
    assert second["SessionStatus"] == "completed"  # the second callee hung up
    assert final.status == "completed"


def test_an_answered_transfer_and_then_hangup(emu, make_client, agent):
    agent.behaviour = hands_off
    agent.action_replies += [
        f'<Response><Dial action="{agent.http}/dial-action"><Number>+14155550100</Number></Dial>'
        "</Response>",
        "<Response><Hangup/></Response>",
    ]
    _, final, _ = place(emu, make_client, agent.twiml(params=persona("wants_person")))
    _, dialled = agent.wait_actions(2)
    assert dialled["DialCallStatus"] == "completed" and int(dialled["DialCallDuration"]) > 0
    assert final.status == "completed"


async def ends_at_once(session: Session, message: dict) -> None:
    if message["type"] == "prompt":
        await session.ws.send_json({"type": "end"})


def test_without_an_action_the_call_goes_on_to_the_next_verb_then_hangs_up(emu, make_client, agent):
    agent.behaviour = ends_at_once
    twiml = agent.twiml(action=False, after="<Say>Thanks for your time.</Say>")
    _, final, record = place(emu, make_client, twiml)
    assert lines(record, "agent")[-1] == "Thanks for your time."
    assert final.status == "completed" and agent.actions == []


async def malformed(session: Session, message: dict) -> None:
    if message["type"] != "setup":
        return
    await session.ws.send_json({"type": "sendDigits", "digits": "12w#*"})  # valid
    await session.ws.send_json({"type": "play", "source": "https://x/a.mp3"})  # valid
    await session.ws.send_json({"type": "sendDigits", "digits": "12a"})
    for _ in range(9):
        await session.ws.send_str("not json")


def test_ten_malformed_messages_in_a_row_close_the_socket_with_1007(emu, make_client, agent):
    agent.behaviour = malformed
    _, final, record = place(emu, make_client, agent.twiml())
    [action] = agent.wait_actions(1)
    assert action["SessionStatus"] == "failed" and action["ErrorCode"] == "64105"
    session = agent.sessions[0]
    assert session.close_code == 1007
    assert len(session.of_type("error")) == 10
    assert [code for code, _ in record.errors].count(64107) == 10
    assert final.status == "completed"


def test_start_recording_makes_a_dual_recording_with_both_sides(emu, make_client, agent, sink):
    start = f'<Start><Recording channels="dual" recordingStatusCallback="{sink.url}/rec"/></Start>'
    twiml = agent.twiml(params=persona("cooperative"), before=start)
    client, final, record = place(emu, make_client, twiml, record=True)
    [rec] = client.recordings.list(call_sid=record.sid)
    assert rec.channels == 2 and rec.source == "StartCallRecordingAPI"
    [callback] = sink.wait_for(lambda r: r["path"] == "/rec")
    params = dict(callback["params"])
    assert params["RecordingChannels"] == "2" and params["RecordingStatus"] == "completed"
    media = requests.get(
        params["RecordingUrl"] + ".wav", auth=(emu.account_sid, emu.auth_token), timeout=30
    )
    with wave.open(io.BytesIO(media.content)) as w:
        assert w.getnchannels() == 2
        frames = memoryview(w.readframes(w.getnframes())).cast("h")
    assert any(frames[0::2]) and any(frames[1::2])  # the agent and the callee both speak
    svc = client.intelligence.v2.services.create(unique_name="relay", auto_transcribe=False)
    tr = client.intelligence.v2.transcripts.create(
        service_sid=svc.sid, channel={"media_properties": {"source_sid": rec.sid}}
    )
    deadline = time.monotonic() + 10
    while tr.status != "completed" and time.monotonic() < deadline:
        time.sleep(0.02)
        tr = client.intelligence.v2.transcripts(tr.sid).fetch()
    sentences = client.intelligence.v2.transcripts(tr.sid).sentences.list()
    said = {(s.media_channel, s.transcript) for s in sentences}
    # The callee (the inbound track) is channel 1, the agent's speech channel 2.
    assert (1, "Yes, that's right, I confirm.") in said and (2, "Thanks, noted.") in said


def test_record_true_is_ignored_on_a_relay_call(emu, make_client, agent):
    client, _, record = place(emu, make_client, agent.twiml(), record=True)
    assert client.recordings.list(call_sid=record.sid) == []
