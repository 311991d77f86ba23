"""Recording audio: which URL it is fetched from, who gets the credentials, and its file name.

Everything here comes from the provider's answers, so none of it is trusted as it is: a
recording sid becomes a file name only when it has Twilio's documented shape (RE + 32 hex),
and the account's credentials go only to Twilio's API over HTTPS (or to the configured
emulator in demo mode), never to whatever host a media_url names.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from app.telephony.base import RecordingInfo
from app.telephony.errors import ProviderError
from app.telephony.http_seam import rewrite_url

log = logging.getLogger(__name__)

API_BASE = "https://api.twilio.com/2010-04-01"
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
# api.twilio.com and its regional edges (api.dublin.ie1.twilio.com, ...).
_TWILIO_API_HOST = re.compile(r"api(?:\.[a-z0-9-]+)*\.twilio\.com", re.IGNORECASE)


def recording_file_name(sid: str, ext: str) -> str:
    """The cache file name for recording *sid*; refuses anything but a recording sid."""
    if not RECORDING_SID.fullmatch(sid or ""):
        raise ProviderError(
            f"Twilio answered with a recording id that is not one ({sid[:40]!r}); "
            "the recording was not saved."
        )
    return sid + ext


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing a name that would resolve outside *folder*."""
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise ProviderError(f"refusing to write a recording outside {folder}")
    return target


def credentials_allowed(url: str, base_url: str | None) -> bool:
    """May the account's credentials be sent to *url*? Only to the emulator in use (demo),
    else only to Twilio's API over HTTPS."""
    parts = urlsplit(url)
    if base_url:
        emulator = urlsplit(base_url)
        return (parts.scheme, parts.netloc) == (emulator.scheme, emulator.netloc)
    return parts.scheme == "https" and bool(_TWILIO_API_HOST.fullmatch(parts.hostname or ""))


def media_url(recording: RecordingInfo, account_sid: str, base_url: str | None) -> str:
    """Where to GET the audio (without extension): the recording's media_url when it points at
    Twilio's API (or the emulator), else the documented URL built from the sid."""
    canonical = f"{API_BASE}/Accounts/{account_sid}/Recordings/{recording.sid}"
    url = rewrite_url(recording.media_url or canonical, base_url)
    if not credentials_allowed(url, base_url):
        log.warning("recording %s: ignoring a media URL on another host", recording.sid)
        url = rewrite_url(canonical, base_url)
    for ext in (".json", ".wav", ".mp3"):
        url = url.removesuffix(ext)
    return url
