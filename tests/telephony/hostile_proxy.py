"""A hostile Twilio for tests: a real HTTP proxy in front of the emulator that rewrites its
JSON answers (a recording sid that is a path, a media URL on someone else's host, ...).

The provider is pointed at the proxy exactly as it would be at the emulator, so what is
tested is the app's real handling of a hostile response over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable

import aiohttp
from aiohttp import web

Rewrite = Callable[[str, dict], dict]  # (request path, JSON body) -> the body to answer with


class HostileProxy:
    def __init__(self, upstream: str, rewrite: Rewrite) -> None:
        self.upstream = upstream.rstrip("/")
        self.rewrite = rewrite
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hostile-proxy", daemon=True)

    def __enter__(self) -> HostileProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile proxy did not start")
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                self.upstream + request.path_qs,
                headers=headers,
                data=await request.read(),
            ) as upstream,
        ):
            body = await upstream.read()
            kind = upstream.headers.get("Content-Type", "")
            if kind.startswith("application/json"):
                body = json.dumps(self.rewrite(request.path, json.loads(body))).encode()
            return web.Response(status=upstream.status, body=body, content_type=kind.split(";")[0])
