"""`calldeck demo --smoke-test` is the whole app, for real: emulator, dialer, every page."""

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from app.ui.smoke_test import ON_DEMAND_MODULES

from .conftest import REPO


def test_demo_smoke_test_shows_every_page_and_exits_cleanly(tmp_path):
    shots = tmp_path / "shots"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        CALLDECK_EMULATOR_SPEED="20",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "demo",
            "--smoke-test",
            "--screenshot",
            str(shots),
            "--home",
            str(tmp_path / "home"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names == [
        "01-campaigns.png",
        "02-agents.png",
        "03-phone-numbers.png",
        "04-results.png",
        "05-do-not-call.png",
        "06-settings.png",
    ]
    report = json.loads((shots / "smoke-test.json").read_text())
    assert report["passed"] and not report["bundled"]
    assert report["libraries"] == list(ON_DEMAND_MODULES)
    assert report["pages"] == {
        "Campaigns": "01-campaigns.png",
        "Agents": "02-agents.png",
        "Phone numbers": "03-phone-numbers.png",
        "Results": "04-results.png",
        "Do not call": "05-do-not-call.png",
        "Settings": "06-settings.png",
    }
    campaign = report["campaign"]
    assert campaign["state"] == "completed"
    assert campaign["counts"] == {"completed": campaign["contacts"]} == {"completed": 3}
    assert report["recording"]["file"] in {Path(p).name for p in campaign["recordings"]}
    assert report["recording"]["frames"] > 0
    assert "ffmpegmediaplugin" in report["recording"]["backend"]
    for name in names:
        image = QImage(str(shots / name))
        assert image.width() >= 600 and image.height() >= 400
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 23)
        }
        assert len(colours) > 5, f"{name} looks blank"
    log = (tmp_path / "home" / "logs" / "calldeck.log").read_text()
    assert "Traceback" not in log and "ERROR" not in log
