"""The only HTTP seam: send the SDK's https://*.twilio.com requests to another base URL."""

from __future__ import annotations

import re

from twilio.http.http_client import TwilioHttpClient

_TWILIO_HOST = re.compile(r"^https://(?:[a-z0-9-]+\.)*twilio\.com(?=/|$)", re.IGNORECASE)


def rewrite_url(url: str, base_url: str | None) -> str:
    """*url* with its Twilio host replaced by *base_url* (unchanged when base_url is None)."""
    if not base_url:
        return url
    return _TWILIO_HOST.sub(base_url.rstrip("/"), url, count=1)


class RewritingHttpClient(TwilioHttpClient):
    """A TwilioHttpClient that talks to *base_url* (the local emulator) instead of Twilio."""

    def __init__(self, base_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args, **kwargs):
        return super().request(method, rewrite_url(url, self.base_url), *args, **kwargs)
