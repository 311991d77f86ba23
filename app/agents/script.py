"""Drive a Responder from lines of text: `calldeck agent chat` and `agent test`.

A line is what the callee says, or an event: "#dtmf 1" presses a key, "#silence 9" is nine
seconds of silence, "#voicemail" answers as a machine, "#hangup" hangs up. The clock moves
as people speak (about 2.5 words a second), so turn offsets look like a real call's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.agents.actions import CallResult, CallWebhook
from app.agents.definition import AgentDefinition
from app.agents.flow import Conversation
from app.agents.grounding import Grounding
from app.agents.responder import Output, Responder, Token

if TYPE_CHECKING:
    from app.agents.llm import LlmConfig

WORDS_PER_SECOND = 2.5
PAUSE_S = 0.4  # between one speaker and the next


class ScriptError(ValueError):
    pass


@dataclass
class ScriptClock:
    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0

    def elapsed(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        from datetime import timedelta

        return self.start + timedelta(seconds=self.seconds)

    def speak(self, text: str) -> None:
        self.seconds += PAUSE_S + len(text.split()) / WORDS_PER_SECOND


def run_script(
    definition: AgentDefinition,
    lines: Iterable[str],
    *,
    variables: Mapping[str, object] | None = None,
    knowledge: Grounding | None = None,
    now: datetime | None = None,
    timezone: str | None = None,
    llm: LlmConfig | None = None,
) -> CallResult:
    """Run the lines through a Responder, the phone's runtime: the deterministic one, or
    with *llm* the one whose model writes lines and reads turns."""
    clock = ScriptClock(now or datetime.now(UTC))
    conversation = Conversation(definition, variables, knowledge, clock, timezone)
    return asyncio.run(_run(responder_for(conversation, llm), clock, lines))


def responder_for(conversation: Conversation, llm: LlmConfig | None) -> Responder:
    if llm is None:
        return Responder(conversation)
    from app.agents.llm import LlmResponder

    return LlmResponder(conversation, llm)


async def _run(responder: Responder, clock: ScriptClock, lines: Iterable[str]) -> CallResult:
    await perform(responder, clock, responder.start())
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if responder.conversation.phase == "ended":
            break
        outputs = event(responder, clock, line)
        if outputs is not None:
            await perform(responder, clock, outputs)
    return await responder.finish()


def event(responder: Responder, clock: ScriptClock, line: str) -> AsyncIterator[Output] | None:
    if not line.startswith("#"):
        clock.speak(line)  # a prompt arrives when the callee has finished speaking
        return responder.prompt(line)
    command, _, argument = line[1:].partition(" ")
    if command == "dtmf" and len(argument.strip()) == 1:
        return responder.dtmf(argument.strip())
    if command == "silence":
        try:
            seconds = float(argument)
        except ValueError:
            raise ScriptError(f"{line!r}: '#silence' takes seconds, e.g. '#silence 9'") from None
        clock.seconds += seconds
        return responder.silence(seconds)
    if command == "voicemail":
        return responder.voicemail()
    if command == "hangup":
        responder.hangup()
        return None
    raise ScriptError(f"{line!r}: unknown event (use #dtmf D, #silence S, #voicemail, #hangup)")


async def perform(
    responder: Responder,
    clock: ScriptClock,
    outputs: AsyncIterator[Output],
    seen: Callable[[Output], None] | None = None,
) -> None:
    """Speak each line (the clock moves), then run the webhooks, whose results may bring
    more to perform. *seen* is told every output (the Agents page's Try it pane shows them)."""
    webhooks: list[CallWebhook] = []
    line: list[str] = []
    async for output in outputs:
        if seen is not None:
            seen(output)
        if isinstance(output, Token):
            line.append(output.text)
            if output.last:
                clock.speak("".join(line))
                line.clear()
        elif isinstance(output, CallWebhook):
            webhooks.append(output)
    for webhook in webhooks:
        from app.agents.webhooks import call_webhook

        ok, data = await asyncio.to_thread(call_webhook, webhook)
        await perform(responder, clock, responder.tool_result(webhook.tool, ok, data), seen)
