"""`calldeck account connect --sid SID --api-key KEY --secret-stdin`: checked with Twilio (an
emulator standing for it), the secret only in the keyring, the Auth Token optional."""

from __future__ import annotations

import io
import json

from app.cli import main
from app.secrets import SERVICE
from app.services import NO_AUTH_TOKEN_FOR_AGENT
from tests.conftest import create_api_key

TOKEN = "e" * 32


def run(capsys, home, stdin: str, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([*argv, "--home", str(home)])
    out, err = capsys.readouterr()
    return code, out, err


def test_connect_by_api_key_checks_it_and_keeps_only_the_secret_in_the_keyring(
    home, capsys, monkeypatch, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    monkeypatch.setattr("app.cli_numbers.ACCOUNT_API_URL", emulator.base_url)
    key, secret = create_api_key(emulator)
    connect = ("account", "connect", "--sid", emulator.account_sid, "--api-key", key)

    code, _, err = run(capsys, home, "not-the-secret\n", monkeypatch, *connect, "--secret-stdin")
    assert code == 1 and "error 20003" in err and memory_keyring.passwords == {}

    code, out, _ = run(capsys, home, secret + "\n", monkeypatch, *connect, "--secret-stdin")
    assert code == 0 and f"by API key SK…{key[-4:]}" in out
    assert NO_AUTH_TOKEN_FOR_AGENT in out  # what an API key alone cannot do
    assert memory_keyring.passwords == {(SERVICE, key): secret}
    code, out, _ = run(capsys, home, "", monkeypatch, "account", "status", "--json")
    status = json.loads(out)
    assert status["mode"] == "live" and status["api_key"] == f"SK…{key[-4:]}"
    assert status["token_available"] is True
    for path in home.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_a_second_line_gives_the_auth_token_for_the_voice_agent(
    home, capsys, monkeypatch, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    monkeypatch.setattr("app.cli_numbers.ACCOUNT_API_URL", emulator.base_url)
    key, secret = create_api_key(emulator)
    code, out, _ = run(
        capsys,
        home,
        f"{secret}\n{TOKEN}\n",
        monkeypatch,
        *("account", "connect", "--sid", emulator.account_sid, "--api-key", key),
        "--secret-stdin",
    )
    assert code == 0 and NO_AUTH_TOKEN_FOR_AGENT not in out
    assert memory_keyring.passwords == {
        (SERVICE, key): secret,
        (SERVICE, emulator.account_sid): TOKEN,
    }


def test_an_api_key_needs_its_secret_from_stdin(home, capsys, monkeypatch):
    code, _, err = run(
        capsys,
        home,
        "",
        monkeypatch,
        "account",
        "connect",
        "--sid",
        "AC" + "1" * 32,
        "--api-key",
        "SK" + "1" * 32,
    )
    assert code != 0 and "--secret-stdin" in err
