"""Twilio's error answers: `{code, message, more_info, status}` bodies."""

from __future__ import annotations

from aiohttp import web

from app.telephony.emulator import resources


class TwilioError(Exception):
    """Raised by a handler; the error middleware turns it into Twilio's JSON body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: int, message: str) -> web.Response:
    return web.json_response(resources.error_body(code, message, status), status=status)


def not_found(path: str) -> TwilioError:
    return TwilioError(404, 20404, f"The requested resource {path} was not found")
