"""A scripted ConversationRelay application on 127.0.0.1, for the emulator's relay tests.

It serves the websocket (/relay) and the action URLs (/action, /dial-action), and records
everything Twilio (the emulator) sends it. ``behaviour`` decides what the agent says.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web

Behaviour = Callable[["Session", dict], Awaitable[None]]


class Session:
    """One websocket: what came in, and a way to answer."""

    def __init__(self, ws: web.WebSocketResponse, headers: dict[str, str]) -> None:
        self.ws = ws
        self.headers = headers
        self.received: list[dict] = []
        self.close_code: int | None = None

    async def say(self, text: str, **extra) -> None:
        """One agent line, streamed as two tokens."""
        head, _, tail = text.partition(" ")
        await self.ws.send_json({"type": "text", "token": head + " ", "last": False, **extra})
        await self.ws.send_json({"type": "text", "token": tail, "last": True, **extra})

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.received if m.get("type") == kind]


async def polite(session: Session, message: dict) -> None:
    """Answer each prompt and key press briefly; say goodbye when the callee does."""
    if message["type"] == "dtmf":
        await session.say(f"You pressed {message['digit']}.")
    if message["type"] != "prompt":
        return
    if "bye" in message["voicePrompt"].lower():
        await session.say("Thank you, goodbye!")
    else:
        await session.say("Thanks, noted.")


class RelayAgent:
    def __init__(self, behaviour: Behaviour = polite) -> None:
        self.behaviour = behaviour
        self.sessions: list[Session] = []
        self.upgrade_status = 101  # anything else refuses the upgrade with that status
        self.actions: list[dict[str, str]] = []  # form posted to /action and /dial-action
        self.action_headers: list[dict[str, str]] = []
        self.action_replies: list[str] = []  # TwiML answered to each action, in turn
        self._lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.base = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        self.http = "http" + self.base[2:]
        self.url = f"{self.base}/relay?t=one-time-token"

    async def _start(self) -> str:
        app = web.Application()
        app.router.add_get("/relay", self._ws)
        app.router.add_post("/action", self._action)
        app.router.add_post("/dial-action", self._action)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}"

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        if self.upgrade_status != 101:
            return web.Response(status=self.upgrade_status, text="refused")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = Session(ws, dict(request.headers))
        with self._lock:
            self.sessions.append(session)
        while True:
            msg = await ws.receive()
            if msg.type == WSMsgType.CLOSE:
                session.close_code = msg.data  # the code the emulator closed with
            if msg.type != WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            session.received.append(data)
            await self.behaviour(session, data)
        return ws

    async def _action(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        with self._lock:
            self.actions.append({"path": request.path, **form})
            self.action_headers.append(dict(request.headers))
            reply = self.action_replies.pop(0) if self.action_replies else "<Response/>"
        return web.Response(text=reply, content_type="text/xml")

    def twiml(self, attrs: str = "", params: str = "", *, action: bool = True, before="", after=""):
        """A call's TwiML: <Connect action><ConversationRelay url attrs>params..."""
        act = f' action="{self.http}/action"' if action else ""
        return (
            f"<Response>{before}<Connect{act}>"
            f'<ConversationRelay url="{self.url}" {attrs}>{params}</ConversationRelay>'
            f"</Connect>{after}</Response>"
        )

    def wait_actions(self, count: int, timeout: float = 15.0) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.actions) >= count:
                    return list(self.actions)
            time.sleep(0.02)
        return list(self.actions)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
