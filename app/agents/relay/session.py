"""One ConversationRelay session: Twilio's messages in, the agent's speech and actions out.

Twilio sends prompt, dtmf, interrupt, info and error messages (setup was read by the server);
the agent answers through its `Responder`. Silence is the session's to notice: ConversationRelay
says nothing while the callee is quiet, so a timer asks the agent after each quiet spell. Times
are call seconds; *time_scale* > 1 runs them faster, to keep step with an emulator at --speed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import WSMsgType, web

from app.agents.actions import CallResult, CallWebhook, EndCall, SendDtmf, Transfer
from app.agents.definition import HELLO_WAIT_S, SILENCE_REMINDER_S
from app.agents.relay.tickets import CallTicket
from app.agents.responder import Output, Responder, Token
from app.agents.webhooks import call_webhook

log = logging.getLogger(__name__)

WORDS_PER_SECOND = 2.5  # how long Twilio's TTS takes to say a line, roughly (150 wpm)
LINE_GAP_S = 0.3
CLOSE_WAIT_S = 10.0  # after `end`, Twilio closes the socket once it has the action TwiML


class ScaledClock:
    """The Conversation's clock: call seconds since the session opened."""

    def __init__(self, time_scale: float) -> None:
        self._start = time.monotonic()
        self._scale = time_scale

    def elapsed(self) -> float:
        return (time.monotonic() - self._start) * self._scale

    def now(self) -> datetime:
        return datetime.now(UTC)


def speaking_time(text: str) -> float:
    return len(text.split()) / WORDS_PER_SECOND + LINE_GAP_S


@dataclass
class SessionEnd:
    """How the session finished, for the `<Connect action>` callback and the results."""

    result: CallResult | None = None
    transfer: Transfer | None = None
    ended_by_agent: bool = False
    handoff: dict = field(default_factory=dict)


class RelaySession:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        ticket: CallTicket,
        responder: Responder,
        *,
        clock: ScaledClock,
        time_scale: float = 1.0,
        greeting_played: bool = False,
        resume_after: str | None = None,
    ) -> None:
        self.ws = ws
        self.ticket = ticket
        self.responder = responder
        self.clock = clock
        self.scale = max(time_scale, 1e-6)
        # Twilio played the greeting from the TwiML (welcomeGreeting): do not send it again.
        self._skip_line = greeting_played and resume_after is None
        self._resume_after = resume_after  # a transfer tool that failed: back to the agent
        self._quiet_since = clock.elapsed()  # call seconds when the agent last stopped talking
        self._line: list[str] = []  # the turn's text so far (for how long it takes to say)
        self._held: Token | None = None
        self._callee_speaking = False  # Twilio's clientSpeaking on/off (speaker events)
        self._stopped = False
        self.end = SessionEnd()

    # -- the session ------------------------------------------------------------------------

    async def run(self) -> SessionEnd:
        try:
            if self.ticket.extension and self._resume_after is None:
                # An extension behind a switchboard: press it, a moment after the answer.
                digits = "ww" + self.ticket.extension
                await self.ws.send_json({"type": "sendDigits", "digits": digits})
            if self._resume_after is not None:
                await self._emit(self.responder.tool_result(self._resume_after, False))
            elif self.ticket.answered_by and self.ticket.answered_by.startswith("machine"):
                await self._emit(self.responder.voicemail())
            else:
                await self._emit(self.responder.start())
            while not self._stopped:
                msg = await self._receive()
                if msg is None:
                    await self._emit(self.responder.silence(self._quiet_for()))
                    self._quiet_since = max(self._quiet_since, self.clock.elapsed())
                    continue
                if msg.type != WSMsgType.TEXT:
                    break  # closed by Twilio: the callee hung up, or after our `end`
                await self._on_message(msg.data)
        except (TimeoutError, ConnectionResetError) as exc:
            log.info("call %s: relay socket lost (%s)", self.ticket.call_id, exc)
        finally:
            self.responder.hangup()
            self.end.result = await self.responder.finish()
        return self.end

    async def _receive(self):
        """The next message, or None when the callee has been quiet long enough to ask the
        agent about it (never while Twilio says the callee is speaking)."""
        if self._callee_speaking:
            return await self.ws.receive()
        wait = (self._quiet_since + self._quiet_limit() - self.clock.elapsed()) / self.scale
        try:
            return await self.ws.receive(timeout=max(0.0, wait))
        except TimeoutError:
            return None

    def _quiet_limit(self) -> float:
        phase = self.responder.conversation.phase
        return HELLO_WAIT_S if phase in ("hello", "probed") else SILENCE_REMINDER_S

    def _quiet_for(self) -> float:
        return max(0.0, self.clock.elapsed() - self._quiet_since)

    async def _on_message(self, raw: str) -> None:
        data = _json(raw)
        kind = data.get("type")
        if kind == "prompt":
            self._callee_speaking = False
            self._heard()
            await self._emit(
                self.responder.prompt(str(data.get("voicePrompt") or ""), data.get("last", True))
            )
        elif kind == "dtmf":
            self._heard()
            await self._emit(self.responder.dtmf(str(data.get("digit") or "")))
        elif kind == "interrupt":
            self.responder.interrupted(str(data.get("utteranceUntilInterrupt") or ""))
            self._heard()
        elif kind == "info" and data.get("name") == "clientSpeaking":
            # The words come as a prompt once the callee has finished: until then they are
            # talking, not silent (a "hello" takes longer than the two-second wait).
            self._callee_speaking = data.get("value") == "on"
            self._heard()
        elif kind == "error":
            log.warning("call %s: Twilio reports %s", self.ticket.call_id, data.get("description"))
        # setup was read by the server; info and anything newer are ignorable.

    def _heard(self) -> None:
        self._quiet_since = self.clock.elapsed()

    # -- what the agent does ----------------------------------------------------------------

    async def _emit(self, outputs: AsyncIterator[Output]) -> None:
        """Speak and act. ConversationRelay's `last: true` ends the agent's *turn* (the callee
        may answer then), so the lines of one answer go out as one text, and the turn ends
        before any other action: an end, a transfer, keys, or a webhook's wait."""
        async for output in outputs:
            if self._stopped:
                continue
            if isinstance(output, Token):
                await self._hold(output)
                continue
            await self._end_turn()
            if isinstance(output, EndCall):
                await self._finish({"reasonCode": "completed", "outcome": output.outcome})
            elif isinstance(output, Transfer):
                self.end.transfer = output
                await self._finish(
                    {
                        "reasonCode": "live-agent-handoff",
                        "reason": output.summary,
                        "mode": output.mode,
                    }
                )
            elif isinstance(output, SendDtmf):
                await self.ws.send_json({"type": "sendDigits", "digits": output.digits})
            elif isinstance(output, CallWebhook):
                ok, data = await asyncio.to_thread(call_webhook, output)
                await self._emit(self.responder.tool_result(output.tool, ok, data))
            # AddToDnc and ScheduleCallback are in the call's result; nothing to send.
        await self._end_turn()

    async def _hold(self, token: Token) -> None:
        """Send the token before this one: only the turn's very last token says last."""
        held, self._held = self._held, token
        if held is not None:
            text = held.text.rstrip() + " " if held.last else held.text  # one line to the next
            await self._send(Token(text, False, held.interruptible), line_ends=held.last)

    async def _end_turn(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await self._send(held, line_ends=True)

    async def _send(self, token: Token, *, line_ends: bool) -> None:
        spoken = token.text
        if self._skip_line:  # Twilio plays the welcomeGreeting from the TwiML itself
            self._skip_line = not line_ends
            if not token.last:
                self._line.append(spoken)  # it still takes its time to say
                return
            token = Token("", True, token.interruptible)  # the turn still needs its `last`
        await self.ws.send_json(
            {
                "type": "text",
                "token": token.text,
                "last": token.last,
                "interruptible": token.interruptible,
            }
        )
        self._line.append(spoken)
        if token.last:
            start = max(self.clock.elapsed(), self._quiet_since)
            self._quiet_since = start + speaking_time("".join(self._line))
            self._line.clear()

    async def _finish(self, handoff: dict) -> None:
        """The farewell was sent (its last token): once it has been heard, `end`, then wait
        for Twilio to close. Twilio cuts speech still playing when `end` arrives."""
        self._stopped = True
        self.end.ended_by_agent = True
        self.end.handoff = handoff
        if not await self._farewell_heard():
            return  # the callee hung up meanwhile
        await self.ws.send_json({"type": "end", "handoffData": json.dumps(handoff)})
        try:
            await asyncio.wait_for(self._drain(), CLOSE_WAIT_S)
        except TimeoutError:
            await self.ws.close()

    async def _farewell_heard(self) -> bool:
        """Wait until the last line has played: Twilio's `agentSpeaking` on then off (we ask
        for speaker events; an `off` alone may be the line before's), or its speaking time
        when they do not come. False: the socket closed."""
        started = False
        while True:
            left = (self._quiet_since - LINE_GAP_S - self.clock.elapsed()) / self.scale
            if left <= 0:
                return True
            try:
                msg = await self.ws.receive(timeout=left)
            except TimeoutError:
                return True
            if msg.type != WSMsgType.TEXT:
                return False
            data = _json(msg.data)
            if data.get("type") == "info" and data.get("name") == "agentSpeaking":
                if data.get("value") == "on":
                    started = True
                elif started:
                    return True

    async def _drain(self) -> None:
        while True:
            msg = await self.ws.receive()
            if msg.type != WSMsgType.TEXT:
                return


def _json(raw: str) -> dict:
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("relay: Twilio sent a message that is not JSON")
        return {}
    return data if isinstance(data, dict) else {}
