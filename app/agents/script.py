"""Drive a Conversation from lines of text: `calldeck agent chat` and `agent test`.

A line is what the callee says, or an event: "#dtmf 1" presses a key, "#silence 9" is nine
seconds of silence, "#voicemail" answers as a machine, "#hangup" hangs up. The clock moves
as people speak (about 2.5 words a second), so turn offsets look like a real call's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.agents.actions import AgentAction, CallResult, CallWebhook, Say
from app.agents.definition import AgentDefinition
from app.agents.flow import Conversation
from app.agents.grounding import Grounding

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
) -> CallResult:
    clock = ScriptClock(now or datetime.now(UTC))
    conversation = Conversation(definition, variables, knowledge, clock, timezone)
    _perform(conversation, clock, conversation.start())
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if conversation.phase == "ended":
            break
        _perform(conversation, clock, _event(conversation, clock, line))
    conversation.on_hangup()
    return conversation.result()


def _event(conversation: Conversation, clock: ScriptClock, line: str) -> list[AgentAction]:
    if not line.startswith("#"):
        clock.speak(line)  # a prompt arrives when the callee has finished speaking
        return conversation.on_prompt(line)
    command, _, argument = line[1:].partition(" ")
    if command == "dtmf" and len(argument.strip()) == 1:
        return conversation.on_dtmf(argument.strip())
    if command == "silence":
        try:
            seconds = float(argument)
        except ValueError:
            raise ScriptError(f"{line!r}: '#silence' takes seconds, e.g. '#silence 9'") from None
        clock.seconds += seconds
        return conversation.on_silence(seconds)
    if command == "voicemail":
        return conversation.on_voicemail()
    if command == "hangup":
        return conversation.on_hangup()
    raise ScriptError(f"{line!r}: unknown event (use #dtmf D, #silence S, #voicemail, #hangup)")


def _perform(conversation: Conversation, clock: ScriptClock, actions: list[AgentAction]) -> None:
    """Speak (the clock moves) and run webhooks, whose results may bring more actions."""
    queue = list(actions)
    while queue:
        action = queue.pop(0)
        if isinstance(action, Say):
            clock.speak(action.text)
        elif isinstance(action, CallWebhook):
            from app.agents.webhooks import call_webhook

            ok, data = call_webhook(action)
            queue += conversation.on_tool_result(action.tool, ok, data)
