"""API keys (Keys.json): create one (its secret shown once), list, delete.

A key's SID and secret authenticate like the Account SID and Auth Token (server._auth).
"""

from __future__ import annotations

import secrets

from aiohttp import web

from app.telephony.emulator import resources
from app.telephony.emulator.api_base import ApiBase
from app.telephony.emulator.paging import v2010_page
from app.telephony.emulator.state import ApiKeyRecord, new_sid
from app.telephony.emulator.twilio_errors import not_found


class KeysApi(ApiBase):
    async def create_key(self, request: web.Request) -> web.Response:
        form = await request.post()
        key = ApiKeyRecord(
            new_sid("SK"), form.get("FriendlyName") or None, secrets.token_urlsafe(24)
        )
        self.account.api_keys[key.sid] = key
        return web.json_response(resources.key_json(key, with_secret=True), status=201)

    async def list_keys(self, request: web.Request) -> web.Response:
        return web.json_response(
            v2010_page(
                request.query,
                list(self.account.api_keys.values()),
                "keys",
                request.path,
                resources.key_json,
            )
        )

    async def delete_key(self, request: web.Request) -> web.Response:
        if self.account.api_keys.pop(request.match_info["sid"], None) is None:
            raise not_found(request.path)
        return web.Response(status=204)
