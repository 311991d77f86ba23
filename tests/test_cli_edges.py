"""The `calldeck` command's edges: its version, and numbers it refuses at the door."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

from app.cli import main
from tests.conftest import REPO


def test_version_comes_from_the_package_metadata():
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"calldeck {version('calldeck')}"


@pytest.mark.parametrize("speed", ["nan", "inf", "-1", "0", "fast"])
def test_the_emulator_refuses_a_speed_that_is_not_a_positive_number(speed, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--speed", speed])
    assert exited.value.code == 2
    assert "--speed" in capsys.readouterr().err
