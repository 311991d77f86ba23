"""Pure parts of the emulator: TwiML timing, conversation layout, faults, scenario, paging."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import wave
from pathlib import Path

import pytest
import requests

from app.telephony.emulator import Emulator, media, twiml
from app.telephony.emulator.conversation import (
    Conversation,
    PersonaCursor,
    close_plain,
    lay_out_step,
    pick_up,
)
from app.telephony.emulator.faults import FaultPlan, parse_delays, parse_faults
from app.telephony.emulator.outcomes import PERSONA_NAMES, Scenario, persona_for
from app.telephony.emulator.paging import v2010_page
from app.telephony.emulator.personas import BEEP_S

REPO = Path(__file__).resolve().parents[2]


def test_say_pause_play_dial_and_hangup_timing():
    steps = twiml.parse(
        "<Response><Say>one two three four five six seven eight nine ten</Say>"
        '<Pause length="3"/><Play>https://x/a.mp3</Play><Dial>+14155550100</Dial>'
        "<Hangup/><Say>never said</Say></Response>"
    )
    assert [s.kind for s in steps] == ["say", "pause", "play", "dial", "hangup"]
    assert steps[0].seconds == pytest.approx(4.0)  # 10 words at 150 wpm
    assert steps[1].seconds == 3.0
    assert twiml.parse("<Response><Say>unclosed</Response>") is None
    assert twiml.parse("<NotTwiml/>") is None


def lay_out(steps: list[twiml.Step], to: str, *, waits_for_beep: bool = False) -> Conversation:
    """What the emulator's call flow does with plain verbs, without the waiting."""
    persona = Scenario().outcome_for(to).persona
    conv, cursor = Conversation(), PersonaCursor(persona, waits_for_beep=waits_for_beep)
    pick_up(conv, cursor)
    for step in steps:
        lay_out_step(conv, step, cursor)
    close_plain(conv, cursor, hung_up=False)
    return conv


def test_conversation_interleaves_persona_lines_with_the_agent():
    conv = lay_out(
        twiml.parse("<Response><Say>Hi there.</Say><Say>Bye now.</Say></Response>"), "+14155550009"
    )
    speakers = [s.speaker for s in conv.segments]
    assert speakers == ["callee", "agent", "callee", "agent"]
    assert "do not call me again" in conv.segments[2].text
    assert all(a.end <= b.start for a, b in zip(conv.segments, conv.segments[1:], strict=False))
    assert conv.duration >= conv.segments[-1].end


def test_a_machine_hears_the_agent_over_its_greeting_unless_amd_waits_for_the_beep():
    steps = twiml.parse("<Response><Say>Please call us back.</Say></Response>")
    over = lay_out(steps, "+14155550005")  # no AMD, or async AMD: the TwiML runs at once
    greeting, message = sorted(over.segments, key=lambda s: s.speaker, reverse=True)
    assert message.speaker == "agent" and message.start < greeting.end
    after = lay_out(steps, "+14155550005", waits_for_beep=True)  # synchronous AMD
    assert [s.speaker for s in after.segments] == ["callee", "agent"]
    assert after.segments[1].start >= after.segments[0].end + BEEP_S


def test_connect_relay_keeps_its_attributes_parameters_and_action():
    [record, relay] = twiml.parse(
        '<Response><Start><Recording channels="dual" recordingStatusCallback="https://x/r"/>'
        '</Start><Connect action="https://x/a" method="GET">'
        '<ConversationRelay url="wss://x/relay?t=1" welcomeGreeting="Hi." interruptible="speech"'
        ' dtmfDetection="true" language="en-GB" hints="Acme">'
        '<Parameter name="contact_id" value="42"/><Parameter name="persona" value="silent"/>'
        "</ConversationRelay></Connect></Response>"
    )
    assert record.recording == twiml.StartRecording(channels=2, callback="https://x/r")
    spec = relay.relay
    assert (spec.url, spec.action, spec.method) == ("wss://x/relay?t=1", "https://x/a", "GET")
    assert spec.parameters == {"contact_id": "42", "persona": "silent"}
    assert spec.attributes["hints"] == "Acme" and spec.language == "en-GB"
    assert (spec.welcome_greeting, spec.interruptible, spec.dtmf_detection) == (
        "Hi.",
        "speech",
        True,
    )
    assert (spec.welcome_interruptible, spec.report_input_during_agent_speech) == ("any", "none")
    bare = twiml.parse('<Response><Connect><ConversationRelay url="wss://x"/></Connect></Response>')
    assert not bare[0].relay.dtmf_detection and bare[0].relay.interruptible == "any"
    assert twiml.interrupt_mode("false", "any") == "none"


def test_dial_number_text_or_child_with_action_and_timeout():
    [text, child] = twiml.parse(
        '<Response><Dial action="https://x/d" timeout="12">+14155550100</Dial>'
        "<Dial><Number>+14155550107</Number></Dial></Response>"
    )
    assert text.dial == twiml.Dial("+14155550100", "https://x/d", "POST", 12.0)
    assert child.dial.number == "+14155550107" and child.dial.timeout_s == 30.0


def test_relay_urls_must_be_wss_except_ws_to_this_machine():
    assert twiml.relay_url_problem("wss://agent.example.com/relay") == ""
    for ok in ("ws://127.0.0.1:8080/relay", "ws://localhost/relay", "ws://[::1]:9/r"):
        assert twiml.relay_url_problem(ok) == ""
    for bad in ("ws://example.com/relay", "https://x/relay", "relay"):
        assert "wss://" in twiml.relay_url_problem(bad)


def test_persona_table_shows_every_persona_on_twenty_numbers():
    seen = {persona_for(f"+141555501{tens}{last}").name for tens in range(10) for last in (0, 5, 9)}
    assert seen == set(PERSONA_NAMES)
    assert persona_for("+14155550100").name == "cooperative"
    assert persona_for("+14155550160").name == "silent"
    assert persona_for("+14155550105").name == "voicemail"
    assert persona_for("+14155550100", {"persona": "digits"}).name == "digits"
    assert persona_for("+14155550100", {"persona": "nobody-here"}).name == "cooperative"


def test_scenario_file_may_name_a_persona(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"numbers": {"+14155550000": {"persona": "interrupter"}}}))
    assert Scenario.load(path).outcome_for("+14155550000").persona.name == "interrupter"
    path.write_text(json.dumps({"numbers": {"+14155550000": {"persona": "ghost"}}}))
    with pytest.raises(ValueError):
        Scenario.load(path)


def test_fault_spec_parsing_and_seeded_repeatability():
    assert parse_faults("429=0.1, 500=0.05,timeout=0.05,drop-callback=0.2") == {
        "429": 0.1,
        "500": 0.05,
        "timeout": 0.05,
        "drop-callback": 0.2,
    }
    with pytest.raises(ValueError):
        parse_faults("418=0.5")
    with pytest.raises(ValueError):
        parse_faults("429=2")
    # Delays are seconds, not rates; on by default, as on Twilio, and 0 turns them off.
    assert parse_delays(None) == {"recording-delay": 3.0, "list-delay": 2.0}
    assert parse_delays("429=0.1,recording-delay=120,list-delay=0") == {
        "recording-delay": 120.0,
        "list-delay": 0.0,
    }
    assert parse_faults("recording-delay=120") == {}
    with pytest.raises(ValueError):
        parse_delays("list-delay=-1")
    a, b = FaultPlan("429=0.3,500=0.3", seed=9), FaultPlan("429=0.3,500=0.3", seed=9)
    assert [a.http_fault() for _ in range(50)] == [b.http_fault() for _ in range(50)]
    assert FaultPlan(None).http_fault() is None


def test_scenario_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps({"numbers": {"+14155550000": {"outcome": "voicemail", "ring_s": 2}}})
    )
    scenario = Scenario.load(path)
    assert scenario.outcome_for("+14155550000").kind == "voicemail"
    assert scenario.outcome_for("+14155550007").kind == "busy"
    path.write_text(json.dumps({"numbers": {"+1": {"outcome": "teleport"}}}))
    with pytest.raises(ValueError):
        Scenario.load(path)


class _Item:
    def __init__(self, sid: str) -> None:
        self.sid = sid


def test_paging_tokens_follow_twilios_shape():
    items = [_Item(f"CA{i:032d}") for i in range(5)]
    first = v2010_page({"PageSize": "2"}, items, "calls", "/p", lambda i: {"sid": i.sid})
    assert [c["sid"] for c in first["calls"]] == [items[0].sid, items[1].sid]
    assert first["next_page_uri"] == f"/p?PageSize=2&Page=1&PageToken=PA{items[1].sid}"
    assert first["previous_page_uri"] is None and (first["start"], first["end"]) == (0, 1)
    query = dict(p.split("=") for p in first["next_page_uri"].split("?")[1].split("&"))
    second = v2010_page(query, items, "calls", "/p", lambda i: {"sid": i.sid})
    assert [c["sid"] for c in second["calls"]] == [items[2].sid, items[3].sid]
    assert "PageToken=PB" in second["previous_page_uri"]


def test_wav_renders_without_espeak(tmp_path, monkeypatch):
    monkeypatch.setattr(media.shutil, "which", lambda name: None)
    conv = lay_out(twiml.parse("<Response><Say>Hello.</Say></Response>"), "+14155550001")
    path = media.render_wav(conv.segments, conv.duration, tmp_path / "x.wav")
    with wave.open(str(path)) as w:
        frames = w.readframes(w.getnframes())
        assert w.getnframes() == pytest.approx(conv.duration * 8000, abs=8)
    assert any(frames)  # not pure silence: each turn is an audible tone
    assert media.mp3_encoder() is None
    assert media.encode_mp3(path, tmp_path / "x.mp3") is None


def test_emulator_runs_on_the_current_loop():
    async def go():
        async with Emulator(speed=100, account_sid="AC" + "a" * 32, auth_token="tok") as emu:
            url = f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/OutgoingCallerIds.json"
            resp = await asyncio.to_thread(
                requests.get, url, auth=(emu.account_sid, "tok"), timeout=5
            )
            return emu.base_url, resp.status_code

    base_url, status = asyncio.run(go())
    assert base_url.startswith("http://127.0.0.1:") and status == 200


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM handling is POSIX")
def test_cli_prints_one_json_line_and_exits_cleanly_on_sigterm(tmp_path):
    code = (
        "import sys; from app.telephony.emulator import run_emulator_cli;"
        "sys.exit(run_emulator_cli(port=0, speed=10, call_log=None, faults=None,"
        " account_sid=None, auth_token='secret'))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        line = json.loads(proc.stdout.readline())
        assert set(line) == {"base_url", "account_sid", "auth_token"}
        assert line["auth_token"] == "secret" and line["account_sid"].startswith("AC")
        url = f"{line['base_url']}/2010-04-01/Accounts/{line['account_sid']}/Calls.json"
        assert requests.get(url, auth=(line["account_sid"], "secret"), timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_emulator_thread_on_a_taken_port_fails_cleanly():
    import threading

    from app.telephony.emulator import EmulatorThread

    with EmulatorThread(speed=10) as first:
        before = threading.active_count()
        second = EmulatorThread(port=first.emulator.port)
        with pytest.raises(OSError):
            second.start()
        assert threading.active_count() == before  # no loop thread left running
        second.stop()  # harmless after a failed start
