"""After a whole session (connect by API key with the Auth Token, dial a campaign, export it,
everything logged at DEBUG into the data folder) neither secret is anywhere in that folder:
not in the database, the logs, the recordings or the export, not even Base64-encoded."""

from __future__ import annotations

import base64
import io
import logging

from app.cli import main
from app.settings import set_setting
from tests.conftest import create_api_key
from tests.dialer.helpers import make_campaign, phones

TOKEN = "c0ffee" * 5 + "ab"


def test_no_secret_is_in_the_data_folder_after_a_session(
    home, store, monkeypatch, make_emulator, memory_keyring, capsys
):
    emulator = make_emulator(auth_token=TOKEN)
    key, secret = create_api_key(emulator)
    sid = emulator.account_sid
    (home / "logs").mkdir(parents=True, exist_ok=True)
    log = logging.FileHandler(home / "logs" / "session.log", encoding="utf-8")
    root = logging.getLogger()
    level = root.level
    root.addHandler(log)
    root.setLevel(logging.DEBUG)
    try:
        monkeypatch.setattr("app.cli_numbers.ACCOUNT_API_URL", emulator.base_url)
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{secret}\n{TOKEN}\n"))
        connect = ["account", "connect", "--sid", sid, "--api-key", key, "--secret-stdin"]
        assert main([*connect, "--home", str(home)]) == 0

        monkeypatch.setenv("TWILIO_ACCOUNT_SID", sid)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
        with store.session.begin() as session:
            set_setting(session, "poll_interval_s", 0.03)
        make_campaign(store, "Session", phones(3, "0"), per_minute=600, max_attempts=1)
        run = ["run", "--emulator", emulator.base_url, "--until-done", "--cps", "20"]
        assert main([*run, "--home", str(home)]) == 0
        export = home / "exports" / "session.csv"
        export.parent.mkdir(exist_ok=True)
        args = ["export", "--campaign", "Session", "--format", "csv", "--out", str(export)]
        assert main([*args, "--home", str(home)]) == 0
    finally:
        root.removeHandler(log)
        root.setLevel(level)
        log.close()
    capsys.readouterr()

    assert export.read_text(encoding="utf-8").count("\n") >= 4  # a header and three calls
    assert (home / "logs" / "session.log").stat().st_size > 0
    forms = [TOKEN, secret]
    forms += [
        base64.b64encode(f"{user}:{pw}".encode()).decode()
        for user, pw in ((sid, TOKEN), (key, secret))
    ]
    files = [path for path in home.rglob("*") if path.is_file()]
    for path in files:
        data = path.read_bytes()
        assert not [form for form in forms if form.encode() in data], path
    # The scan does see what is stored: the key's SID (not a secret) is in the settings.
    assert any(key.encode() in path.read_bytes() for path in files)
