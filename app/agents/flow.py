"""The deterministic conversation runtime: one `Conversation` per call.

Pure Python, no I/O: the relay server (or `calldeck agent chat`, or a test) reports what
happened (start, a prompt, a key, silence, an interruption, a machine, a tool's result) and
performs the actions each method returns, in order. Compliance comes before the flow: an
opt-out ends the call from any step, "are you a robot?" is answered truthfully, a request for
a person is transferred or offered a callback, "not a good time" books the callback.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.agents import compliance, lines
from app.agents.actions import (
    DISPOSITION_FOR_OUTCOME,
    AddToDnc,
    AgentAction,
    CallResult,
    EndCall,
    LineSource,
    Say,
    Turn,
    summarize,
)
from app.agents.definition import (
    DEFAULT_TIMEZONE,
    HELLO_WAIT_S,
    SILENCE_REMINDER_S,
    SILENCE_REMINDERS_MAX,
    AgentDefinition,
    Step,
)
from app.agents.extractors import datetime_value
from app.agents.grounding import Grounding
from app.agents.speech import digits_spoken, for_speech, when_spoken
from app.agents.steps import StepRunner
from app.domain.template import render


class CallClock(Protocol):
    def elapsed(self) -> float:
        """Seconds since the call was answered (turn offsets)."""

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware."""


class SystemClock:
    def __init__(self) -> None:
        self._start = _time.monotonic()

    def elapsed(self) -> float:
        return _time.monotonic() - self._start

    def now(self) -> datetime:
        return datetime.now(UTC)


class Conversation(StepRunner):
    """One call handled by an agent definition.

    Phases: "hello" (waiting for the callee to speak first), "probed", "step", "callback"
    (asking when to call back), "tool" (a webhook is running), "ended".
    """

    def __init__(
        self,
        definition: AgentDefinition,
        variables: Mapping[str, object] | None = None,
        knowledge: Grounding | None = None,
        clock: CallClock | None = None,
        timezone: str | None = None,
    ) -> None:
        self.definition = definition
        self.contact = dict(variables or {})
        self.knowledge = knowledge
        self.clock = clock or SystemClock()
        self.timezone = _zone(
            timezone
            or str(self.contact.get("timezone") or "")
            or definition.business.timezone
            or DEFAULT_TIMEZONE
        )
        self.fields: dict[str, Any] = {}
        self.turns: list[Turn] = []
        self.step_path: list[str] = []
        self.tools_called: list[str] = []
        self.phase = "hello"
        self.step_id = definition.flow.start
        self.return_to: str | None = None  # the step a global step returns to
        self.reprompts = 0
        self.silence_reminders = 0
        self.outcome: str | None = None
        self.dnc_evidence: str | None = None
        self.dnc_offset_s: float | None = None
        self.callback_at: str | None = None
        self.pending_tool: str | None = None
        self.last_callee_text = ""
        self._partial: list[str] = []
        # What a model read from the current turn (app.agents.llm sets these, validated, and
        # clears them): fields the extractors missed, the LLM conditions that hold, a tool.
        self.model_fields: dict[str, Any] = {}
        self.model_verdicts: set[str] = set()
        self.model_tool: str | None = None

    # -- the events -------------------------------------------------------------------------

    def start(self) -> list[AgentAction]:
        """Call answered: greet now, or (wait_for_hello) listen and return nothing."""
        if self.definition.opening.mode == "wait_for_hello":
            return []
        return self._greet()

    def on_prompt(self, text: str, last: bool = True) -> list[AgentAction]:
        """The callee said *text* (partial prompts are joined until last=True)."""
        if self.phase == "ended":
            return []
        if not last:
            self._partial.append(text)
            return []
        text = self.utterance(text)
        self._partial.clear()
        if not text:
            return []
        self._callee(text)
        self.silence_reminders = 0
        return self._handle(text, dtmf=None)

    def utterance(self, text: str) -> str:
        """The whole utterance on_prompt(text, last=True) would handle (partials joined)."""
        return " ".join([*self._partial, text]).strip()

    def on_dtmf(self, digit: str) -> list[AgentAction]:
        if self.phase == "ended":
            return []
        self._callee(f"(pressed {digit})")
        self.silence_reminders = 0
        return self._handle(digit, dtmf=digit)

    def on_silence(self, seconds: float) -> list[AgentAction]:
        """The callee has said nothing for *seconds* since the agent last spoke."""
        if self.phase == "hello":
            if seconds < HELLO_WAIT_S:
                return []
            self.phase = "probed"
            return [self._say(self.definition.opening.probe)]
        if self.phase == "probed":
            return self.on_voicemail() if seconds >= HELLO_WAIT_S else []
        if self.phase in ("ended", "tool") or seconds < SILENCE_REMINDER_S:
            return []
        if self.silence_reminders >= SILENCE_REMINDERS_MAX:
            return [self._say(lines.UNRESPONSIVE_GOODBYE), self._end("unresponsive")]
        self.silence_reminders += 1
        return [self._say(f"{lines.SILENCE_REMINDER} {self._question_line()}")]

    def on_interrupt(self, utterance_until_interrupt: str) -> list[AgentAction]:
        """The callee barged in: keep only what was heard of the agent's last reply (its
        lines since the callee last spoke); the unheard rest is dropped. What was heard may
        cover the whole reply from its start, or only the line it was cut in."""
        start = len(self.turns)
        while start > 0 and self.turns[start - 1].speaker == "agent":
            start -= 1
        reply, heard = self.turns[start:], utterance_until_interrupt.strip()
        if not reply:
            return []
        cut = len(reply) - 1  # the line cut off, and what of it was heard
        if heard.startswith(reply[0].text):
            cut = 0
            while cut < len(reply) - 1 and heard.startswith(reply[cut].text):
                heard = heard[len(reply[cut].text) :].strip()
                cut += 1
        else:
            cut = next(
                (i for i in range(len(reply) - 1, -1, -1) if reply[i].text.startswith(heard)),
                cut,
            )
        line = reply[cut]
        kept = (
            [*reply[:cut], Turn("agent", heard, line.step, line.offset_s)] if heard else reply[:cut]
        )
        self.turns[start:] = kept
        return []

    def on_voicemail(self, *, leave_message: bool = True) -> list[AgentAction]:
        """A machine answered (AMD, or silence after the probe). *leave_message* False: the
        campaign hangs up on machines (to call again later) whatever the agent would do."""
        if self.phase == "ended":
            return []
        self.step_id = "voicemail"
        self.step_path.append("voicemail")
        if not leave_message or self.definition.voicemail.action == "hang_up":
            return [self._end("voicemail")]
        self.tools_called.append("leave_voicemail")
        return [self._say(self.definition.voicemail.message), self._end("voicemail_left")]

    def on_hangup(self) -> list[AgentAction]:
        """The callee hung up; nothing more will be said."""
        if self.phase != "ended":
            self.outcome = self.outcome or ("completed" if self._callee_spoke() else "unresponsive")
            self.phase = "ended"
        return []

    # -- what the call came to ---------------------------------------------------------------

    def result(self) -> CallResult:
        outcome = self.outcome or ("completed" if self._callee_spoke() else "unresponsive")
        disposition = next(
            (
                s.disposition
                for s in map(self._step_or_none, reversed(self.step_path))
                if s is not None and s.disposition
            ),
            None,
        )
        if outcome in DISPOSITION_FOR_OUTCOME:
            disposition = DISPOSITION_FOR_OUTCOME[outcome]
        return CallResult(
            outcome=outcome,
            fields=dict(self.fields),
            step_path=list(self.step_path),
            dnc=self.dnc_evidence is not None,
            dnc_evidence=self.dnc_evidence,
            dnc_offset_s=self.dnc_offset_s,
            callback_at=self.callback_at,
            suggested_disposition=disposition,
            summary=summarize(outcome, self.fields, self.dnc_evidence),
            turns=list(self.turns),
            tools_called=list(self.tools_called),
        )

    # -- dispatch ----------------------------------------------------------------------------

    def route(self, text: str, dtmf: str | None) -> str:
        """Where a turn goes, in the runtime's order: "opt_out", "greet", "voicemail",
        "ignore", "robot", "identity",
        "callback", "global:ID" (a global step), "human", "busy", or "step" (the current
        step's own flow, the only route on which the LLM path consults its model)."""
        rules = self.definition.compliance
        spoken = dtmf is None
        if rules.honor_opt_out and spoken and compliance.is_opt_out(text):
            return "opt_out"
        if self.phase in ("hello", "probed"):
            return "voicemail" if spoken and compliance.is_voicemail_greeting(text) else "greet"
        if self.phase == "tool" or (spoken and compliance.is_backchannel(text)):
            return "ignore"
        robot = spoken and rules.answer_robot_truthfully and compliance.is_robot_question(text)
        if self.phase == "callback":
            return "robot" if robot else "callback"
        for step in self.definition.flow.global_:
            if step.id != self.step_id and self.condition_holds(step.when, text, dtmf, True):
                return f"global:{step.id}"
        if robot:
            return "robot"
        if spoken and compliance.is_identity_question(text):
            return "identity"
        if spoken and rules.offer_human and compliance.wants_human(text):
            return "human"
        if spoken and rules.callback_on_busy and compliance.is_busy(text):
            return "busy"
        return "step"

    def _handle(self, text: str, dtmf: str | None) -> list[AgentAction]:
        self.last_callee_text = text
        route = self.route(text, dtmf)
        if route == "opt_out":
            return self._opt_out(text)
        if route == "greet":
            return self._greet()
        if route == "voicemail":  # a machine's greeting where a person's hello should be
            return self.on_voicemail()
        if route == "ignore":
            return []
        if route == "robot":
            return [self._say(lines.ROBOT_ANSWER), self._say(self._question_line())]
        if route == "identity":  # always answered, truthfully, then back to the question
            return [self._say(lines.IDENTITY_ANSWER), self._say(self._question_line())]
        if route == "callback":
            return self._callback_turn(text)
        if route.startswith("global:"):
            self.return_to = self.return_to or self.step_id
            return self.enter(route.removeprefix("global:"))
        if route == "human":
            return self._to_a_person()
        if route == "busy":
            return self._start_callback(text, lines.CALLBACK_ASK)
        return self.step_turn(text, dtmf)

    def _greet(self) -> list[AgentAction]:
        self.phase = "step"
        greeting = self._say(self.definition.opening.greeting, interruptible=False)
        return [greeting, *self.enter(self.definition.flow.start)]

    def _opt_out(self, text: str) -> list[AgentAction]:
        self.dnc_evidence = text
        self.dnc_offset_s = self.turns[-1].offset_s
        self.step_path.append("opt_out")
        return [
            AddToDnc(text, round(self.dnc_offset_s, 2)),
            self._say(lines.OPT_OUT_GOODBYE),
            self._end("dnc"),
        ]

    def _to_a_person(self) -> list[AgentAction]:
        transfer = self.definition.tool_of_type("transfer")
        if transfer is None:
            return self._start_callback("", lines.HUMAN_CALLBACK)
        return [self._say(lines.HUMAN_TRANSFER), *self.use_tool(transfer)]

    def _start_callback(self, text: str, ask: str) -> list[AgentAction]:
        self.phase = "callback"
        self.reprompts = 0
        self.step_path.append("callback")
        self.step_id = "callback"
        return self._callback_turn(text, ask=ask)

    def _callback_turn(self, text: str, ask: str | None = None) -> list[AgentAction]:
        moment = datetime_value(text, self.local_now()) if text else None
        if moment is not None:
            self.fields["callback_at"] = moment
            return self.schedule_callback(moment, lines.CALLBACK_CONFIRM)
        if ask is None and self.reprompts >= 2:
            return [self._say(lines.CALLBACK_NO_TIME), self._end("callback")]
        if ask is None:
            self.reprompts += 1
        return [self._say(ask or f"{lines.REPROMPT} {lines.CALLBACK_ASK}")]

    # -- helpers shared with StepRunner ----------------------------------------------------

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.timezone)

    def variables(self) -> dict[str, object]:
        business = self.definition.business
        spoken: dict[str, object] = dict(self.contact)
        for name, value in self.fields.items():
            spoken[name] = _spoken_value(value)
        if self.callback_at:
            spoken["callback_when"] = when_spoken(datetime.fromisoformat(self.callback_at))
        spoken |= {
            "company": business.company,
            "agent_name": business.agent_name,
            "purpose": business.purpose,
            "callback_number": digits_spoken(business.callback_number),
        }
        for name, fallback in self.definition.fallbacks().items():
            if not str(spoken.get(name) or "").strip():  # missing or empty for this contact
                spoken[name] = fallback
        return spoken

    def _say(
        self,
        template: str,
        interruptible: bool = True,
        kind: str | None = None,
        question: str = "",
        passage: str = "",
    ) -> Say:
        """Say a line (kind "step" or "answer" marks one the LLM path may write anew)."""
        text = for_speech(render(template, self.variables()))
        self.turns.append(Turn("agent", text, self.step_id, self.clock.elapsed()))
        source = None
        if kind is not None:
            source = LineSource(kind, self.step_id, len(self.turns) - 1, question, passage)
        return Say(text, interruptible, source)

    def rewrite_turn(self, index: int, text: str) -> None:
        """The agent said *text* instead of the line stored at *index* (the LLM path)."""
        turn = self.turns[index]
        self.turns[index] = Turn(turn.speaker, text, turn.step, turn.offset_s)

    def _callee(self, text: str) -> None:
        self.turns.append(Turn("callee", text, self.step_id, self.clock.elapsed()))

    def _callee_spoke(self) -> bool:
        return any(t.speaker == "callee" for t in self.turns)

    def _end(self, outcome: str) -> EndCall:
        self.outcome = self.outcome if outcome == "completed" and self.outcome else outcome
        self.phase = "ended"
        return EndCall(self.outcome)

    def _question_line(self) -> str:
        step = self._step_or_none(self.step_id)
        if self.phase == "callback" or step is None:
            return lines.CALLBACK_ASK
        return step.say

    def _step_or_none(self, step_id: str) -> Step | None:
        return next((s for s in self.definition.all_steps() if s.id == step_id), None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _spoken_value(value: Any) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) > 16 and value[10:11] == "T":
        try:
            return when_spoken(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value
