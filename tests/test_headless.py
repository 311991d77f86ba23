"""`calldeck run` (run_headless): exit codes, the JSON summary, progress on stderr."""

from __future__ import annotations

import json

from app.headless import EXIT_OK, EXIT_SETUP, run_headless
from app.settings import set_setting
from tests.dialer.conftest import call_spans, read_call_log
from tests.dialer.helpers import make_campaign, phones


def test_no_twilio_account_exits_2_with_advice(store, home, capsys):
    make_campaign(store, "Live", phones(1, "0"))
    code = run_headless(
        home=home,
        db_url=None,
        campaign=None,
        emulator=None,
        cps=None,
        until_done=True,
        as_json=False,
    )
    assert code == EXIT_SETUP
    assert "No Twilio account is set up" in capsys.readouterr().err


def test_emulator_url_needs_credentials(store, home, capsys, monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    code = run_headless(
        home=home,
        db_url=None,
        campaign=None,
        emulator="http://127.0.0.1:9",
        cps=None,
        until_done=True,
        as_json=False,
    )
    assert code == EXIT_SETUP
    assert "TWILIO_ACCOUNT_SID" in capsys.readouterr().err


def test_unknown_campaign_exits_2(store, home, capsys):
    code = run_headless(
        home=home,
        db_url=None,
        campaign="Nope",
        emulator=True,
        cps=None,
        until_done=True,
        as_json=False,
    )
    assert code == EXIT_SETUP
    assert "no campaign named 'Nope'" in capsys.readouterr().err


def test_named_campaign_runs_until_done_and_prints_a_summary(
    store, home, capsys, monkeypatch, make_emulator
):
    emu = make_emulator()
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", emu.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", emu.auth_token)
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.03)
    numbers = phones(4, "0678")
    make_campaign(store, "Draft one", numbers, state="draft", per_minute=600, max_attempts=1)
    make_campaign(store, "Other", phones(2, "0", "+1312555"), per_minute=600)
    code = run_headless(
        home=home,
        db_url=None,
        campaign="Draft one",
        emulator=emu.base_url,
        cps=20,
        until_done=True,
        as_json=True,
    )
    out = capsys.readouterr()
    assert code == EXIT_OK, out.err
    summary = json.loads(out.out)
    (campaign,) = summary["campaigns"]
    assert campaign["name"] == "Draft one" and campaign["state"] == "completed"
    assert campaign["counts"]["completed"] == 1 and campaign["counts"]["busy"] == 1
    assert summary["calls_placed"] == 4 and summary["next_dial_at"] is None
    # Only the named campaign was dialled.
    assert sorted(to for to, _, _ in call_spans(read_call_log(emu.call_log)).values()) == numbers
    assert "Dialing through the emulator" in out.err


def test_until_done_says_when_the_next_retry_is_due(
    store, home, capsys, monkeypatch, make_emulator
):
    emu = make_emulator()
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", emu.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", emu.auth_token)
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.03)
    make_campaign(store, "Retry later", ["+12125550106"], max_attempts=2, retry_delay_min=30)
    code = run_headless(
        home=home,
        db_url=None,
        campaign=None,
        emulator=emu.base_url,
        cps=20,
        until_done=True,
        as_json=True,
    )
    out = capsys.readouterr()
    assert code == EXIT_OK, out.err
    summary = json.loads(out.out)
    assert summary["next_reason"] == "retry" and summary["next_dial_at"]
    assert summary["campaigns"][0]["state"] == "running"
    assert summary["campaigns"][0]["counts"]["no_answer"] == 1
    assert "the next retry is due at" in out.err
