"""What the relay server (and `calldeck agent chat`) asks of the agent for each event.

A `Responder` wraps one `Conversation` and answers every event with an async stream of
`Output`: the agent's speech as `Token`s (each spoken line ends with `last=True`), and its
other actions (end, transfer, send digits, DNC, callback, webhook) in order. Without an LLM
each line is the deterministic runtime's, a sentence a token; `app.agents.llm` streams
generated lines instead and falls back to these when the model is slow or fails.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from app.agents.actions import AgentAction, CallResult, Say
from app.agents.flow import Conversation

# A known line goes out a sentence at a time: TTS says whole sentences best, and a turn of
# forty words is then a handful of frames, not forty (fifty calls at once add up).
_SENTENCES = re.compile(r".+?(?:[.!?]+(?:\s+|$)|$)", re.S)


@dataclass(frozen=True)
class Token:
    """A piece of one spoken line; `last` closes the line (ConversationRelay's `text`)."""

    text: str
    last: bool
    interruptible: bool = True


Output = Token | AgentAction


def tokens_of(say: Say) -> list[Token]:
    """A line as tokens, one a sentence (never trimmed, never empty)."""
    parts = [p for p in _SENTENCES.findall(say.text) if p] or [say.text]
    last = len(parts) - 1
    return [Token(part, i == last, say.interruptible) for i, part in enumerate(parts)]


class Responder:
    """The deterministic agent: the Conversation's actions, with lines cut into tokens."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    # -- the events (each an async stream, so a subclass may await a model) -----------------

    def start(self) -> AsyncIterator[Output]:
        return self._stream(self.conversation.start())

    def prompt(self, text: str, last: bool = True) -> AsyncIterator[Output]:
        return self._stream(self.conversation.on_prompt(text, last))

    def dtmf(self, digit: str) -> AsyncIterator[Output]:
        return self._stream(self.conversation.on_dtmf(digit))

    def silence(self, seconds: float) -> AsyncIterator[Output]:
        return self._stream(self.conversation.on_silence(seconds))

    def voicemail(self) -> AsyncIterator[Output]:
        return self._stream(self.conversation.on_voicemail())

    def tool_result(self, tool: str, ok: bool, data: Any = None) -> AsyncIterator[Output]:
        return self._stream(self.conversation.on_tool_result(tool, ok, data))

    def interrupted(self, heard: str) -> None:
        self.conversation.on_interrupt(heard)

    def hangup(self) -> None:
        self.conversation.on_hangup()

    async def finish(self) -> CallResult:
        """What the call came to (a subclass may write the summary with its model)."""
        self.conversation.on_hangup()
        return self.conversation.result()

    # -- helpers ----------------------------------------------------------------------------

    async def _stream(self, actions: Iterable[AgentAction]) -> AsyncIterator[Output]:
        for action in actions:
            if isinstance(action, Say):
                if not action.text:
                    continue
                for token in tokens_of(action):
                    yield token
            else:
                yield action
