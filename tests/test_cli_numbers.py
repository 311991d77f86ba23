"""`calldeck account` and `calldeck numbers`: in demo mode against the embedded emulator,
whose numbers persist in the data folder across commands; `account connect` against an
emulator standing for Twilio; `campaign start` refused like the window refuses it."""

from __future__ import annotations

import io
import json

import pytest

from app.cli import main
from app.secrets import SERVICE

TOKEN = "d" * 32


@pytest.fixture(autouse=True)
def fast_demo(monkeypatch):
    monkeypatch.setenv("CALLDECK_EMULATOR_SPEED", "200")  # Twilio's verification call: 0.1 s
    monkeypatch.setattr("app.telephony.caller_ids.VERIFY_POLL_S", 0.05)


def run(capsys, home, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--home", str(home)])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, home) -> dict[str, dict]:
    code, out, _ = run(capsys, home, "numbers", "list", "--json")
    assert code == 0
    return {row["number"]: row for row in json.loads(out)}


def test_demo_numbers_bought_verified_and_released_persist_across_commands(home, capsys):
    numbers = listed(capsys, home)
    assert numbers["+15005550006"]["kind"] == "owned" and numbers["+15005550006"]["voice"]
    assert numbers["+14155550199"]["kind"] == "verified"

    code, out, _ = run(
        capsys, home, "numbers", "search", "--country", "US", "--area-code", "512", "--json"
    )
    found = json.loads(out)
    assert code == 0 and found[0]["phone_number"].startswith("+1512")
    code, out, _ = run(
        capsys, home, "numbers", "search", "--area-code", "512", "--contains", "1037", "--json"
    )
    assert [n["phone_number"] for n in json.loads(out)] == ["+15125551037"]
    code, out, _ = run(capsys, home, "numbers", "search", "--locality", "austin", "--json")
    assert code == 0 and {n["locality"] for n in json.loads(out)} == {"Austin"}

    code, out, _ = run(capsys, home, "numbers", "buy", "+15125551037")
    assert code == 0 and out.startswith("bought +15125551037")
    code, out, _ = run(capsys, home, "numbers", "verify", "+1 415 555 0142")
    assert code == 0 and "type " in out and out.strip().endswith("campaigns can call from it")
    numbers = listed(capsys, home)  # a new emulator: the same demo account
    assert numbers["+15125551037"]["kind"] == "owned"
    assert numbers["+14155550142"]["kind"] == "verified"

    run(capsys, home, "campaign", "create", "Austin", "--caller-id", "+15125551037")
    code, out, _ = run(capsys, home, "numbers", "release", "+15125551037")
    assert code == 0 and "released +15125551037" in out and "Austin" in out
    numbers = listed(capsys, home)
    assert numbers["+15125551037"]["can_call_from"] is False

    code, out, err = run(capsys, home, "campaign", "start", "Austin")
    assert code == 1 and "+15125551037 is not a number the demo account owns" in err
    code, _, err = run(capsys, home, "numbers", "release", "+15125551037")
    assert code == 1 and "is not on the account" in err


def test_account_status_in_demo_mode(home, capsys):
    code, out, _ = run(capsys, home, "account", "status", "--json")
    assert code == 0
    assert json.loads(out) == {
        "mode": "demo",
        "account_sid": None,
        "account_name": None,
        "trial": False,
        "api_key": None,
        "token_available": None,
    }


def test_account_connect_checks_then_goes_live(
    home, capsys, monkeypatch, make_emulator, memory_keyring
):
    emulator = make_emulator(auth_token=TOKEN)
    monkeypatch.setattr("app.cli_numbers.ACCOUNT_API_URL", emulator.base_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-token\n"))
    code, _, err = run(
        capsys, home, "account", "connect", "--sid", emulator.account_sid, "--token-stdin"
    )
    assert code == 1 and "error 20003" in err and memory_keyring.passwords == {}

    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    code, out, _ = run(
        capsys, home, "account", "connect", "--sid", emulator.account_sid, "--token-stdin"
    )
    assert code == 0 and out.startswith("connected: Twilio account 'CallDeck emulator account'")
    assert TOKEN not in out
    assert memory_keyring.passwords == {(SERVICE, emulator.account_sid): TOKEN}
    code, out, _ = run(capsys, home, "account", "status", "--json")
    status = json.loads(out)
    assert status["mode"] == "live" and status["trial"] is False
    assert status["account_name"] == "CallDeck emulator account" and status["token_available"]
    for path in home.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
