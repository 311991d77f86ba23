"""`calldeck FILE…`: how the desktop's "Open with CallDeck" on a CSV starts the app."""

from pathlib import Path

import pytest

from app.cli import COMMANDS, build_parser
from app.cli_args import split_open_files


def split(*argv: str):
    return split_open_files(list(argv), COMMANDS)


def test_a_contact_file_is_opened_in_the_app_with_the_options_kept():
    rest, files = split("--home", "/data", "contacts.csv", "-v", "more.XLSX")
    assert files == [Path("contacts.csv"), Path("more.XLSX")]
    assert rest == ["--home", "/data", "-v"]
    args = build_parser().parse_args(rest)
    assert args.command is None and args.home == "/data" and args.verbose


def test_any_existing_file_counts_whatever_its_name(tmp_path):
    export = tmp_path / "export-from-crm"
    export.write_text("phone\n+14155550100\n")
    assert split(str(export)) == ([], [export])


def test_a_command_keeps_its_arguments():
    argv = ["import", "contacts.csv", "--campaign", "Spring"]
    assert split(*argv) == (argv, [])
    assert split("--home", "/data", *argv) == (["--home", "/data", *argv], [])


def test_a_mistyped_command_is_still_argparse_s_to_explain(capsys):
    rest, files = split("imprt", "contacts.csv")
    assert files == [Path("contacts.csv")] and rest == ["imprt"]
    with pytest.raises(SystemExit):
        build_parser().parse_args(rest)
    assert "invalid choice: 'imprt'" in capsys.readouterr().err
