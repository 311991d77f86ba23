"""Recording downloads trust nothing from the provider: sids become file names only when they
are recording sids, and the account's credentials go only to Twilio's API (or the emulator)."""

from __future__ import annotations

import dataclasses
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.telephony.base import RecordingInfo
from app.telephony.errors import ProviderError
from app.telephony.private_files import write_private
from app.telephony.recording_media import (
    credentials_allowed,
    inside,
    media_url,
    recording_file_name,
)
from app.telephony.twilio_provider import TwilioProvider
from tests.telephony.conftest import provider_ready_recordings, run
from tests.telephony.hostile_proxy import HostileProxy
from tests.telephony.test_twilio_provider import place_and_finish, request

SID = "RE" + "0123456789abcdef" * 2


class ForeignHost:
    """Any other host: records every request it gets (and serves audio-looking bytes)."""

    def __init__(self) -> None:
        self.seen: list[dict] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # http.server's method naming
                host.seen.append({"path": self.path, "headers": dict(self.headers)})
                self.send_response(200)
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"RIFF")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


ACCOUNT = "AC" + "f" * 32


@pytest.mark.parametrize(
    "hostile",
    ["../../evil", "RE../../../tmp/x", SID + "/../../x", "RE123", "", "CA" + "0" * 32, SID + "\n"],
)
def test_only_a_recording_sid_becomes_a_file_name(hostile):
    with pytest.raises(ProviderError, match="not one"):
        recording_file_name(hostile, ".wav")
    assert recording_file_name(SID, ".mp3") == SID + ".mp3"


def test_a_file_is_never_written_outside_its_folder(tmp_path):
    folder = tmp_path / "recordings"
    folder.mkdir()
    with pytest.raises(ProviderError, match="outside"):
        inside(folder, "../escaped.wav")
    with pytest.raises(ProviderError):
        write_private(folder, "../escaped.wav", b"x")
    assert not (tmp_path / "escaped.wav").exists()
    assert [p.name for p in folder.iterdir()] == []  # no partial file left either


@pytest.mark.parametrize(
    ("url", "base_url", "allowed"),
    [
        (f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}", None, True),
        ("https://api.dublin.ie1.twilio.com/2010-04-01/Recordings/x", None, True),
        ("http://api.twilio.com/2010-04-01/Recordings/x", None, False),  # plain HTTP
        ("https://api.twilio.com.evil.example/Recordings/x", None, False),
        ("https://evil.example/api.twilio.com/Recordings/x", None, False),
        ("https://media.twiliocdn.com/x", None, False),
        ("http://127.0.0.1:8123/2010-04-01/Recordings/x", "http://127.0.0.1:8123", True),
        ("http://127.0.0.1:9999/2010-04-01/Recordings/x", "http://127.0.0.1:8123", False),
        ("https://api.twilio.com/2010-04-01/Recordings/x", "http://127.0.0.1:8123", False),
    ],
)
def test_credentials_go_only_to_twilios_api_or_the_emulator(url, base_url, allowed):
    assert credentials_allowed(url, base_url) is allowed


def test_a_media_url_on_another_host_is_replaced_by_the_documented_one():
    foreign = RecordingInfo(SID, "CA1", 3, "completed", media_url="http://evil.example/r/" + SID)
    assert media_url(foreign, ACCOUNT, None) == (
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}"
    )
    own = dataclasses.replace(foreign, media_url=f"https://api.twilio.com/x/{SID}.json")
    assert media_url(own, ACCOUNT, None) == f"https://api.twilio.com/x/{SID}"


def test_a_hostile_media_url_gets_no_credentials_and_the_audio_still_arrives(
    emulator, make_provider, tmp_path
):
    """Over real HTTP: the foreign host is never contacted; the emulator serves the audio."""
    provider = make_provider(emulator)
    foreign = ForeignHost()
    try:

        async def go():
            info, _ = await place_and_finish(provider, request(record=True))
            (rec,) = await provider_ready_recordings(provider, info.sid)
            hostile = dataclasses.replace(rec, media_url=f"{foreign.url}/Recordings/{rec.sid}")
            return rec, await provider.download_recording(hostile, tmp_path / "recordings")

        rec, path = run(go())
    finally:
        foreign.close()
    assert foreign.seen == []
    assert path.parent == tmp_path / "recordings" and path.name.startswith(rec.sid)
    assert path.stat().st_size > 0


def test_a_hostile_recording_sid_writes_nothing(emulator, make_provider, tmp_path):
    provider = make_provider(emulator)

    async def go():
        info, _ = await place_and_finish(provider, request(record=True))
        (rec,) = await provider_ready_recordings(provider, info.sid)
        hostile = dataclasses.replace(rec, sid="../../" + rec.sid)
        await provider.download_recording(hostile, tmp_path / "cache" / "recordings")

    with pytest.raises(ProviderError, match="not one"):
        run(go())
    assert not (tmp_path / "cache").exists() and not list(tmp_path.glob("*.wav"))


def _recordings(rewrite_one):
    """A rewrite that changes every recording in a Recordings list answer."""

    def rewrite(path: str, body: dict) -> dict:
        if path.endswith("/Recordings.json"):
            body["recordings"] = [rewrite_one(dict(r)) for r in body.get("recordings", [])]
        return body

    return rewrite


def _provider_through(proxy, emulator) -> TwilioProvider:
    return TwilioProvider(emulator.account_sid, emulator.auth_token, base_url=proxy.url)


def test_through_a_hostile_twilio_a_path_for_a_sid_writes_nothing_outside(emulator, tmp_path):
    rewrite = _recordings(lambda r: {**r, "sid": "../../../escaped"})
    folder = tmp_path / "home" / "recordings"
    with HostileProxy(emulator.base_url, rewrite) as proxy:
        provider = _provider_through(proxy, emulator)

        async def go():
            try:
                info, _ = await place_and_finish(provider, request(record=True))
                (rec,) = await provider_ready_recordings(provider, info.sid)
                assert rec.sid == "../../../escaped"  # the proxy really lied
                await provider.download_recording(rec, folder)
            finally:
                await provider.close()

        with pytest.raises(ProviderError, match="not one"):
            run(go())
    assert not list(tmp_path.rglob("escaped*"))


def test_through_a_hostile_twilio_a_foreign_media_url_gets_no_credentials(emulator, tmp_path):
    foreign = ForeignHost()
    rewrite = _recordings(lambda r: {**r, "media_url": f"{foreign.url}/steal/{r['sid']}"})
    try:
        with HostileProxy(emulator.base_url, rewrite) as proxy:
            provider = _provider_through(proxy, emulator)

            async def go():
                try:
                    info, _ = await place_and_finish(provider, request(record=True))
                    (rec,) = await provider_ready_recordings(provider, info.sid)
                    assert rec.media_url.startswith(foreign.url)
                    return rec, await provider.download_recording(rec, tmp_path / "recordings")
                finally:
                    await provider.close()

            rec, path = run(go())
    finally:
        foreign.close()
    assert foreign.seen == []  # neither the account SID nor the token went there
    assert path.name.startswith(rec.sid) and path.stat().st_size > 0
