"""The agent on the phone: turn latency through the real relay server, beside a bare echo.

Turn latency is the time from a callee `prompt` sent on the websocket to the first `text`
token of the agent's answer received, on 127.0.0.1, with the deterministic agent (no LLM)
grounded in a 1,000-passage knowledge base (bench_knowledge's corpus) answering callers'
questions. The floor is a bare aiohttp websocket server that echoes each prompt as one
`text` message, timed by the same client in the same run. Signed upgrades and one-time
tokens are part of each call, as in production.

Run: python -m benchmarks.bench_relay  (prints JSON; about half a minute)
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

from benchmarks.bench_knowledge import callers_questions, corpus, percentile
from benchmarks.common import emit, ms

TOKEN = "bench-token"
TURNS = 2_000
TURNS_PER_CALL = 25
QUESTION = "What is your email address?"  # the step's line, asked again after each answer


def definition(passages):
    from app.agents.definition import parse_definition

    return parse_definition(
        {
            "name": "Bench clinic",
            "business": {"company": "Evergreen Vets", "callback_number": "+15005550006"},
            "opening": {
                "mode": "wait_for_hello",
                "greeting": "Hi, this is an automated assistant from Evergreen Vets. "
                "This call may be recorded.",
            },
            "knowledge": [
                {"title": p.heading, "text": p.text, "document": p.document} for p in passages
            ],
            "flow": {
                "start": "ask",
                "steps": [
                    {
                        "id": "ask",
                        "say": QUESTION,
                        "collect": [{"name": "email", "type": "email"}],
                        "next": [{"to": "bye"}],
                    },
                    {"id": "bye", "say": "Goodbye.", "end": True},
                ],
            },
        }
    )


async def _first_token_latency(ws, text: str, turn_ends: str = "") -> float:
    """Send a prompt; the time to the first token back. The rest of the turn is read up to
    the line ending with *turn_ends* (the agent answers, then asks its question again)."""
    started, latency, line = time.perf_counter(), None, ""
    await ws.send_json({"type": "prompt", "voicePrompt": text, "lang": "en-US", "last": True})
    while True:
        msg = await ws.receive(timeout=10)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"socket closed mid-turn: {msg}")
        data = json.loads(msg.data)
        if data["type"] != "text":
            continue
        if latency is None:
            latency = time.perf_counter() - started
        line += data["token"]
        if data["last"]:
            if line.endswith(turn_ends):
                return latency
            line = ""


async def relay_turns(questions: list[str], passages) -> list[float]:
    from app.agents.relay.server import RelayServer
    from app.agents.relay.tickets import CallTicket

    relay = RelayServer(auth_token=TOKEN, on_result=lambda ticket, result: None)
    await relay.start()
    defn = definition(passages)
    latencies: list[float] = []
    try:
        async with aiohttp.ClientSession() as http:
            for call in range(0, len(questions), TURNS_PER_CALL):
                sid = f"CA{call:032d}"
                prepared = relay.prepare_call(
                    CallTicket(call, call, "+15551230000", defn, 1, {}), record=False
                )
                relay.bind(prepared.token, sid)
                url = f"{relay.ws_base}/relay?t={prepared.token}"
                signature = RequestValidator(TOKEN).compute_signature(url, {})
                async with http.ws_connect(url, headers={"X-Twilio-Signature": signature}) as ws:
                    await ws.send_json({"type": "setup", "callSid": sid, "customParameters": {}})
                    await _first_token_latency(ws, "Hello?", QUESTION)  # greeting, question
                    for question in questions[call : call + TURNS_PER_CALL]:
                        latencies.append(await _first_token_latency(ws, question, QUESTION))
    finally:
        await relay.close()
    return latencies


async def echo_turns(questions: list[str]) -> list[float]:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            prompt = json.loads(msg.data)
            await ws.send_json({"type": "text", "token": prompt["voicePrompt"], "last": True})
        return ws

    app = web.Application()
    app.router.add_get("/echo", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    latencies: list[float] = []
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"ws://127.0.0.1:{port}/echo") as ws,
        ):
            for question in questions:
                latencies.append(await _first_token_latency(ws, question))
    finally:
        await runner.cleanup()
    return latencies


def main() -> None:
    rng = random.Random(11)
    passages, _ = corpus(rng)
    asked = callers_questions()
    questions = [rng.choice(asked) for _ in range(TURNS)]
    relay = asyncio.run(relay_turns(questions, passages))
    echo = asyncio.run(echo_turns(questions))
    emit(
        {
            "passages": len(passages),
            "turns": len(relay),
            "turn_p50_ms": ms(statistics.median(relay)),
            "turn_p99_ms": ms(percentile(relay, 0.99)),
            "bare_echo_p50_ms": ms(statistics.median(echo)),
            "bare_echo_p99_ms": ms(percentile(echo, 0.99)),
            "p99_ratio_to_echo": round(percentile(relay, 0.99) / percentile(echo, 0.99), 2),
        }
    )


if __name__ == "__main__":
    main()
