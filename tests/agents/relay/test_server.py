"""The relay server against a scripted Twilio side: real websockets and HTTP on 127.0.0.1,
signed with twilio's RequestValidator like Twilio signs them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from app.agents.actions import CallResult
from app.agents.relay.server import ACTION_PATH, RelayServer
from app.agents.relay.tickets import CallTicket
from tests.agents.conftest import CONTACT, definition

TOKEN = "test-auth-token"
SID = "CA" + "1" * 32


def sign(url: str, params: dict | None = None) -> str:
    return RequestValidator(TOKEN).compute_signature(url, params or {})


class Call:
    """Twilio's side of one call: the socket, and what the agent sent on it."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.lines: list[str] = []
        self.messages: list[dict] = []
        self._line: list[str] = []

    async def line(self, timeout: float = 5.0) -> str:
        """The agent's next turn: its tokens up to last:true (one answer may hold several
        lines, the greeting and the step's question, say)."""
        while True:
            msg = await self.next(timeout)
            if msg["type"] == "text":
                await self._playing()
                self._line.append(msg["token"])
                if msg["last"]:
                    return await self._spoken()

    async def next(self, timeout: float = 5.0) -> dict:
        msg = await self.ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        data = json.loads(msg.data)
        self.messages.append(data)
        return data

    async def until(self, kind: str, timeout: float = 5.0) -> dict:
        while True:
            data = await self.next(timeout)
            if data["type"] == "text":
                await self._playing()
                self._line.append(data["token"])
                if data["last"]:
                    await self._spoken()
            if data["type"] == kind:
                return data

    async def _playing(self) -> None:
        if not self._line:
            await self.ws.send_json({"type": "info", "name": "agentSpeaking", "value": "on"})

    async def _spoken(self) -> str:
        """A whole line came: Twilio plays it, then says so (debug="speaker-events")."""
        text = "".join(self._line)
        self._line.clear()
        self.lines.append(text)
        await self.ws.send_json({"type": "info", "name": "agentSpeaking", "value": "off"})
        return text

    async def say(self, text: str) -> None:
        await self.ws.send_json(
            {"type": "prompt", "voicePrompt": text, "lang": "en-US", "last": True}
        )


class Harness:
    def __init__(self, relay: RelayServer, results: list[CallResult]) -> None:
        self.relay = relay
        self.results = results
        self.http = aiohttp.ClientSession()

    def ticket(self, defn=None, **changes) -> tuple[str, str]:
        """(token, twiml) of a call the dialer is about to place, bound to SID."""
        ticket = CallTicket(1, 7, "+15551230000", defn or definition(), 3, dict(CONTACT), **changes)
        prepared = self.relay.prepare_call(ticket, record=True)
        self.relay.bind(prepared.token, SID)
        return prepared.token, prepared.twiml

    def url(self, token: str) -> str:
        return f"{self.relay.ws_base}/relay?t={token}"

    async def connect(self, token: str, *, signature: str | None = "good", call_sid: str = SID):
        url = self.url(token)
        headers = {}
        if signature == "good":
            headers["X-Twilio-Signature"] = sign(url)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        ws = await self.http.ws_connect(url, headers=headers)
        await ws.send_json(
            {
                "type": "setup",
                "sessionId": "VX1",
                "accountSid": "AC1",
                "callSid": call_sid,
                "from": "+15005550006",
                "to": "+15551230000",
                "direction": "outbound",
                "callStatus": "IN_PROGRESS",
                "customParameters": {"first_name": "Ana"},
            }
        )
        return Call(ws)

    async def action(self, **params: str) -> tuple[int, str]:
        url = f"{self.relay.http_base}{ACTION_PATH}"
        form = {"CallSid": SID, "AccountSid": "AC1", **params}
        headers = {"X-Twilio-Signature": sign(url, form)}
        async with self.http.post(url, data=form, headers=headers) as response:
            return response.status, await response.text()

    async def result(self, timeout: float = 5.0) -> CallResult:
        for _ in range(int(timeout / 0.02)):
            if self.results:
                return self.results[-1]
            await asyncio.sleep(0.02)
        raise AssertionError("the session stored no result")


def run(scenario: Callable, *, time_scale: float = 1.0, responder=None) -> None:
    async def main() -> None:
        results: list[CallResult] = []
        relay = RelayServer(
            auth_token=TOKEN,
            on_result=lambda ticket, result: results.append(result),
            time_scale=time_scale,
            **({"responder": responder} if responder else {}),
        )
        await relay.start()
        harness = Harness(relay, results)
        try:
            await asyncio.wait_for(scenario(harness), 30)
        finally:
            await harness.http.close()
            await relay.close()

    asyncio.run(main())


def test_a_call_from_hello_to_goodbye_and_the_hang_up_twilio_is_told():
    async def scenario(h: Harness) -> None:
        token, twiml = h.ticket()
        assert f'url="{h.url(token)}"' in twiml.replace("&amp;", "&")
        call = await h.connect(token)
        await call.say("Hello?")
        turn = await call.line()
        assert turn.startswith("Hi Ana, this is Sunny")
        assert turn.endswith(
            "This call may be recorded. Can you still make it on Wednesday at three pm?"
        )
        await call.say("Yes, I can make it.")
        assert await call.line() == "Thank you, goodbye."
        end = await call.until("end")
        assert json.loads(end["handoffData"])["outcome"] == "completed"
        status, body = await h.action(SessionStatus="ended", CallStatus="in-progress")
        assert (status, body) == (200, "<Response><Hangup/></Response>")
        await call.ws.close()
        result = await h.result()
        assert result.outcome == "completed"
        assert result.fields == {"confirmed": True}
        assert [t.speaker for t in result.turns] == ["callee", "agent", "agent", "callee", "agent"]

    run(scenario)


def test_one_answer_is_one_turn_a_sentence_a_token_and_only_the_greeting_is_not_interruptible():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        tokens = [m for m in call.messages if m["type"] == "text"]
        assert tokens[-1]["last"] and not any(m["last"] for m in tokens[:-1])  # one turn
        greeting = "".join(m["token"] for m in tokens if not m["interruptible"])
        question = "".join(m["token"] for m in tokens if m["interruptible"])
        assert greeting.startswith("Hi Ana") and greeting.endswith("may be recorded. ")
        assert question.startswith("Can you still make it") and len(tokens) == 3  # sentences

    run(scenario)


def test_speak_first_puts_the_greeting_in_the_twiml_and_never_sends_it_again():
    async def scenario(h: Harness) -> None:
        greeting = (
            "Hi {{first_name}}, Sunny, automated, from {{company}}. This call may be recorded."
        )
        defn = definition(opening={"mode": "speak_first", "greeting": greeting})
        token, twiml = h.ticket(defn)
        expected = "Hi Ana, Sunny, automated, from Evergreen Vets. This call may be recorded."
        assert f'welcomeGreeting="{expected}"' in twiml
        assert 'welcomeGreetingInterruptible="none"' in twiml
        call = await h.connect(token)
        assert "Wednesday at three pm" in await call.line()  # the step, not the greeting
        assert all("Sunny, automated" not in line for line in call.lines)

    run(scenario)


@pytest.mark.parametrize("signature", [None, "bad-signature"])
def test_an_upgrade_without_a_valid_signature_is_refused(signature):
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await h.connect(token, signature=signature)
        assert refused.value.status == 403
        assert h.relay.tickets.usable(token)  # the real Twilio connect can still use it

    run(scenario)


def test_the_signature_is_checked_against_the_public_address_not_the_host_header():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        host = urlsplit(h.relay.ws_base).netloc
        forged = sign(f"ws://evil.example/relay?t={token}")
        with pytest.raises(aiohttp.WSServerHandshakeError):
            ws = await h.http.ws_connect(
                h.url(token), headers={"X-Twilio-Signature": forged, "Host": "evil.example"}
            )
            await ws.close()
        assert host.startswith("127.0.0.1:")

    run(scenario)


def test_a_replayed_upgrade_is_refused_once_its_token_is_spent():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await h.connect(token)
        assert refused.value.status == 403

    run(scenario)


def test_a_token_presented_for_another_call_opens_nothing():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token, call_sid="CA" + "2" * 32)
        msg = await call.ws.receive(timeout=5)
        assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1008
        assert not call.messages

    run(scenario)


def test_silence_probes_then_leaves_the_voicemail_message():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)  # nobody says hello
        assert await call.line() == "Hello? Is this Ana?"
        message = await call.line()
        assert "call us back at one five zero zero" in message.lower().replace(",", "")
        await call.until("end")
        await call.ws.close()
        assert (await h.result()).outcome == "voicemail_left"

    run(scenario, time_scale=20.0)


def test_a_machine_answer_known_from_amd_gets_the_message_at_once():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket(answered_by="machine_end_beep")
        call = await h.connect(token)
        assert (await call.line()).startswith("Hi Ana, please call us back")
        await call.until("end")

    run(scenario)


def test_an_interruption_keeps_only_what_was_heard_of_the_agents_line():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        await call.ws.send_json(
            {
                "type": "interrupt",
                "utteranceUntilInterrupt": "Can you still",
                "durationUntilInterruptMs": 600,
            }
        )
        await call.say("Sorry, yes I can.")
        await call.until("end")
        await call.ws.close()
        turns = (await h.result()).turns
        agent = [t.text for t in turns if t.speaker == "agent"]
        assert agent[0].startswith("Hi Ana") and agent[1] == "Can you still"

    run(scenario)


def test_an_opt_out_ends_politely_with_the_callees_words_as_evidence():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        await call.say("Please take me off your list.")
        farewell = await call.line()
        end = await call.until("end")
        assert farewell and call.messages.index(end) > 0
        assert call.messages[call.messages.index(end) - 1]["last"] is True  # farewell first
        await call.ws.close()
        result = await h.result()
        assert (result.outcome, result.dnc_evidence) == ("dnc", "Please take me off your list.")

    run(scenario)


def test_a_transfer_ends_the_session_with_a_summary_and_twilio_is_told_to_dial():
    async def scenario(h: Harness) -> None:
        defn = definition(
            tools=[
                {
                    "type": "transfer",
                    "number": "+15005550009",
                    "summary": "{{first_name}} wants a person",
                }
            ]
        )
        token, _ = h.ticket(defn)
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        await call.say("Can I talk to a real person please?")
        end = await call.until("end")
        handoff = json.loads(end["handoffData"])
        assert handoff["reasonCode"] == "live-agent-handoff"
        assert handoff["reason"] == "Ana wants a person"
        status, body = await h.action(SessionStatus="ended", CallStatus="in-progress")
        assert body.startswith("<Response><Dial action=")
        assert body.endswith(">+15005550009</Dial></Response>")
        await call.ws.close()
        assert (await h.result()).outcome == "transferred"

    run(scenario)


def test_an_unsigned_action_callback_is_refused():
    async def scenario(h: Harness) -> None:
        url = f"{h.relay.http_base}{ACTION_PATH}"
        async with h.http.post(url, data={"CallSid": SID, "SessionStatus": "ended"}) as response:
            assert response.status == 403

    run(scenario)


def test_a_failed_session_gets_an_apology_not_dead_air():
    async def scenario(h: Harness) -> None:
        status, body = await h.action(
            SessionStatus="failed", ErrorCode="64105", ErrorMessage="socket closed"
        )
        assert "<Say>" in body and body.endswith("<Hangup/></Response>")

    run(scenario)


def test_a_transfer_nobody_answers_comes_back_to_the_agent_on_a_new_session():
    async def scenario(h: Harness) -> None:
        defn = definition(tools=[{"type": "transfer", "number": "+15005550009"}])
        token, _ = h.ticket(defn)
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        await call.say("I want to speak to a human.")
        await call.until("end")
        _, dial = await h.action(SessionStatus="ended", CallStatus="in-progress")
        assert 'action="' in dial and "/relay/dial-result" in dial
        await call.ws.close()
        url = f"{h.relay.http_base}/relay/dial-result"
        form = {"CallSid": SID, "DialCallStatus": "no-answer"}
        async with h.http.post(
            url, data=form, headers={"X-Twilio-Signature": sign(url, form)}
        ) as r:
            again = await r.text()
        new_token = again.split("?t=")[1].split('"')[0]
        assert new_token != token and "<Start>" not in again  # the recording goes on
        back = await h.connect(new_token)
        sorry = await back.line()
        assert "could not" in sorry.lower() or "sorry" in sorry.lower()
        await back.ws.close()
        result = await h.result()
        assert result.outcome != "transferred"

    run(scenario)


def test_while_twilio_says_the_callee_is_speaking_the_agent_does_not_probe():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)
        await call.ws.send_json({"type": "info", "name": "clientSpeaking", "value": "on"})
        await asyncio.sleep(0.3)  # three times the hello wait at this speed
        await call.ws.send_json({"type": "info", "name": "clientSpeaking", "value": "off"})
        await call.say("Hello, who is this?")
        turn = await call.line()
        assert turn.startswith("Hi Ana, this is Sunny")  # greeted, never probed

    run(scenario, time_scale=20.0)


def _webhook_agent(url: str):
    from tests.agents.conftest import with_steps
    from tests.agents.test_flow_tools import STEPS, WEBHOOK

    return with_steps(STEPS, tools=[{**WEBHOOK, "url": url, "timeout_s": 2}])


@pytest.mark.parametrize("works", [True, False])
def test_a_webhook_runs_after_its_filler_is_sent_and_its_edge_is_spoken(works):
    from aiohttp import web

    async def scenario(h: Harness) -> None:
        async def crm(request: web.Request) -> web.Response:
            assert (await request.json())["first_name"] == "Ana"
            if not works:
                return web.Response(status=500)
            return web.json_response({"result": {"ticket": 42}})

        app = web.Application()
        app.router.add_post("/leads", crm)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/leads"
            token, _ = h.ticket(_webhook_agent(url))
            call = await h.connect(token)
            await call.say("Hello?")
            await call.line()
            await call.say("Yes please.")
            assert await call.line() == "One moment while I save that."  # its own turn
            after = await call.line()
            if works:
                assert after == "Saved as ticket forty-two. Goodbye."
            else:
                assert after == "I couldn't save it, but the team will follow up. Goodbye."
        finally:
            await runner.cleanup()

    run(scenario)


def test_silence_gets_two_reminders_then_the_call_ends_as_unresponsive():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        first, second = await call.line(), await call.line()
        assert first.startswith("Are you still there?") and second.startswith("Are you still")
        assert await call.line() == "I'll let you go for now. Goodbye."
        await call.until("end")
        await call.ws.close()
        assert (await h.result()).outcome == "unresponsive"

    run(scenario, time_scale=40.0)


def test_a_backchannel_while_the_agent_waits_moves_nothing():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket()
        call = await h.connect(token)
        await call.say("Hello?")
        await call.line()
        await call.say("Uh-huh.")
        await call.say("Yes, I can.")
        assert await call.line() == "Thank you, goodbye."  # the answer, not a reprompt
        assert len(call.lines) == 2

    run(scenario)


def test_with_a_language_model_its_line_streams_to_twilio_as_it_is_written(fake_llm):
    from app.agents.llm import LlmConfig, LlmResponder
    from tests.agents.conftest import with_steps
    from tests.agents.fake_openai import Reply
    from tests.agents.test_llm import BYE, WRITTEN

    fake_llm.lines.append(Reply("Hi Ana! Does Wednesday at 3 pm still suit you?"))
    config = LlmConfig(fake_llm.base_url, "fake-model", timeout_s=5.0)

    async def scenario(h: Harness) -> None:
        token, _ = h.ticket(with_steps([WRITTEN, BYE]))
        call = await h.connect(token)
        await call.say("Hello?")
        turn = await call.line()
        assert turn.endswith("Hi Ana! Does Wednesday at three pm still suit you?")
        texts = [m for m in call.messages if m["type"] == "text"]
        greeting = 2  # its two sentences; the model's line follows piece by piece
        assert len(texts) - greeting > 3 and [m["last"] for m in texts].count(True) == 1
        await call.ws.close()
        assert (await h.result()).turns[-1].text.endswith("still suit you?")

    run(scenario, responder=lambda conversation: LlmResponder(conversation, config))


def test_a_contacts_extension_is_pressed_before_the_agent_listens():
    async def scenario(h: Harness) -> None:
        token, _ = h.ticket(extension="12")
        call = await h.connect(token)
        assert await call.next() == {"type": "sendDigits", "digits": "ww12"}

    run(scenario)
