"""The LLM path's own overhead per turn, with a model that answers instantly.

A turn is the callee's answer read by the model (one `go_to_step` call), then the next
line written by it (12 streamed pieces), through `LlmResponder` as the relay drives it.
Figures, p50/p99 in ms per turn:
- `in_process`: a stand-in client that answers at once, no HTTP: the app's own cost
  (routing, prompts, validation, spoken pieces, tokens);
- `loopback_http`: the official openai client against the fake server of the tests
  (tests/agents/fake_openai.py) on 127.0.0.1: the above plus the client and HTTP;
- `deterministic`: the same turns through the plain Responder, for comparison.

Run: python -m benchmarks.bench_llm_overhead  (prints JSON; a few seconds)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from benchmarks.common import emit

ROOT = Path(__file__).resolve().parents[1]
CALLS = 20
HTTP_CALLS = 5  # each HTTP turn costs tens of ms on a shared machine
TURNS = 20  # per call: the transcript, and so the prompt, grows as in a real call
LINE = "Of course, and while I have you, is there anything else I can help you with today? "
DEFINITION = {
    "name": "Bench",
    "business": {"company": "Evergreen Vets", "agent_name": "Sunny", "info": "A vet clinic."},
    "opening": {
        "mode": "speak_first",
        "greeting": "Hi, this is Sunny, an automated assistant from Evergreen Vets. "
        "This call may be recorded.",
    },
    "flow": {
        "start": "chat",
        "steps": [
            {
                "id": "chat",
                "say": "Anything else?",
                "instruction": "Keep the conversation going.",
                "next": [
                    {"when": {"llm": "the callee goes on"}, "to": "chat"},
                    {"when": {"keywords": ["wondering"]}, "to": "chat"},  # the same, without
                ],
            }
        ],
    },
}


class InstantClient:
    """Answers like chat.completions at once: a go_to_step call, or LINE streamed."""

    def __init__(self) -> None:
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    async def _create(self, **request):
        if request.get("tools"):
            call = SimpleNamespace(
                function=SimpleNamespace(name="go_to_step", arguments='{"step_id": "chat"}')
            )
            message = SimpleNamespace(content=None, tool_calls=[call])
            return SimpleNamespace(choices=[SimpleNamespace(message=message)])
        if request.get("stream"):
            return _Stream(LINE.split(" "))
        message = SimpleNamespace(content="A short call.", tool_calls=None)
        return SimpleNamespace(choices=[SimpleNamespace(message=message)])

    async def close(self) -> None:
        pass


class _Stream:
    def __init__(self, words: list[str]) -> None:
        self._chunks = iter(words)

    async def __anext__(self):
        try:
            word = next(self._chunks)
        except StopIteration:
            raise StopAsyncIteration from None
        delta = SimpleNamespace(content=word + " ")
        return SimpleNamespace(choices=[SimpleNamespace(delta=delta)])

    async def close(self) -> None:
        pass


async def turn_times(make_responder, calls: int = CALLS) -> list[float]:
    from app.agents.definition import parse_definition
    from app.agents.flow import Conversation

    definition = parse_definition(DEFINITION)
    times = []
    for _ in range(calls):
        responder = make_responder(Conversation(definition, {"first_name": "Ana"}))
        async for _output in responder.start():
            pass
        for n in range(TURNS):
            started = time.perf_counter()
            async for _output in responder.prompt(f"well I was also wondering about thing {n}"):
                pass
            times.append(time.perf_counter() - started)
        await responder.finish()
    return times


def figures(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 3),
    }


async def measure() -> dict[str, object]:
    from app.agents.llm import LlmConfig, LlmResponder
    from app.agents.responder import Responder

    sys.path.insert(0, str(ROOT))
    from tests.agents.fake_openai import FakeOpenAI, Reply, calls

    config = LlmConfig("http://127.0.0.1:1/v1", "fake-model")
    report: dict[str, object] = {"turns": CALLS * TURNS, "http_turns": HTTP_CALLS * TURNS}
    report["deterministic"] = figures(await turn_times(Responder))
    report["in_process"] = figures(
        await turn_times(lambda c: LlmResponder(c, config, InstantClient()))
    )
    server = FakeOpenAI().start()
    try:
        server.default_reading = calls(("go_to_step", {"step_id": "chat"}))
        server.default_line = Reply(LINE)
        http = LlmConfig(server.base_url, "fake-model")
        report["loopback_http"] = figures(
            await turn_times(lambda c: LlmResponder(c, http), HTTP_CALLS)
        )
    finally:
        server.close()
    return report


def main() -> None:
    emit(asyncio.run(measure()))


if __name__ == "__main__":
    main()
