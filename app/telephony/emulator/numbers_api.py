"""Phone numbers: owned, verified caller IDs, verification requests, search, buy."""

from __future__ import annotations

import asyncio
import random

from aiohttp import web

from app.telephony.emulator import numbers, resources
from app.telephony.emulator.api_base import ApiBase
from app.telephony.emulator.paging import v2010_page
from app.telephony.emulator.state import (
    new_sid,
)
from app.telephony.emulator.twilio_errors import TwilioError, not_found

VERIFICATION_CALL_S = 15.0  # the verification call: ring, listen, key in the code


class NumbersApi(ApiBase):
    async def list_incoming(self, request: web.Request) -> web.Response:
        nums = [n for n in self.account.numbers.values() if n.kind == "incoming"]
        if phone := request.query.get("PhoneNumber"):
            nums = [n for n in nums if phone in n.phone_number]
        return web.json_response(
            v2010_page(
                request.query,
                nums,
                "incoming_phone_numbers",
                request.path,
                resources.incoming_number_json,
            )
        )

    async def buy_number(self, request: web.Request) -> web.Response:
        form = await request.post()
        phone = form.get("PhoneNumber", "").strip()
        area = form.get("AreaCode", "").strip()
        owned = self.account.caller_ids()
        if not phone and area:
            candidates = numbers.available_local("US", area, 30) or []
            phone = next(
                (c["phone_number"] for c in candidates if c["phone_number"] not in owned), ""
            )
            if not phone:
                raise TwilioError(400, 21452, f"No phone numbers found in area code {area}")
        if not phone:
            raise TwilioError(400, 21421, "A PhoneNumber or AreaCode is required.")
        if not numbers.is_e164(phone):
            raise TwilioError(400, 21421, f"PhoneNumber {phone} is invalid.")
        if phone in owned:
            raise TwilioError(400, 21422, f"PhoneNumber {phone} is not available.")
        friendly = form.get("FriendlyName") or resources.formatted(phone)
        rec = self.account.add_number(phone, friendly, "incoming")
        self.numbers_changed()
        return web.json_response(resources.incoming_number_json(rec), status=201)

    def _number(self, request: web.Request, kind: str):
        rec = self.account.numbers.get(request.match_info["sid"])
        if rec is None or rec.kind != kind:
            raise not_found(request.path)
        return rec

    async def release_number(self, request: web.Request) -> web.Response:
        """DELETE IncomingPhoneNumbers/{sid}: the number goes back to Twilio."""
        del self.account.numbers[self._number(request, "incoming").sid]
        self.numbers_changed()
        return web.Response(status=204)

    async def remove_caller_id(self, request: web.Request) -> web.Response:
        """DELETE OutgoingCallerIds/{sid}: calls may no longer come from it."""
        del self.account.numbers[self._number(request, "verified").sid]
        self.numbers_changed()
        return web.Response(status=204)

    def numbers_changed(self) -> None:
        """Keep the account's numbers in the state file, when there is one (demo mode)."""
        if self.numbers_file is not None:
            numbers.save_numbers(self.numbers_file, self.account.numbers.values())

    async def list_caller_ids(self, request: web.Request) -> web.Response:
        nums = [n for n in self.account.numbers.values() if n.kind == "verified"]
        if phone := request.query.get("PhoneNumber"):
            nums = [n for n in nums if n.phone_number == phone]
        return web.json_response(
            v2010_page(
                request.query, nums, "outgoing_caller_ids", request.path, resources.caller_id_json
            )
        )

    async def validation_request(self, request: web.Request) -> web.Response:
        """Twilio calls the number and the person keys in the code; here they always do."""
        form = await request.post()
        phone = form.get("PhoneNumber", "").strip()
        if not numbers.is_e164(phone):
            raise TwilioError(400, 21211, f"Invalid 'PhoneNumber': {phone}")
        if phone in self.account.caller_ids():
            raise TwilioError(400, 21450, "Phone number is already verified.")
        friendly = form.get("FriendlyName") or resources.formatted(phone)
        code = f"{random.Random(phone).randint(0, 999999):06d}"
        body = {
            "account_sid": self.account.sid,
            "call_sid": new_sid("CA"),
            "friendly_name": friendly,
            "phone_number": phone,
            "validation_code": code,
        }

        async def verified_after_the_call() -> None:
            await asyncio.sleep(VERIFICATION_CALL_S / self.speed)
            if phone not in self.account.caller_ids():
                self.account.add_number(phone, friendly, "verified")
                self.numbers_changed()

        self.engine._spawn(verified_after_the_call())
        return web.json_response(body)

    async def available(self, request: web.Request) -> web.Response:
        """AvailablePhoneNumbers/{cc}/{Local,Mobile,TollFree}.json"""
        q = request.query
        area = q.get("AreaCode") or None
        if area is not None and not (area.isdigit() and len(area) == 3):
            raise TwilioError(400, 21452, f"AreaCode {area} is invalid.")
        try:
            limit = int(q.get("PageSize", 50))
        except ValueError as exc:
            raise TwilioError(400, 20001, "PageSize must be an integer") from exc
        found = numbers.available_numbers(
            request.match_info["cc"],
            request.match_info["type"],
            area,
            limit,
            contains=q.get("Contains") or None,
            locality=q.get("InLocality") or None,
        )
        if found is None:
            raise not_found(request.path)
        owned = self.account.caller_ids()
        found = [f for f in found if f["phone_number"] not in owned]
        uri = request.path + ("?" + request.query_string if request.query_string else "")
        body = {
            "available_phone_numbers": found,
            "end": max(len(found) - 1, 0),
            "first_page_uri": uri,
            "next_page_uri": None,
            "page": 0,
            "page_size": limit,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }
        return web.json_response(body)
