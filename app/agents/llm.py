"""The agent's optional LLM path: any OpenAI-compatible endpoint (OpenAI, Groq, Ollama,
llama.cpp) through the official `openai` client.

`LlmResponder` is the deterministic `Responder` with a model beside it. Compliance stays
the Conversation's and comes first: the model is consulted only on turns that reach the
current step's own flow (`Conversation.route(...) == "step"`). There it reads what the
extractors missed and which LLM conditions hold, as function calls (`set_field`,
`go_to_step`, and `use_tool` for some of the agent's tools), validated against the step
(anything unknown is ignored). Lines of steps with an `instruction`, and knowledge
answers, are written by the model and streamed token by token; with an embedding model,
questions are embedded for the knowledge base's fused retrieval. No first token within
`timeout_s`, or any error: the deterministic line at once, one warning in the log (never
the key). `finish()` has the model write the summary.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from app.agents import llm_prompt
from app.agents.actions import AgentAction, CallResult, LineSource, Say
from app.agents.extractors import extract
from app.agents.flow import Conversation
from app.agents.responder import Output, Responder, Token, tokens_of
from app.agents.speech import for_speech

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from sqlalchemy.orm import Session

    from app.agents.definition import FieldSpec

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 2.5  # no first token by then: the scripted line, not dead air
SUMMARY_TIMEOUT_S = 5.0  # the call is over; a summary may take a little longer
REQUEST_TIMEOUT_S = 30.0  # the client's own cap on one request
PASSAGES_SHOWN = 3
# The agent's tools a model may choose mid-step; ending, transferring, voicemail and
# callbacks stay with the flow and the compliance rules.
MODEL_TOOL_TYPES = frozenset(("webhook", "send_dtmf", "kb_search"))
EMBEDDING_BATCH = 256  # inputs per /v1/embeddings request
NO_KEY = "none"  # a local server takes any key; the client insists on one
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    temperature: float = 0.3
    embedding_model: str | None = None

    def __repr__(self) -> str:  # never the key, wherever a config is printed or logged
        return f"LlmConfig(base_url={self.base_url!r}, model={self.model!r})"


def llm_config(session: Session) -> LlmConfig | None:
    """The configured model (settings llm_base_url and llm_model, the key from the
    keyring), or None when there is none: the agent is then deterministic."""
    from app.secrets import get_llm_api_key
    from app.settings import get_setting

    base_url, model = get_setting(session, "llm_base_url"), get_setting(session, "llm_model")
    if not base_url or not model:
        return None
    return LlmConfig(
        base_url=base_url,
        model=model,
        api_key=get_llm_api_key(),
        embedding_model=get_setting(session, "llm_embedding_model") or None,
    )


def client_for(config: LlmConfig) -> AsyncOpenAI:
    from openai import AsyncOpenAI

    return AsyncOpenAI(
        base_url=config.base_url,
        api_key=config.api_key or NO_KEY,
        timeout=REQUEST_TIMEOUT_S,
        max_retries=0,  # a retry is more dead air; the scripted line is the retry
    )


class LlmCheckFailed(ValueError):
    """The endpoint did not answer the check; the text says why, for the user."""


async def check_llm(config: LlmConfig) -> str:
    """One tiny request (the Settings page's Check): what the endpoint answers, in a line."""
    from openai import APIConnectionError

    client = client_for(config)
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            reply = await client.chat.completions.create(
                model=config.model,
                messages=[{"role": "user", "content": "Say OK."}],
                max_tokens=5,
            )
    except APIConnectionError:
        raise LlmCheckFailed(f"Cannot reach {config.base_url}.") from None
    except Exception as exc:  # noqa: BLE001 - said to the user in a line
        reason = failure_reason(exc, REQUEST_TIMEOUT_S)
        raise LlmCheckFailed(f"{config.model} at {config.base_url}: {reason}.") from None
    finally:
        await client.close()
    text = (reply.choices[0].message.content or "").strip() if reply.choices else ""
    return f"{config.model} answered: {text[:60] or '(nothing)'}"


def failure_reason(exc: BaseException, timeout_s: float) -> str:
    """Why a request failed, for a log line or the Settings page (never the key)."""
    from openai import APIStatusError

    if isinstance(exc, TimeoutError):
        return f"no reply within {timeout_s:g} s"
    if isinstance(exc, APIStatusError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__


class SpokenPieces:
    """Model text in, spoken pieces out: whole words only, and a number is held until the
    word after it (a phone number or a price may come in several deltas), so that
    for_speech sees it whole."""

    def __init__(self) -> None:
        self._raw = ""

    def feed(self, delta: str) -> str:
        self._raw += delta
        words = re.findall(r"\S+\s*", self._raw)
        if words and not words[-1][-1].isspace():
            words.pop()  # the last word may go on in the next delta
        ready = len(words)
        while ready and _DIGIT.search(words[ready - 1]):
            ready -= 1
        if not ready:
            return ""
        head = "".join(words[:ready])
        self._raw = self._raw[self._raw.index(head) + len(head) :]
        return for_speech(head)

    def rest(self) -> str:
        rest, self._raw = self._raw, ""
        return for_speech(rest)


class LlmResponder(Responder):
    """The agent with a language model writing its lines and reading what it is told."""

    def __init__(
        self,
        conversation: Conversation,
        config: LlmConfig,
        client: AsyncOpenAI | None = None,
    ) -> None:
        super().__init__(conversation)
        self.config = config
        self._owns_client = client is None
        self.client = client or client_for(config)
        self._embeddings_failed = False  # once per call: no more waiting on them

    # -- the events -------------------------------------------------------------------------

    def prompt(self, text: str, last: bool = True) -> AsyncIterator[Output]:
        return self._prompt(text, last)

    async def finish(self) -> CallResult:
        result = await super().finish()
        try:
            async with asyncio.timeout(SUMMARY_TIMEOUT_S):
                reply = await self.client.chat.completions.create(
                    model=self.config.model,
                    messages=llm_prompt.summary_messages(self.conversation, result),
                    temperature=self.config.temperature,
                )
            summary = (reply.choices[0].message.content or "").strip()
        except Exception as exc:  # noqa: BLE001 - any failure: the summary built from the fields
            self._warn("summary", exc, SUMMARY_TIMEOUT_S)
            summary = ""
        finally:
            if self._owns_client:
                await self.client.close()
        return replace(result, summary=" ".join(summary.split())) if summary else result

    # -- reading the turn ---------------------------------------------------------------------

    async def _prompt(self, text: str, last: bool) -> AsyncIterator[Output]:
        conversation = self.conversation
        heard = conversation.utterance(text)
        reaches_step = last and bool(heard) and conversation.phase != "ended"
        if reaches_step and conversation.route(heard, None) == "step":
            await self._embed_question(heard)
            await self._read_turn(heard)
        try:
            actions = conversation.on_prompt(text, last)
        finally:
            conversation.model_fields, conversation.model_verdicts = {}, set()
            conversation.model_tool = None
        async for output in self._stream(actions):
            yield output

    async def _read_turn(self, text: str) -> None:
        """Ask the model what the deterministic reading missed; keep what is valid."""
        conversation = self.conversation
        step = conversation.definition.step(conversation.step_id)
        fields = {spec.name: spec for spec in conversation.unread_fields(step, text)}
        conditions = {
            t.to: t.when.llm for t in step.next if t.when is not None and t.when.llm is not None
        } | {
            g.id: g.when.llm
            for g in conversation.definition.flow.global_
            if g.when.llm is not None and g.id != step.id
        }
        if not fields and not conditions:
            return  # nothing to read: the model's tools alone are no reason to ask it
        offered = {
            tool.name: llm_prompt.tool_description(tool)
            for tool in conversation.definition.tools
            if tool.type in MODEL_TOOL_TYPES
        }
        tools = llm_prompt.reading_tools(list(fields.values()), conditions, offered)
        try:
            async with asyncio.timeout(self.config.timeout_s):
                reply = await self.client.chat.completions.create(
                    model=self.config.model,
                    messages=llm_prompt.reading_messages(conversation, text),
                    tools=tools,
                    temperature=0,
                )
        except Exception as exc:  # noqa: BLE001 - the deterministic reading stands
            self._warn("reading the turn", exc, self.config.timeout_s)
            return
        message = reply.choices[0].message if reply.choices else None
        for call in (message.tool_calls or []) if message else []:
            arguments = _arguments(call.function.arguments)
            if call.function.name == llm_prompt.SET_FIELD:
                spec = fields.get(str(arguments.get("name")))
                value = _field_value(spec, arguments.get("value"), conversation)
                if spec is not None and value is not None:
                    conversation.model_fields[spec.name] = value
            elif call.function.name == llm_prompt.GO_TO_STEP:
                condition = conditions.get(str(arguments.get("step_id")))
                if condition is not None:
                    conversation.model_verdicts.add(condition)
            elif call.function.name == llm_prompt.USE_TOOL:
                name = str(arguments.get("name"))
                if name in offered:
                    conversation.model_tool = name

    async def _embed_question(self, text: str) -> None:
        """With an embedding model, the question's vector (and, once, the passages')."""
        grounding = self.conversation.knowledge
        index = getattr(grounding, "index", None)
        if not self.config.embedding_model or index is None or self._embeddings_failed:
            return
        if not grounding.is_question(text):
            return
        try:
            async with asyncio.timeout(self.config.timeout_s):
                if not index.has_vectors:
                    await embed_knowledge(index, self.config, self.client)
                [vector] = await _embeddings(self.client, self.config, [text])
        except Exception as exc:  # noqa: BLE001 - retrieval without embeddings, as configured off
            self._embeddings_failed = True
            self._warn("embedding", exc, self.config.timeout_s)
            return
        grounding.query_vectors = {text: vector}

    # -- writing the lines --------------------------------------------------------------------

    async def _stream(self, actions: Iterable[AgentAction]) -> AsyncIterator[Output]:
        for action in actions:
            if isinstance(action, Say) and action.text and self._writes(action.source):
                async for token in self._written(action):
                    yield token
            else:
                async for output in super()._stream([action]):
                    yield output

    def _writes(self, source: LineSource | None) -> bool:
        if source is None:
            return False
        if source.kind == "answer":
            return True
        return bool(self.conversation.definition.step(source.step).instruction)

    async def _written(self, say: Say) -> AsyncIterator[Token]:
        """The model's line, token by token; the scripted line when it is slow or fails."""
        source = say.source
        assert source is not None
        messages = llm_prompt.line_messages(
            self.conversation, source, say.text, self._passages(source)
        )
        timeout_s = self.config.timeout_s
        stream = first = None
        try:
            async with asyncio.timeout(timeout_s):
                stream = await self.client.chat.completions.create(
                    model=self.config.model,
                    messages=messages,
                    temperature=self.config.temperature,
                    stream=True,
                )
                first = await _next_text(stream)
        except Exception as exc:  # noqa: BLE001 - any failure: the scripted line, at once
            self._warn("writing a line", exc, timeout_s)
        if stream is None or first is None:
            if stream is not None:
                await stream.close()
            for token in tokens_of(say):
                yield token
            return
        pieces = SpokenPieces()
        spoken: list[str] = []
        pending = pieces.feed(first)  # held back one piece, so the last can say last=True
        try:
            while (delta := await _next_text(stream, timeout_s)) is not None:
                piece = pieces.feed(delta)
                if piece and pending:
                    spoken.append(pending)
                    yield Token(pending + " ", False, say.interruptible)
                pending = piece or pending
        except Exception as exc:  # noqa: BLE001 - mid-line: end the line with what was said
            self._warn("finishing a line", exc, timeout_s)
        finally:
            await stream.close()
        spoken.append(" ".join(p for p in (pending, pieces.rest()) if p))
        # stored before the line ends: an interruption after it keeps only what was heard
        self.conversation.rewrite_turn(source.turn, " ".join(p for p in spoken if p))
        yield Token(spoken[-1], True, say.interruptible)

    def _passages(self, source: LineSource) -> list[str]:
        if source.kind != "answer":
            return []
        grounding = self.conversation.knowledge
        index = getattr(grounding, "index", None)
        vector = getattr(grounding, "query_vectors", {}).get(source.question)
        found = (
            [h.passage.text for h in index.search(source.question, PASSAGES_SHOWN, vector)]
            if index
            else []
        )
        return [source.passage, *(p for p in found if p != source.passage)][:PASSAGES_SHOWN]

    def _warn(self, what: str, exc: BaseException, timeout_s: float) -> None:
        reason = failure_reason(exc, timeout_s)
        log.warning(
            "language model %s (%s): %s; deterministic instead", what, self.config.model, reason
        )


async def embed_knowledge(index: Any, config: LlmConfig, client: AsyncOpenAI) -> None:
    """Embed a KnowledgeIndex's passages (once per agent: the relay may do it on loading)."""
    texts = [f"{p.heading}\n{p.text}" for p in index.passages]
    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBEDDING_BATCH):
        vectors += await _embeddings(client, config, texts[start : start + EMBEDDING_BATCH])
    index.set_vectors(vectors)


async def _embeddings(client: AsyncOpenAI, config: LlmConfig, texts: list[str]) -> list[Any]:
    reply = await client.embeddings.create(model=config.embedding_model or "", input=texts)
    return [item.embedding for item in sorted(reply.data, key=lambda item: item.index)]


async def _next_text(stream: Any, timeout_s: float | None = None) -> str | None:
    """The next non-empty piece of text in a chat-completions stream; None at its end.
    (__anext__, not `async for`: leaving an `async for` early would close the stream.)"""
    while True:
        try:
            async with asyncio.timeout(timeout_s):
                chunk = await stream.__anext__()
        except StopAsyncIteration:
            return None
        if chunk.choices and chunk.choices[0].delta.content:
            return chunk.choices[0].delta.content


def _arguments(raw: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _field_value(spec: FieldSpec | None, value: Any, conversation: Conversation) -> Any:
    """A model's value for a field, read the way the callee's own words are (so it has the
    field's type), or None when it is not one."""
    if spec is None or value is None or value == "":
        return None
    if spec.type == "yes_no" and isinstance(value, bool):
        return value
    if spec.type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if spec.type == "text":
        return str(value).strip() or None
    return extract(spec.type, str(value), now=conversation.local_now(), choices=spec.choices)
