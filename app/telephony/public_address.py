"""How Twilio reaches this computer: the public address, checked, or an ngrok tunnel.

Twilio must open the agent's websocket (wss://) and post its callbacks (https://) to an
address on the internet. Either the user has one that forwards to CallDeck's relay port (a
reverse proxy, a tunnel they run), or CallDeck opens an ngrok tunnel itself through the
`ngrok` package (no binary; the authtoken comes from the keyring). Either way the address is
checked by fetching the relay's health page through it: it must answer with this relay's id.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp

log = logging.getLogger(__name__)

HEALTH_PATH = "/relay/health"
CHECK_TIMEOUT_S = 8.0


class AddressError(Exception):
    """The public address cannot be used; the message says what to do."""


@dataclass
class Tunnel:
    url: str

    async def close(self) -> None:
        import ngrok

        await asyncio.to_thread(ngrok.disconnect, self.url)


async def open_tunnel(port: int, authtoken: str) -> Tunnel:
    """An ngrok tunnel (https) to 127.0.0.1:*port*."""
    import ngrok

    def forward() -> str:
        # In a thread: with no running loop the package connects synchronously.
        return ngrok.forward(f"127.0.0.1:{port}", authtoken=authtoken).url()

    try:
        url = await asyncio.to_thread(forward)
    except Exception as exc:  # the package raises ValueError with its own reasons
        reason = " ".join(str(part) for part in getattr(exc, "args", ()) if part) or str(exc)
        raise AddressError(
            f"The ngrok tunnel could not open ({reason}). Check the ngrok authtoken in Settings "
            "and this computer's internet connection."
        ) from exc
    log.info("ngrok tunnel open at %s", url)
    return Tunnel(url)


async def check_reachable(public_url: str, relay_id: str) -> None:
    """Raise AddressError unless *public_url* reaches the relay whose id is *relay_id*."""
    url = public_url.rstrip("/") + HEALTH_PATH
    if not url.lower().startswith("https://"):
        raise AddressError(
            f"{public_url} is not an https:// address; Twilio connects only to wss:// and "
            "https:// (TLS)."
        )
    try:
        timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(url) as response,
        ):
            body = await response.json(content_type=None) if response.status == 200 else None
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise AddressError(
            f"{public_url} cannot be reached from here ({type(exc).__name__}: {exc}). Check "
            "that it forwards to this computer's relay port."
        ) from exc
    if not isinstance(body, dict) or body.get("relay") != relay_id:
        raise AddressError(
            f"{public_url} answers, but not with this CallDeck's relay: check that it forwards "
            "to the relay port shown in Settings."
        )
