"""The Twilio side of one <ConversationRelay> session, played live against a persona.

Like Twilio (CONVERSATION_RELAY.md §3-§5):
- the upgrade carries X-Twilio-Signature over the url exactly as written, with no params;
- a refused upgrade (any non-101) or an unreachable server fails the session with 64102;
- `setup` first, then `prompt` for each callee line once it has been spoken, `dtmf` only with
  dtmfDetection="true", `interrupt` only when the agent's current text is interruptible
  (per-message `interruptible` over the TwiML attribute; welcomeGreetingInterruptible for the
  greeting); callee input during agent speech that does not interrupt is reported only as
  reportInputDuringAgentSpeech allows (default none);
- an invalid message gets an `error` frame and is dropped (64107); 10 in a row close the
  socket with 1007 and fail the session (64105); the server closing the socket fails it too;
- `end` ends the session (SessionStatus=ended) with its handoffData;
- with debug="speaker-events", `info` messages agentSpeaking/clientSpeaking on/off (the shape
  Twilio's sample handler reads: {"type":"info","name":...,"value":"on"|"off"}).

Agent speech takes words/150 wpm of call time from its first token; the welcomeGreeting is
spoken (and logged here, never echoed on the socket) as soon as the socket opens.

Unverified choices: `setup.direction`/`callStatus` use Twilio's sample enums ("outbound",
"IN_PROGRESS"); agent speech still playing when `end` arrives is cut there, so an app should
let its goodbye play (words / 150 wpm, or until agentSpeaking off) before it sends `end`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from app.telephony.emulator.conversation import Conversation, PersonaCursor, Segment
from app.telephony.emulator.personas import (
    BARGE_IN_S,
    BEEP_S,
    FIRST_WORDS_S,
    TURN_GAP_S,
    Turn,
)
from app.telephony.emulator.signing import twilio_signature
from app.telephony.emulator.state import CallRecord
from app.telephony.emulator.twiml import (
    PLAY_DEFAULT_S,
    WORDS_PER_MINUTE,
    Relay,
    interrupt_mode,
    mode_allows,
    relay_url_problem,
    speaking_time,
)

log = logging.getLogger(__name__)

MALFORMED_LIMIT = 10  # consecutive invalid messages before Twilio closes with 1007
PATIENCE_S = 30.0  # a person waiting on an agent that says nothing hangs up after this
DIGIT_S = 0.3  # one key press, tone and gap
MACHINE_PICKUP_S = 0.5  # an answering machine starts its greeting at once
MACHINE_SILENCE_S = 4.0  # a voicemail stops recording after this much silence
POLL_S = 0.05  # real seconds between checks for a REST hang-up
CLOSED_BY_APP = "The WebSocket was closed by the application."
DIGITS_RE = re.compile(r"^[0-9w#*]+$")
CONNECT_FAILED = "Network connection to WebSocket server failed."


@dataclass
class SessionResult:
    session_id: str
    status: str  # "ended" | "completed" | "failed"
    started: float  # call seconds
    ended: float
    handoff_data: str | None = None
    error_code: int | None = None
    error_message: str = ""

    @property
    def duration_s(self) -> int:
        return max(0, round(self.ended - self.started))


class CallClock:
    """Call seconds since the answer: real time scaled by the emulator's speed."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._t0) * self.speed


@dataclass
class AgentLine:
    """One agent utterance: `text` tokens up to `last:true` (or the welcomeGreeting)."""

    start: float
    interruptible: str  # of the first token; each `text` message may set its own
    tokens: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)  # each token's interruptible mode
    complete: bool = False
    cut_at: float | None = None
    audio_s: float = 0.0  # a `play` clip: its length instead of the words' speaking time

    @property
    def text(self) -> str:
        return "".join(self.tokens).strip()

    @property
    def end(self) -> float:
        if self.cut_at is not None:
            return self.cut_at
        if self.audio_s:
            return self.start + self.audio_s
        return self.start + (speaking_time(self.text) if self.text else 0.0)

    def speaking_at(self, at: float) -> bool:
        return self.start <= at < self.end

    def starts_saying(self, token_index: int) -> float:
        """When the words of token *token_index* begin to play."""
        before = len("".join(self.tokens[:token_index]).split())
        return self.start + before * 60.0 / WORDS_PER_MINUTE

    def mode_at(self, at: float) -> str:
        """The interruptible mode of what is playing at *at* (the token being spoken)."""
        if not self.modes:
            return self.interruptible
        index = 0
        for i in range(len(self.tokens)):
            if self.starts_saying(i) <= at:
                index = i
        return self.modes[min(index, len(self.modes) - 1)]

    def heard_by(self, at: float) -> str:
        """The words of this line spoken by *at* (by its cut, when it was interrupted)."""
        if self.cut_at is None and at >= self.end:
            return self.text
        words = self.text.split()
        if not words:
            return ""
        spoken = (min(at, self.end) - self.start) / speaking_time(self.text)
        return " ".join(words[: int(len(words) * max(0.0, min(1.0, spoken)))])


def _validate(data: object) -> str:
    """Why Twilio would reject this message (64107), or "" when it is valid."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return "not a message object with a type"
    kind = data["type"]
    if kind == "text":
        if not isinstance(data.get("token"), str):
            return "text needs a string token"
        if not isinstance(data.get("last", False), bool):
            return "text.last must be a boolean"
    elif kind == "play":
        if not isinstance(data.get("source"), str) or not data["source"]:
            return "play needs a source URL"
    elif kind == "sendDigits":
        if not isinstance(data.get("digits"), str) or not DIGITS_RE.match(data["digits"]):
            return "sendDigits.digits may hold only 0-9 w # *"
    elif kind == "language":
        langs = [data.get("ttsLanguage"), data.get("transcriptionLanguage")]
        if not any(isinstance(lang, str) and lang for lang in langs):
            return "language needs ttsLanguage or transcriptionLanguage"
    elif kind == "end":
        if not isinstance(data.get("handoffData", ""), str):
            return "end.handoffData must be a string"
    else:
        return f"unknown message type {kind!r}"
    return ""


def _info(name: str, on: bool) -> dict:
    return {"type": "info", "name": name, "value": "on" if on else "off"}


class RelaySession:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        call: CallRecord,
        relay: Relay,
        cursor: PersonaCursor,
        conv: Conversation,
        clock: CallClock,
        *,
        auth_token: str,
        deadline: float,
    ) -> None:
        self.http = http
        self.call = call
        self.relay = relay
        self.cursor = cursor
        self.conv = conv
        self.clock = clock
        self.auth_token = auth_token
        self.deadline = deadline  # the call's time limit, in call seconds
        self.session_id = "VX" + uuid.uuid4().hex
        self.started = clock.now()
        self.lines: list[AgentLine] = []
        self.outbox: list[tuple[float, dict]] = []  # (call second, message) to send then
        self.next_turn_at: float | None = None
        self.give_up_at: float | None = None  # the callee hangs up then, unless rescheduled
        self.awaiting_agent = False  # the callee has had its turn and waits for the agent
        self.malformed = 0
        self.language = relay.language  # prompt.lang; a `language` message changes it
        self.speaker_events = "speaker-events" in relay.debug
        self.agent_speaking = False  # as last reported in an agentSpeaking info
        self._barge_in_planned = False  # the interrupter's barge-in into the current line

    # -- results ----------------------------------------------------------------------------
    def _result(self, status: str, **kw) -> SessionResult:
        ended = min(self.clock.now(), self.deadline)
        for line in self.lines:
            text = line.heard_by(ended)
            if text and line.start < ended:
                self.conv.add(
                    Segment("agent", text, round(line.start, 2), round(min(line.end, ended), 2))
                )
        self.conv.segments[:] = [s for s in self.conv.segments if s.start < ended]
        self.conv.duration = max(self.conv.duration, ended)
        return SessionResult(self.session_id, status, self.started, ended, **kw)

    def _failed(self, code: int, message: str) -> SessionResult:
        log.info("ConversationRelay %s failed: %s %s", self.call.sid, code, message)
        self.call.errors.append((code, message))
        return self._result("failed", error_code=code, error_message=message)

    # -- the session ------------------------------------------------------------------------
    async def run(self) -> SessionResult:
        url = self.relay.url
        if problem := relay_url_problem(url):
            return self._failed(64102, problem)
        headers = {"X-Twilio-Signature": twilio_signature(self.auth_token, url, [])}
        try:
            ws = await self.http.ws_connect(
                url, headers=headers, timeout=aiohttp.ClientWSTimeout(ws_close=5)
            )
        except aiohttp.WSServerHandshakeError as exc:
            return self._failed(64102, f"{CONNECT_FAILED} The server answered HTTP {exc.status}.")
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
            return self._failed(64102, CONNECT_FAILED)
        inbox: asyncio.Queue[aiohttp.WSMessage] = asyncio.Queue()
        reader = asyncio.get_running_loop().create_task(self._read(ws, inbox))
        try:
            return await self._converse(ws, inbox)
        except (aiohttp.ClientError, OSError):
            # A send on a socket the application dropped before its close was read (its
            # process died mid-call): the same as the application closing it.
            return self._failed(64105, CLOSED_BY_APP)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            if not ws.closed:
                with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                    await ws.close()

    @staticmethod
    async def _read(ws: aiohttp.ClientWebSocketResponse, inbox: asyncio.Queue) -> None:
        while True:
            msg = await ws.receive()
            await inbox.put(msg)
            if msg.type in (
                aiohttp.WSMsgType.CLOSING,
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.ERROR,
            ):
                return

    async def _converse(self, ws, inbox: asyncio.Queue) -> SessionResult:
        await ws.send_json(self._setup())
        self.started = self.clock.now()
        greeting = self.relay.welcome_greeting
        if greeting:
            self.lines.append(
                AgentLine(self.started, self.relay.welcome_interruptible, [greeting], complete=True)
            )
        if self.cursor.persona.machine:
            self.next_turn_at = self.started + MACHINE_PICKUP_S
        elif greeting or self.cursor.picked_up:
            self._await_agent(self.started)  # a person answers the agent's first words
            if greeting:
                self._agent_line_done(self.lines[-1])
        else:
            self.next_turn_at = self.started + FIRST_WORDS_S  # a person speaks first
        self.cursor.picked_up = True
        if self._script_done():
            self._await_agent(self.started)
        while True:
            now = self.clock.now()
            if self.call.hangup.is_set() or now >= self.deadline:
                return self._result("completed")
            if self.call.redirect is not None:
                return self._result("redirected")  # new TwiML: Twilio ends the session
            await self._send_due(ws, now)
            await self._report_agent_speaking(ws, now)
            if self.next_turn_at is not None and now >= self.next_turn_at:
                self.next_turn_at = None
                self._callee_turn(now)
                continue
            if self.give_up_at is not None and now >= self.give_up_at:
                return self._result("completed")  # the callee hangs up
            try:
                msg = await asyncio.wait_for(inbox.get(), timeout=self._wait_s(now))
            except TimeoutError:
                continue
            if msg.type != aiohttp.WSMsgType.TEXT and msg.type != aiohttp.WSMsgType.BINARY:
                return self._failed(64105, CLOSED_BY_APP)
            result = await self._handle(ws, msg)
            if result is not None:
                return result

    def _wait_s(self, now: float) -> float:
        times = [t for t, _ in self.outbox] + [self.next_turn_at, self.give_up_at, self.deadline]
        if self.speaker_events:
            times += [t for line in self.lines for t in (line.start, line.end) if t > now]
        wake = min(t for t in times if t is not None)
        return max(0.0, min(POLL_S, (wake - now) / self.clock.speed))

    def _setup(self) -> dict:
        call = self.call
        return {
            "type": "setup",
            "sessionId": self.session_id,
            "accountSid": call.account_sid,
            "parentCallSid": "",
            "callSid": call.sid,
            "from": call.from_,
            "to": call.to,
            "forwardedFrom": "",
            "callType": "PSTN",
            "callerName": "",
            # Twilio's sample enum values; what a real outbound-api call sends is unverified.
            "direction": "outbound",
            "callStatus": "IN_PROGRESS",
            "customParameters": dict(self.relay.parameters),
        }

    async def _report_agent_speaking(self, ws, now: float) -> None:
        speaking = self._speaking_line(now) is not None
        if self.speaker_events and speaking != self.agent_speaking:
            self.agent_speaking = speaking
            await ws.send_json(_info("agentSpeaking", speaking))

    def _client_speaking(self, start: float, end: float) -> None:
        if self.speaker_events:
            self.outbox += [
                (start, _info("clientSpeaking", True)),
                (end, _info("clientSpeaking", False)),
            ]

    async def _send_due(self, ws, now: float) -> None:
        due = [m for t, m in self.outbox if t <= now]
        self.outbox = [(t, m) for t, m in self.outbox if t > now]
        for message in due:
            await ws.send_json(message)

    # -- the agent --------------------------------------------------------------------------
    async def _handle(self, ws, msg: aiohttp.WSMessage) -> SessionResult | None:
        try:
            data = json.loads(msg.data) if msg.type == aiohttp.WSMsgType.TEXT else None
        except ValueError:
            data = None
        problem = _validate(data)
        if problem:
            self.malformed += 1
            log.info("ConversationRelay %s: 64107 %s", self.call.sid, problem)
            self.call.errors.append((64107, problem))
            await ws.send_json(
                {"type": "error", "description": f"Invalid message received: {str(msg.data)[:200]}"}
            )
            if self.malformed >= MALFORMED_LIMIT:
                await ws.close(code=1007, message=b"Too many consecutive malformed messages")
                return self._failed(64105, "Too many consecutive malformed messages")
            return None
        self.malformed = 0
        now = self.clock.now()
        kind = data["type"]
        if kind == "text":
            self._agent_token(now, data)
        elif kind == "play":
            loops = data.get("loop", 1)
            plays = 1000 if loops == 0 else max(1, loops if isinstance(loops, int) else 1)
            self._agent_token(now, {**data, "token": "", "last": True}, PLAY_DEFAULT_S * plays)
        elif kind == "end":
            for line in self.lines:
                if line.speaking_at(now):
                    line.cut_at = now
            return self._result("ended", handoff_data=data.get("handoffData", ""))
        elif kind == "language" and data.get("transcriptionLanguage"):
            self.language = data["transcriptionLanguage"]
        return None  # sendDigits is accepted; the callee does not react to tones

    def _agent_token(self, now: float, data: dict, audio_s: float = 0.0) -> None:
        line = self.lines[-1] if self.lines else None
        mode = self.relay.interruptible
        if "interruptible" in data:
            mode = interrupt_mode(str(data["interruptible"]), mode)
        if line is None or line.complete:
            start = max(now, line.end if line else now)
            line = AgentLine(start, mode, audio_s=audio_s)
            self.lines.append(line)
            self._barge_in_planned = False
            turn = self._next_turn()
            if self.awaiting_agent and turn is not None and turn.barge_in:
                self.next_turn_at = start + BARGE_IN_S
        line.tokens.append(data["token"])
        line.modes.append(mode)
        turn = self._next_turn()
        if (
            self.awaiting_agent
            and turn is not None
            and turn.barge_in
            and not self._barge_in_planned
            and mode_allows(mode, "speech")
            and len(line.modes) > 1
            and not mode_allows(line.modes[0], "speech")
        ):
            # The line opens with words that cannot be cut off (a greeting): an interrupter
            # who waited for them talks over the first part that can.
            self._barge_in_planned = True
            self.next_turn_at = line.starts_saying(len(line.tokens) - 1) + BARGE_IN_S
        if self.awaiting_agent and (
            not self._script_done() or self.cursor.persona.hangs_up_after_goodbye
        ):
            self.give_up_at = None  # the agent is talking: hear it out
        if data.get("last"):
            line.complete = True
            self._agent_line_done(line)

    def _agent_line_done(self, line: AgentLine) -> None:
        if not self.awaiting_agent:
            return
        after = max(self.clock.now(), line.end) + TURN_GAP_S
        persona = self.cursor.persona
        if self._script_done():
            if persona.hangs_up_after_goodbye:  # heard the goodbye (or the message): hang up
                self.give_up_at = after + (MACHINE_SILENCE_S if persona.machine else 0.0)
            return
        self.awaiting_agent = False
        self.give_up_at = None
        self.next_turn_at = after if self.next_turn_at is None else min(self.next_turn_at, after)

    # -- the callee -------------------------------------------------------------------------
    def _next_turn(self) -> Turn | None:
        turns = self.cursor.persona.turns
        return turns[self.cursor.next_turn] if self.cursor.next_turn < len(turns) else None

    def _script_done(self) -> bool:
        return self._next_turn() is None

    def _await_agent(self, since: float) -> None:
        self.awaiting_agent = True
        persona = self.cursor.persona
        self.give_up_at = since + (persona.linger_s if self._script_done() else PATIENCE_S)

    def _speaking_line(self, at: float) -> AgentLine | None:
        return next((ln for ln in reversed(self.lines) if ln.speaking_at(at)), None)

    def _input_heard(self, at: float, kind: str) -> bool:
        """Callee input of *kind* at *at*: interrupt the agent, or say whether it is reported."""
        line = self._speaking_line(at)
        if line is None:
            return True
        if mode_allows(line.mode_at(at), kind):
            heard = line.heard_by(at)
            line.cut_at = at
            line.complete = True
            self.outbox.append(
                (
                    at,
                    {
                        "type": "interrupt",
                        "utteranceUntilInterrupt": heard,
                        "durationUntilInterruptMs": int((at - line.start) * 1000),
                    },
                )
            )
            return True
        return mode_allows(self.relay.report_input_during_agent_speech, kind)

    def _callee_turn(self, now: float) -> None:
        turn = self._next_turn()
        if turn is None:
            return
        self.cursor.next_turn += 1
        if turn.say:
            end = now + speaking_time(turn.say)
            self.conv.add(Segment("callee", turn.say, round(now, 2), round(end, 2)))
            self._client_speaking(now, end)
            playing = self._speaking_line(now)
            reported = self._input_heard(now, "speech")
            if reported:
                prompt = {
                    "type": "prompt",
                    "voicePrompt": turn.say,
                    "lang": self.language,
                    "last": True,
                }
                self.outbox.append((end, prompt))
        else:
            end = now
            playing = self._speaking_line(now)
            reported = True
            for digit in turn.digits:
                self.conv.add(
                    Segment("callee", digit, round(end, 2), round(end + DIGIT_S, 2), "dtmf")
                )
                if self.relay.dtmf_detection and self._input_heard(end, "dtmf"):
                    self.outbox.append((end + DIGIT_S, {"type": "dtmf", "digit": digit}))
                end += DIGIT_S
        if self.cursor.persona.machine:
            end += BEEP_S
        self._await_agent(end)
        if not reported and playing is not None and playing.complete:
            self._agent_line_done(playing)  # nobody heard it: go on once the agent finishes
