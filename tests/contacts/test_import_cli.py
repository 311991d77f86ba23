"""`calldeck import` through import_command, and once through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.contacts.cli import import_command
from app.settings import set_setting
from app.store.engine import open_store
from app.store.models import Campaign, Contact

ROOT = Path(__file__).resolve().parents[2]


def run(home, file, campaign="Spring", **options):
    args = dict(region=None, phone_column=None, dry_run=False, as_json=True, create=True)
    args.update(options)
    return import_command(home=home, db_url=None, file=file, campaign=campaign, **args)


def campaigns(home):
    store = open_store(home)
    try:
        with store.session() as session:
            return {
                c.name: (
                    c.state,
                    c.region,
                    sorted(
                        session.scalars(select(Contact.phone).where(Contact.campaign_id == c.id))
                    ),
                )
                for c in session.scalars(select(Campaign))
            }
    finally:
        store.dispose()


def test_creates_draft_campaign_and_prints_json(home, write_list, capsys):
    path = write_list("Name,Phone\nAmy,4155550100\nBen,oops\nAmy again,415 555 0100\n")

    assert run(home, path) == 0

    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "rows",
        "valid",
        "duplicates",
        "invalid",
        "suppressed",
        "imported",
        "rejects_file",
    }
    assert (out["rows"], out["valid"], out["invalid"], out["duplicates"], out["imported"]) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert Path(out["rejects_file"]).parent == home / "imports"
    assert campaigns(home) == {"Spring": ("draft", "US", ["+14155550100"])}


def test_dry_run_creates_nothing(home, write_list, capsys):
    path = write_list("phone\n4155550100\n")

    assert run(home, path, dry_run=True) == 0

    out = json.loads(capsys.readouterr().out)
    assert (out["valid"], out["imported"], out["rejects_file"]) == (1, 0, None)
    assert campaigns(home) == {}


def test_region_comes_from_settings_then_flag(home, write_list, capsys):
    store = open_store(home)
    with store.session.begin() as session:
        set_setting(session, "default_region", "GB")
    store.dispose()
    path = write_list("mobile\n07911 123456\n", "uk.csv")

    assert run(home, path, campaign="UK") == 0
    assert run(home, path, campaign="US", region="us") == 0

    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (first["valid"], second["invalid"]) == (1, 1)
    assert campaigns(home)["UK"] == ("draft", "GB", ["+447911123456"])
    assert campaigns(home)["US"][1] == "US"


def test_phone_column_option_and_human_summary(home, write_list, capsys):
    path = write_list("Name;Phone;Backup\nAmy;4155550100;4155550200\n", encoding="cp1252")

    assert run(home, path, phone_column="Backup", as_json=False) == 0

    out = capsys.readouterr().out
    assert "Imported 1 contact from 1 rows" in out
    assert "delimiter semicolon" in out
    assert "Phone column: 'Backup'" in out
    assert campaigns(home)["Spring"][2] == ["+14155550200"]


def test_broken_file_is_one_line_and_creates_no_campaign(home, write_list, capsys):
    path = write_list("name,city\nAmy,Paris\n", "cities.csv")

    assert run(home, path) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "Columns found: name, city" in captured.err
    assert campaigns(home) == {}


def test_subprocess_entry_point(home, write_list):
    good = write_list("phone\n+1 415 555 0100\n", "good.csv")
    broken = write_list("", "empty.csv")
    command = [sys.executable, "-m", "app", "--home", str(home), "import", "--create"]
    command += ["--campaign", "X"]

    ok = subprocess.run([*command, str(good), "--json"], capture_output=True, text=True, cwd=ROOT)
    bad = subprocess.run([*command, str(broken)], capture_output=True, text=True, cwd=ROOT)

    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["imported"] == 1
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert bad.stderr.strip() == "calldeck import: empty.csv is empty (0 rows)"


def test_unknown_region_is_refused(home, write_list, capsys):
    path = write_list("phone\n4155550100\n")

    assert run(home, path, region="XX") == 1

    assert "unknown region 'XX'" in capsys.readouterr().err
    assert campaigns(home) == {}


def test_a_mistyped_campaign_is_not_created_without_create(tmp_path, capsys):
    home = tmp_path / "home"
    path = tmp_path / "list.csv"
    path.write_text("phone\n4155550100\n")
    assert run(home, path, campaign="Spring") == 0

    assert run(home, path, campaign="Sprng", create=False) == 1

    err = capsys.readouterr().err
    assert err == (
        "calldeck import: no campaign named 'Sprng' (there are: Spring); "
        "add --create to make it a new draft campaign\n"
    )
    assert set(campaigns(home)) == {"Spring"}
