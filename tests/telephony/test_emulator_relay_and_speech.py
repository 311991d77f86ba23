"""The emulator as the Twilio side of ConversationRelay, and espeak-ng speech in recordings."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
import textwrap
import threading
import wave

import pytest
from aiohttp import web

from app.telephony.emulator import media
from app.telephony.emulator.conversation import Segment
from tests.telephony.conftest import FROM, wait_final


class RelayAgent:
    """A minimal ConversationRelay server: answers each prompt with two text tokens."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self) -> str:
        app = web.Application()
        app.router.add_get("/relay", self._ws)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/relay"

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            data = json.loads(msg.data)
            self.received.append(data)
            if data["type"] == "prompt":
                await ws.send_json({"type": "text", "token": "Thanks, ", "last": False})
                await ws.send_json({"type": "text", "token": "noted.", "last": True})
        return ws

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def test_conversation_relay_sends_setup_and_prompts_and_reads_text_tokens(
    make_emulator, make_client
):
    agent = RelayAgent()
    try:
        emu = make_emulator()
        client = make_client(emu)
        twiml = (
            f'<Response><Connect><ConversationRelay url="{agent.url}" '
            'welcomeGreeting="Hi, this is the CallDeck assistant."/></Connect></Response>'
        )
        call = client.calls.create(to="+14155551239", from_=FROM, twiml=twiml, record=True)
        final = wait_final(client, call.sid)
        assert final.status == "completed"
        kinds = [m["type"] for m in agent.received]
        assert kinds[0] == "setup" and kinds.count("prompt") >= 1
        setup = agent.received[0]
        assert setup["callSid"] == call.sid and setup["to"] == "+14155551239"
        prompts = [m["voicePrompt"] for m in agent.received if m["type"] == "prompt"]
        assert any("do not call me again" in p for p in prompts)
        conv = emu.emulator.server.account.calls[call.sid].conversation
        agent_lines = [s.text for s in conv.segments if s.speaker == "agent"]
        assert agent_lines[0] == "Hi, this is the CallDeck assistant."
        assert "Thanks, noted." in agent_lines
    finally:
        agent.close()


def test_unreachable_relay_plays_the_application_error(make_emulator, make_client):
    emu = make_emulator()
    client = make_client(emu)
    twiml = '<Response><Connect><ConversationRelay url="ws://127.0.0.1:9/x"/></Connect></Response>'
    call = client.calls.create(to="+14155551230", from_=FROM, twiml=twiml)
    assert wait_final(client, call.sid).status == "completed"
    conv = emu.emulator.server.account.calls[call.sid].conversation
    assert any("application error" in s.text for s in conv.segments)


FAKE_ESPEAK = textwrap.dedent(
    """\
    #!{python}
    import sys, wave, math
    out = sys.argv[sys.argv.index("-w") + 1]
    with wave.open(out, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
        w.writeframes(b"".join(
            int(9000 * math.sin(i / 5)).to_bytes(2, "little", signed=True) for i in range(22050)
        ))
    """
)


@pytest.mark.skipif(os.name == "nt", reason="the fake espeak-ng is a shebang script")
def test_espeak_speech_is_mixed_into_the_wav(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "espeak-ng"
    exe.write_text(FAKE_ESPEAK.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    segments = [Segment("agent", "Hello there.", 0.5, 1.5)]
    path = media.render_wav(segments, 3.0, tmp_path / "speech.wav")
    with wave.open(str(path)) as w:
        assert w.getframerate() == 8000 and w.getnframes() == 24000
        frames = w.readframes(w.getnframes())
    samples = memoryview(frames).cast("h")
    loud = max(abs(s) for s in samples[4000:12000])
    assert loud > 5000  # the synthesised speech (louder than the fallback tone) is in there
    assert max(abs(s) for s in samples[:3900]) == 0  # silence before the line starts
