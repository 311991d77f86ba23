"""`calldeck run` (run_headless): exit codes, the JSON summary, progress on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select, update

from app.contacts.cli import import_command
from app.headless import EXIT_OK, EXIT_SETUP, run_headless
from app.services import EMULATOR_SPEED_ENV
from app.settings import set_setting
from app.store.models import Call, Campaign, Contact
from tests.conftest import REPO
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


def emulator_at_url(store, monkeypatch, make_emulator):
    """A running emulator for `run --emulator URL` (its credentials in the environment)."""
    emu = make_emulator()
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", emu.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", emu.auth_token)
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.03)
    return emu


def test_named_campaign_runs_until_done_and_prints_a_summary(
    store, home, capsys, monkeypatch, make_emulator
):
    emu = emulator_at_url(store, monkeypatch, make_emulator)
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
    emu = emulator_at_url(store, monkeypatch, make_emulator)
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


@pytest.mark.timeout(90)
def test_contacts_imported_while_the_runner_dials_are_dialled_too(tmp_path, store, home):
    """`calldeck import` beside a running `calldeck run --until-done`: the runner sees the new
    contacts within seconds instead of saying "Nothing left to dial" with them still queued."""
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
        set_setting(session, "calls_per_second", 50)
    cid, _ = make_campaign(
        store, "Growing", phones(3, "0"), concurrency=4, per_minute=600, max_attempts=1
    )
    env = {**os.environ, EMULATOR_SPEED_ENV: "20"}
    env.pop("CALLDECK_DB", None)
    runner = subprocess.Popen(
        [sys.executable, "-m", "app", "--home", str(home), "run", "--campaign", "Growing"]
        + ["--emulator", "--until-done", "--json"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _calls(store, cid):
            time.sleep(0.05)
        more = tmp_path / "more.csv"
        more.write_text("phone\n" + "\n".join(phones(20, "1", "+1312555")) + "\n")
        assert (
            import_command(
                home=home,
                db_url=None,
                file=more,
                campaign="Growing",
                region=None,
                phone_column=None,
                dry_run=False,
                as_json=True,
            )
            == 0
        )
        out, err = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == EXIT_OK, err
    with store.session() as session:
        statuses = list(session.scalars(select(Contact.status).where(Contact.campaign_id == cid)))
    assert len(statuses) == 23 and "queued" not in statuses, statuses
    assert json.loads(out)["calls_placed"] == 23


def _calls(store, campaign_id: int) -> list:
    with store.session() as session:
        return list(session.scalars(select(Call.id).where(Call.campaign_id == campaign_id)))


def test_a_huge_retry_delay_stored_long_ago_does_not_strand_a_contact(
    store, home, capsys, monkeypatch
):
    """5,000,000,000 minutes was once accepted; the first busy call then crashed the dialer
    and left the contact in "calling"."""
    monkeypatch.setenv(EMULATOR_SPEED_ENV, "40")
    cid, (contact_id,) = make_campaign(store, "Old settings", ["+12125550107"], max_attempts=2)
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.03)
        session.execute(
            update(Campaign).where(Campaign.id == cid).values(retry_delay_min=5_000_000_000)
        )
    code = run_headless(
        home=home,
        db_url=None,
        campaign="Old settings",
        emulator=True,
        cps=20,
        until_done=True,
        as_json=True,
    )
    out = capsys.readouterr()
    assert code == EXIT_OK, out.err
    with store.session() as session:
        contact = session.get(Contact, contact_id)
        assert contact.status == "busy" and contact.next_attempt_at is not None
    assert json.loads(out.out)["next_reason"] == "retry"
