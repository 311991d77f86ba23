"""`calldeck campaign create/edit`: real commands on a real SQLite file, one set of checks."""

from __future__ import annotations

import json

import pytest

from app.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def create(capsys, home, name: str, *options: str) -> dict:
    code, out, err = run(
        capsys,
        "campaign",
        "create",
        name,
        "--caller-id",
        "+15005550006",
        *options,
        "--json",
        "--home",
        str(home),
    )
    assert (code, err) == (0, ""), err
    return json.loads(out)


def listed(capsys, home) -> dict[str, dict]:
    code, out, _ = run(capsys, "campaign", "list", "--json", "--home", str(home))
    assert code == 0
    return {c["name"]: c for c in json.loads(out)}


def test_create_takes_the_declared_defaults(home, capsys):
    created = create(capsys, home, "Plain")
    assert created["settings"] == {
        "concurrency": 1,
        "per_minute": 10,
        "max_attempts": 3,
        "retry_delay_min": 30,
        "window_start": "08:00",
        "window_end": "21:00",
        "window_days": "mon,tue,wed,thu,fri,sat",
        "voicemail_mode": "leave_message",
        "voicemail_max_attempts": 3,
        "voicemail_retry_delay_min": 120,
    }
    assert created["region"] == "US"
    assert listed(capsys, home)["Plain"]["settings"] == created["settings"]


def test_create_accepts_a_range_over_the_weekend(home, capsys):
    created = create(capsys, home, "Weekend", "--days", "fri-mon", "--hours", "9:00-17:30")
    settings = listed(capsys, home)["Weekend"]["settings"]
    assert created["settings"] == settings
    assert settings["window_days"] == "mon,fri,sat,sun"
    assert (settings["window_start"], settings["window_end"]) == ("09:00", "17:30")


def test_create_and_edit_say_what_they_did_in_words(home, capsys):
    code, out, _ = run(
        capsys, "campaign", "create", "Words", "--caller-id", "+15005550006", "--home", str(home)
    )
    assert code == 0
    assert out.splitlines() == [
        "created campaign 'Words' (draft)",
        "At most 1 call at once, a new call at most every 6 s. Calls 08:00-21:00 mon-sat, "
        "in each contact's local time; up to 3 attempts per contact, 30 min apart. "
        "Voicemail: leave the agent's voicemail message after the beep.",
    ]
    code, out, _ = run(
        capsys, "campaign", "edit", "Words", "--per-minute", "30", "--home", str(home)
    )
    assert code == 0
    assert out.splitlines()[0] == "updated campaign 'Words' (draft)"
    assert "a new call at most every 2 s." in out.splitlines()[1]


def test_edit_changes_only_the_given_options(home, capsys):
    create(capsys, home, "Spring", "--concurrency", "4", "--days", "mon-fri")
    untouched = create(capsys, home, "Other")
    code, out, err = run(
        capsys,
        "campaign",
        "edit",
        "Spring",
        "--per-minute",
        "30",
        "--hours",
        "10:00-16:00",
        "--days",
        "sat-mon",
        "--max-attempts",
        "5",
        "--retry-after",
        "0",
        "--voicemail",
        "hang_up_retry",
        "--voicemail-retry-after",
        "240",
        "--json",
        "--home",
        str(home),
    )
    assert (code, err) == (0, "")
    edited = json.loads(out)
    assert edited["settings"] == {
        "concurrency": 4,  # not given: kept
        "per_minute": 30,
        "max_attempts": 5,
        "retry_delay_min": 0,
        "window_start": "10:00",
        "window_end": "16:00",
        "window_days": "mon,sat,sun",
        "voicemail_mode": "hang_up_retry",
        "voicemail_max_attempts": 3,  # not given: kept
        "voicemail_retry_delay_min": 240,
    }
    assert edited["caller_id"] == "+15005550006" and edited["state"] == "draft"
    campaigns = listed(capsys, home)
    assert campaigns["Spring"]["settings"] == edited["settings"]
    assert campaigns["Other"]["settings"] == untouched["settings"]


def test_edit_changes_caller_id_region_and_start(home, capsys):
    create(capsys, home, "Move")
    code, out, err = run(
        capsys,
        "campaign",
        "edit",
        "Move",
        "--caller-id",
        "020 7946 0000",
        "--region",
        "gb",
        "--start-at",
        "2099-01-01T09:00+00:00",
        "--json",
        "--home",
        str(home),
    )
    assert (code, err) == (0, "")
    edited = json.loads(out)
    assert (edited["caller_id"], edited["region"]) == ("+442079460000", "GB")
    assert edited["start_at"].startswith("2099-01-01T09:00")
    code, out, _ = run(capsys, "campaign", "start", "Move", "--home", str(home))
    assert code == 0 and "scheduled" in out


def test_edit_sets_and_removes_the_agent(home, capsys, store):
    from app.store.models import Agent

    with store.session.begin() as session:
        session.add(Agent(name="Sunny"))
    create(capsys, home, "Agented")
    code, out, _ = run(
        capsys, "campaign", "edit", "Agented", "--agent", "Sunny", "--json", "--home", str(home)
    )
    assert code == 0 and json.loads(out)["agent"] == "Sunny"
    code, out, _ = run(
        capsys, "campaign", "edit", "Agented", "--agent", "", "--json", "--home", str(home)
    )
    assert code == 0 and json.loads(out)["agent"] is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--concurrency", "0"], "calls at once must be at least 1"),
        (["--concurrency", "5000"], "calls at once must be at most 1000"),
        (["--per-minute", "0"], "calls per minute must be at least 1"),
        (["--max-attempts", "0"], "attempts per contact must be at least 1"),
        (["--retry-after", "-5"], "minutes between attempts must be at least 0"),
        (["--hours", "21:00-08:00"], "--hours '21:00-08:00': Calling hours must start before"),
        (["--hours", "nine-five"], "--hours 'nine-five'"),
        (["--days", "funday"], "--days 'funday'"),
        (["--days", ","], "Pick at least one calling day."),
        (["--agent", "Nobody"], "no agent named 'Nobody'"),
        (["--caller-id", "12"], "caller-ID '12'"),
        (["--start-at", "soon"], "--start-at 'soon'"),
    ],
)
def test_edit_refuses_like_create_in_one_line(home, capsys, options, message):
    before = create(capsys, home, "Strict")
    for action, name in (("edit", "Strict"), ("create", "Strict 2")):
        argv = ["campaign", action, name, *options, "--home", str(home)]
        if action == "create" and "--caller-id" not in options:
            argv += ["--caller-id", "+15005550006"]
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, ""), (action, out)
        assert err.startswith("calldeck: ") and message in err, (action, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    after = listed(capsys, home)
    assert list(after) == ["Strict"] and after["Strict"]["settings"] == before["settings"]


def test_edit_of_an_unknown_campaign_says_so(home, capsys):
    code, out, err = run(
        capsys, "campaign", "edit", "Ghost", "--concurrency", "2", "--home", str(home)
    )
    assert (code, out) == (1, "")
    assert err == "calldeck: no campaign named 'Ghost'\n"


def test_help_shows_the_declared_defaults_for_create_only(capsys):
    from app.domain.campaign_settings import DEFAULTS

    with pytest.raises(SystemExit) as exited:
        main(["campaign", "create", "--help"])
    assert exited.value.code == 0
    create_help = " ".join(capsys.readouterr().out.split())
    assert f"calls at once, 1–1,000 (default {DEFAULTS.concurrency})" in create_help
    assert "minutes between attempts, 0–525,600 (default 30)" in create_help
    # The calling window and the country are the team's (Settings › Defaults).
    assert "calling hours in each contact's local time (default the team's" in create_help
    assert "(default the team's days)" in create_help
    assert "(default the team's country)" in create_help
    with pytest.raises(SystemExit):
        main(["campaign", "edit", "--help"])
    edit_help = capsys.readouterr().out
    assert "--per-minute" in edit_help and "default" not in edit_help.split("-v, --verbose")[1]
    assert "calls at once, 1–1,000" in " ".join(edit_help.split())
