"""What CallDeck writes is private (0600 files, 0700 folders) even under umask 000."""

from __future__ import annotations

import stat
import subprocess
import sys

from tests.conftest import REPO


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_reject_report_and_folders_are_private_under_umask_000(tmp_path):
    home = tmp_path / "home"
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("name,phone\nAda,+14155550100\nBad,not a number\n")
    command = [sys.executable, "-m", "app", "--home", str(home), "import", str(contacts)]
    result = subprocess.run(
        [
            "/bin/sh",
            "-c",
            'umask 000 && exec "$@"',
            "sh",
            *command,
            "--create",
            "--campaign",
            "Private",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    written = [p for p in home.rglob("*")]
    files = [p for p in written if p.is_file()]
    folders = [home, *(p for p in written if p.is_dir())]
    assert any(p.name == "calldeck.db" for p in files)
    assert any(p.parent.name == "imports" for p in files)  # the reject report
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert {p.name: mode(p) for p in folders} == {p.name: 0o700 for p in folders}
