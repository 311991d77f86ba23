"""A local OpenAI-compatible server for the LLM path's tests (and the overhead benchmark).

A real aiohttp server on 127.0.0.1, on its own thread and event loop, speaking the
chat-completions API (`stream: true` as SSE chunks ending in `data: [DONE]`, tool calls in
the delta format; non-streamed replies too), `/v1/models` and `/v1/embeddings`. Each test
scripts it: the lines to stream, the tool calls a turn's reading returns, a delay before
the first token, an HTTP error. Every request body is kept in `requests`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    delay_s: float = 0.0  # before the first token (after the headers, for a stream)
    status: int = 200
    cut_after: int | None = None  # a stream's connection drops after this many pieces


def calls(*pairs: tuple[str, dict[str, Any]]) -> Reply:
    return Reply(tool_calls=list(pairs))


class FakeOpenAI:
    """Replies by kind of request: `lines` (streamed), `readings` (with tools) and
    `summaries` (neither) are queues; when one is empty its default answers."""

    def __init__(self) -> None:
        self.lines: deque[Reply] = deque()
        self.readings: deque[Reply] = deque()
        self.summaries: deque[Reply] = deque()
        self.default_line = Reply("Sure thing.")
        self.default_reading = Reply()
        self.default_summary = Reply("A short call.")
        self.models = ["fake-model", "fake-embedder"]
        self.requests: list[dict[str, Any]] = []
        self.on_request: Callable[[dict[str, Any]], None] | None = None
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def kinds(self) -> list[str]:
        return [_kind(r) for r in self.requests]

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    def close(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    # -- the API -----------------------------------------------------------------------------
    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        if self.on_request is not None:
            self.on_request(body)
        kind = _kind(body)
        queue, default = {
            "line": (self.lines, self.default_line),
            "reading": (self.readings, self.default_reading),
            "summary": (self.summaries, self.default_summary),
        }[kind]
        reply = queue.popleft() if queue else default
        if reply.status != 200:
            await asyncio.sleep(reply.delay_s)
            return web.json_response(
                {"error": {"message": "scripted failure", "type": "server_error"}},
                status=reply.status,
            )
        if body.get("stream"):
            return await self._stream(request, body, reply)
        await asyncio.sleep(reply.delay_s)
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{n}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
                for n, (name, arguments) in enumerate(reply.tool_calls)
            ]
        finish = "tool_calls" if reply.tool_calls else "stop"
        return web.json_response(
            _completion(body, {"index": 0, "message": message, "finish_reason": finish})
        )

    async def _stream(
        self, request: web.Request, body: dict[str, Any], reply: Reply
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await asyncio.sleep(reply.delay_s)
        try:
            await _event(response, body, {"role": "assistant", "content": ""})
            for n, piece in enumerate(re.findall(r"\S+\s*", reply.text)):
                if n == reply.cut_after:
                    request.transport.close()  # type: ignore[union-attr]
                    return response
                await _event(response, body, {"content": piece})
            for n, (name, arguments) in enumerate(reply.tool_calls):
                text = json.dumps(arguments)
                half = len(text) // 2  # arguments arrive in pieces, as OpenAI sends them
                head = {"index": n, "id": f"call_{n}", "type": "function"}
                await _event(
                    response,
                    body,
                    {
                        "tool_calls": [
                            {**head, "function": {"name": name, "arguments": text[:half]}}
                        ]
                    },
                )
                await _event(
                    response,
                    body,
                    {"tool_calls": [{"index": n, "function": {"arguments": text[half:]}}]},
                )
            await _event(response, body, {}, "tool_calls" if reply.tool_calls else "stop")
            await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
        except (ConnectionResetError, RuntimeError):
            pass  # the client gave up (a time-out test): nothing to send it
        return response

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "object": "list",
                "data": [
                    {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                    for m in self.models
                ],
            }
        )

    async def _embeddings(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": n, "embedding": bag_of_words_vector(text)}
            for n, text in enumerate(texts)
        ]
        return web.json_response(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 0, "total_tokens": 0},
            }
        )


def bag_of_words_vector(text: str, size: int = 64) -> list[float]:
    """A stand-in embedding: words hashed into buckets, so shared words mean similarity."""
    vector = [0.0] * size
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vector[int(hashlib.sha1(word.encode()).hexdigest(), 16) % size] += 1.0
    return vector


def _kind(body: dict[str, Any]) -> str:
    if body.get("tools"):
        return "reading"
    return "line" if body.get("stream") else "summary"


def _completion(body: dict[str, Any], choice: dict[str, Any], chunk: bool = False) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk" if chunk else "chat.completion",
        "created": 0,
        "model": body.get("model", "fake-model"),
        "choices": [choice],
    }


async def _event(
    response: web.StreamResponse, body: dict[str, Any], delta: dict, finish: str | None = None
) -> None:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    data = json.dumps(_completion(body, choice, chunk=True))
    await response.write(f"data: {data}\n\n".encode())
