import json
import subprocess
import sys

import pytest

from app.cli import main
from app.cli_args import UsageError, parse_days, parse_hours
from tests.results.results_seed import seed_agent_results, seed_campaign

from .conftest import REPO


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_campaign_create_and_list_as_json(home, capsys):
    code, out, _ = run(
        capsys,
        "campaign",
        "create",
        "Spring",
        "--caller-id",
        "+1 415 555 0100",
        "--concurrency",
        "4",
        "--per-minute",
        "30",
        "--hours",
        "09:00-17:30",
        "--days",
        "mon,wed-fri",
        "--json",
        "--home",
        str(home),
    )
    assert code == 0
    created = json.loads(out)
    assert created["caller_id"] == "+14155550100" and created["state"] == "draft"
    code, out, _ = run(capsys, "campaign", "list", "--json", "--home", str(home))
    [listed] = json.loads(out)
    assert (listed["name"], listed["concurrency"], listed["per_minute"]) == ("Spring", 4, 30)
    assert listed["counts"] == {
        s: 0
        for s in [
            "queued",
            "calling",
            "connected",
            "completed",
            "no_answer",
            "busy",
            "failed",
            "voicemail",
        ]
    }


def test_start_and_pause_by_name(home, capsys):
    run(capsys, "campaign", "create", "C", "--caller-id", "+15005550006", "--home", str(home))
    assert (
        run(capsys, "campaign", "start", "C", "--home", str(home))[1].strip()
        == "campaign 'C' is running"
    )
    assert (
        run(capsys, "campaign", "pause", "C", "--home", str(home))[1].strip()
        == "campaign 'C' is paused"
    )


def test_scheduled_start(home, capsys):
    run(
        capsys,
        "campaign",
        "create",
        "Later",
        "--caller-id",
        "+15005550006",
        "--start-at",
        "2099-01-01T09:00",
        "--home",
        str(home),
    )
    code, out, _ = run(capsys, "campaign", "start", "Later", "--home", str(home))
    assert code == 0 and "scheduled" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["campaign", "start", "Nope"], "no campaign named 'Nope'"),
        (["campaign", "create", "X", "--caller-id", "12"], "caller-ID '12'"),
        (
            ["campaign", "create", "X", "--caller-id", "+15005550006", "--hours", "21:00-08:00"],
            "--hours",
        ),
        (["campaign", "create", "X", "--caller-id", "+15005550006", "--days", "funday"], "--days"),
        (
            ["campaign", "create", "X", "--caller-id", "+15005550006", "--start-at", "soon"],
            "--start-at",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr(home, capsys, argv, message):
    code, out, err = run(capsys, *argv, "--home", str(home))
    assert code == 1 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_days_and_hours_parsing():
    assert parse_days("mon-sat") == "mon,tue,wed,thu,fri,sat"
    assert parse_days("mon-sun") == "mon,tue,wed,thu,fri,sat,sun"
    assert parse_days("fri,mon") == "mon,fri"
    # A range may wrap over the weekend, as the calling window itself reads it.
    assert parse_days("sat-mon") == "mon,sat,sun"
    assert parse_days("mon,wed-fri") == "mon,wed,thu,fri"
    assert parse_hours("00:00-24:00") == ("00:00", "24:00")
    assert parse_hours("8:00-21:00") == ("08:00", "21:00")
    for bad_days in ("funday", "mon-funday", "", ","):
        with pytest.raises(UsageError, match="--days"):
            parse_days(bad_days)
    for bad_hours in ("24:30-25:00", "21:00-08:00", "08:00", "8h-9h", "09:00-09:00"):
        with pytest.raises(UsageError, match="--hours"):
            parse_hours(bad_hours)


def test_console_script_reports_errors_without_traceback(home):
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "campaign", "pause", "Ghost", "--home", str(home)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == "calldeck: no campaign named 'Ghost'\n"


def test_stats_json_has_total_calls_and_a_count_per_status(home, capsys):
    run(capsys, "campaign", "create", "S", "--caller-id", "+15005550006", "--home", str(home))
    code, out, _ = run(capsys, "stats", "--campaign", "S", "--json", "--home", str(home))
    stats = json.loads(out)
    assert code == 0 and stats["total_calls"] == 0
    for status in ["calling", "connected", "completed", "no_answer", "busy", "failed"]:
        assert stats[status] == 0 and stats["calls_by_status"][status] == 0


def test_export_to_a_missing_folder_says_so(home, capsys, tmp_path):
    run(capsys, "campaign", "create", "E", "--caller-id", "+15005550006", "--home", str(home))
    code, _, err = run(
        capsys,
        "export",
        "--campaign",
        "E",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "nope" / "x.csv"),
        "--home",
        str(home),
    )
    assert code == 1 and "does not exist" in err and err.count("\n") == 1


def test_run_that_cannot_start_leaves_the_campaign_as_it_was(home, capsys, monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    run(capsys, "campaign", "create", "R", "--caller-id", "+15005550006", "--home", str(home))
    code, _, err = run(capsys, "run", "--campaign", "R", "--home", str(home))
    assert code == 2 and "calldeck run:" in err
    _, out, _ = run(capsys, "campaign", "list", "--json", "--home", str(home))
    assert json.loads(out)[0]["state"] == "draft"


def test_common_options_work_before_and_after_the_command(home, capsys, tmp_path):
    other = tmp_path / "other"
    code, _, _ = run(
        capsys,
        "--home",
        str(other),
        "campaign",
        "create",
        "Elsewhere",
        "--caller-id",
        "+14155550100",
    )
    assert code == 0
    assert (other / "calldeck.db").exists()
    _, listed_there, _ = run(capsys, "campaign", "list", "--json", "--home", str(other))
    _, listed_here, _ = run(capsys, "campaign", "list", "--json")  # $CALLDECK_HOME
    assert [c["name"] for c in json.loads(listed_there)] == ["Elsewhere"]
    assert json.loads(listed_here) == []


def test_calls_json_has_what_the_agent_made_of_each_call(home, store, capsys):
    seeded = seed_campaign(store, home)
    agent_calls = seed_agent_results(store, seeded)
    code, out, _ = run(capsys, "calls", "--campaign", "Spring promo", "--json", "--home", str(home))
    assert code == 0
    records = {r["call_id"]: r for r in json.loads(out)}
    callback = records[agent_calls.callback_call_id]
    assert callback["outcome"] == "callback"
    assert callback["agent_version"] == {"agent": "Clinic reminder", "version": 3}
    assert callback["agent_fields"]["confirmed"] is True
    assert callback["summary"].startswith("The callee asked to be called back.")
    assert callback["suggested_disposition"] == "Call back"
    assert callback["step_path"] == ["greet", "confirm", "offer_callback", "goodbye"]
    assert callback["callback_at"] == "2026-12-08T20:00:00+00:00"
    dnc = records[agent_calls.dnc_call_id]
    assert (dnc["dnc_evidence"], dnc["dnc_offset_s"]) == ("take me off your list", 12.4)
    assert records[agent_calls.old_call_id]["outcome"] is None

    code, out, _ = run(capsys, "calls", "--campaign", "Spring promo", "--home", str(home))
    assert code == 0
    lines = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}
    assert lines["+12025550000"][-1] == "callback"
    assert lines["+12025550012"][-1] == ""
