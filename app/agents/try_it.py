"""The Agents page's "Try it": one conversation with an agent, driven turn by turn.

The same runtime the phone uses (a Responder over a Conversation, the relay's pair; the
script runner's clock and event syntax: "#dtmf 1", "#silence 9", "#voicemail"), but the
supervisor types each callee line and sees, after each, what the agent did: its lines, the
step it is in, the fields it captured, the passages it retrieved and the tools it called.
Nothing is written anywhere: an opt-out is reported, not put on the DNC list.

Each event runs on the session's own event loop (a worker thread calls it; a webhook tool
does real I/O, as on a call).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.agents.actions import (
    AddToDnc,
    CallResult,
    CallWebhook,
    EndCall,
    ScheduleCallback,
    SendDtmf,
    Transfer,
)
from app.agents.definition import AgentDefinition
from app.agents.flow import Conversation
from app.agents.grounding import Grounding, knowledge_for
from app.agents.responder import Output, Token
from app.agents.script import ScriptClock, event, perform, responder_for

if TYPE_CHECKING:
    from app.agents.knowledge import Hit
    from app.agents.llm import LlmConfig


@dataclass(frozen=True)
class TryItEvent:
    """One thing shown in the chat: kind is "agent", "callee", "tool", "passage", "dnc" or "end"."""

    kind: str
    text: str


@dataclass(frozen=True)
class TryItState:
    """What the pane shows beside the chat, after each turn."""

    step: str
    fields: dict[str, Any]
    tools_called: list[str]
    ended: bool
    outcome: str | None
    opted_out: str | None  # the callee's own words when they asked not to be called


class RecordingGrounding:
    """The agent's knowledge base, noting each passage it answers with."""

    def __init__(self, inner: Grounding) -> None:
        self._inner = inner
        self.hits: list[Hit] = []

    def is_question(self, text: str) -> bool:
        return self._inner.is_question(text)

    def answer_for(self, turn: str) -> Hit | None:
        hit = self._inner.answer_for(turn)
        if hit is not None:
            self.hits.append(hit)
        return hit


class TryItSession:
    def __init__(
        self,
        definition: AgentDefinition,
        variables: Mapping[str, object] | None = None,
        llm: LlmConfig | None = None,
    ) -> None:
        self.definition = definition
        self.clock = ScriptClock()
        knowledge = knowledge_for(definition)
        self.knowledge = RecordingGrounding(knowledge) if knowledge is not None else None
        self.conversation = Conversation(definition, variables, self.knowledge, self.clock)
        self.responder = responder_for(self.conversation, llm)
        # A plain loop of its own whatever the policy (qasync's would wrap the Qt app again).
        self._loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
        self._started = False

    # -- the events --------------------------------------------------------------------------
    def start(self) -> list[TryItEvent]:
        """The call is answered (a speak-first agent greets; one that waits says nothing)."""
        self._started = True
        seen = self._passages_seen()
        return self._run(self.responder.start(), seen)

    def send(self, line: str) -> list[TryItEvent]:
        """The callee says *line* (or an event: "#dtmf 2", "#silence 9", "#voicemail",
        "#hangup"); what followed, the callee's own line first."""
        line = line.strip()
        if not line or self.ended:
            return []
        events = [] if self._started else self.start()
        shown = line if not line.startswith("#") else f"({line[1:]})"
        events.append(TryItEvent("callee", shown))
        seen = self._passages_seen()  # the runtime answers as the event is made, not later
        outputs = event(self.responder, self.clock, line)
        if outputs is None:  # #hangup
            return [*events, *self._ended_events()]
        return [*events, *self._run(outputs, seen)]

    def result(self) -> CallResult:
        return self.conversation.result()

    def close(self) -> None:
        if not self._loop.is_running():  # a turn still running on its thread ends first
            self._loop.close()

    # -- what the pane shows ------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.conversation.phase == "ended"

    def state(self) -> TryItState:
        c = self.conversation
        return TryItState(
            step=c.step_id,
            fields=dict(c.fields),
            tools_called=list(c.tools_called),
            ended=self.ended,
            outcome=c.outcome if self.ended else None,
            opted_out=c.dnc_evidence,
        )

    # -- helpers ------------------------------------------------------------------------------
    def _passages_seen(self) -> int:
        return len(self.knowledge.hits) if self.knowledge else 0

    def _run(self, outputs: AsyncIterator[Output], passages_before: int) -> list[TryItEvent]:
        seen: list[Output] = []
        if self._loop.is_closed():  # reset meanwhile: this session is over
            return []
        self._loop.run_until_complete(perform(self.responder, self.clock, outputs, seen.append))
        events = _events(seen)
        for hit in self.knowledge.hits[passages_before:] if self.knowledge else []:
            passage = hit.passage
            where = passage.heading
            if passage.document != passage.heading:  # an inline item is its own document
                where += f" ({passage.document})"
            events.insert(0, TryItEvent("passage", f"{where} · score {hit.score:.2f}"))
        if self.ended and not any(e.kind == "end" for e in events):
            events += self._ended_events()
        return events

    def _ended_events(self) -> list[TryItEvent]:
        self.conversation.on_hangup()
        return [TryItEvent("end", f"The call ended: {self.conversation.outcome}")]


def _events(outputs: list[Output]) -> list[TryItEvent]:
    events: list[TryItEvent] = []
    line: list[str] = []
    for output in outputs:
        if isinstance(output, Token):
            line.append(output.text)
            if output.last:
                events.append(TryItEvent("agent", "".join(line).strip()))
                line.clear()
        elif isinstance(output, AddToDnc):
            events.append(TryItEvent("dnc", f'Opt-out recorded: "{output.evidence}"'))
        elif isinstance(output, EndCall):
            events.append(TryItEvent("end", f"The call ended: {output.outcome}"))
        else:
            events.append(TryItEvent("tool", _tool_text(output)))
    return events


def _tool_text(output: Output) -> str:
    if isinstance(output, Transfer):
        return f"Tool {output.tool}: transfer ({output.mode}) to {output.number}"
    if isinstance(output, SendDtmf):
        return f"Tool: pressed {output.digits}"
    if isinstance(output, ScheduleCallback):
        return f"Tool: callback booked for {output.at} ({output.timezone})"
    if isinstance(output, CallWebhook):
        return f"Tool {output.tool}: {output.method} {output.url}"
    return f"Tool: {output.kind}"
