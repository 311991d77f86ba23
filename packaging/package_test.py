"""`make package-test`: the built package, installed and run as a user would on a clean machine.

Installs dist/calldeck_VERSION_ARCH.deb with dpkg (as root; else, or with --tarball, unpacks
the .tar.gz into an empty folder), then runs the installed `calldeck` with `env -i`, a fresh
HOME, no virtualenv and no checkout on any path, offscreen:

- `calldeck --version` and `calldeck --help`;
- `calldeck demo --smoke-test --screenshot DIR`, and checks its report and its files: every
  page rendered, the database created and migrated, a campaign run to its end on the
  embedded emulator, a recording decoded by QtMultimedia's FFmpeg backend from the bundle;
- start-up to first paint, beside the development start-up (the checkout's .venv) measured
  in the same run: the installed app must be within START_GOAL_RATIO of it.

Prints one JSON object with what it measured; exits 1 when a check fails. A .deb it installed
is removed again at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
INSTALL_DIR = Path("/opt/calldeck")
DEV_CALLDECK = ROOT / ".venv" / "bin" / "calldeck"  # the development start-up, for comparison
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
START_GOAL_RATIO = 1.5
TIMING_RUNS = 2  # each start-up figure is the best of this many runs (the first one cold)
RUN_TIMEOUT_S = 240
# The demo's calls last seconds instead of minutes: the test is about the bundle, not pacing.
EMULATOR_SPEED = "20"


class CheckFailed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def clean_env(home: Path) -> dict[str, str]:
    """What a desktop session gives a program, and nothing of this checkout or its venv."""
    return {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "CALLDECK_EMULATOR_SPEED": EMULATOR_SPEED,
    }


def run(command: list[str], home: Path, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in clean_env(home).items()), *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        **kw,
    )


# -- installing ------------------------------------------------------------------------------
def install_deb(deb: Path) -> Path:
    check(deb.is_file(), f"{deb} is missing: run `make package` first")
    installed = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
    check(installed.returncode == 0, f"dpkg -i {deb.name} failed: {installed.stderr[-2000:]}")
    for path in (Path("/usr/bin/calldeck"), INSTALL_DIR / "calldeck"):
        check(os.access(path, os.X_OK), f"{path} was not installed")
    desktop = Path("/usr/share/applications/calldeck.desktop").read_text()
    for line in ("Exec=calldeck %f", "Icon=calldeck", "MimeType=text/csv;"):
        check(line in desktop.splitlines(), f"calldeck.desktop has no {line!r}")
    icons = Path("/usr/share/icons/hicolor")
    check((icons / "scalable/apps/calldeck.svg").is_file(), "the SVG icon was not installed")
    for size in ICON_SIZES:
        png = icons / f"{size}x{size}/apps/calldeck.png"
        check(png.is_file(), f"the {size}px icon was not installed")
    return Path("/usr/bin/calldeck")


def unpack_tarball(tarball: Path, folder: Path) -> Path:
    check(tarball.is_file(), f"{tarball} is missing: run `make package` first")
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="tar")
    return folder / "CallDeck" / "calldeck"


# -- the checks ------------------------------------------------------------------------------
def check_command_line(calldeck: Path, home: Path, cwd: Path) -> None:
    shown = run([str(calldeck), "--version"], home, cwd)
    check(shown.returncode == 0, f"--version failed: {shown.stderr[-1000:]}")
    check(shown.stdout.strip() == f"calldeck {version()}", f"--version said {shown.stdout!r}")
    helped = run([str(calldeck), "--help"], home, cwd)
    check(helped.returncode == 0, f"--help failed: {helped.stderr[-1000:]}")
    for command in ("demo", "import", "campaign", "run", "emulator"):
        check(command in helped.stdout, f"--help does not list {command!r}")


def smoke_test(calldeck: Path, home: Path, cwd: Path, shots: Path) -> tuple[dict, float]:
    """One `calldeck demo --smoke-test` run: its report, and its start to first paint (s)."""
    shots.mkdir(parents=True)
    started = time.time()
    result = run([str(calldeck), "demo", "--smoke-test", "--screenshot", str(shots)], home, cwd)
    report_file = shots / "smoke-test.json"
    check(report_file.is_file(), f"no smoke-test report; stderr: {result.stderr[-2000:]}")
    report = json.loads(report_file.read_text())
    check(result.returncode == 0 and report.get("passed"), f"smoke test failed: {report}")
    return report, report["first_paint_at"] - started


def check_smoke_report(report: dict, shots: Path, home: Path, bundle: Path) -> None:
    from PySide6.QtGui import QImage

    from app.ui.main_window import PAGES

    check(report["bundled"], "the smoke test did not run from the bundle")
    check(report["version"] == version(), f"the app says version {report['version']}")
    check(list(report["pages"]) == PAGES, f"the pages shown were {list(report['pages'])}")
    for page in report["pages"].values():
        image = QImage(str(shots / page))
        check(image.width() >= 600 and image.height() >= 400, f"{page} is missing or small")
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 23)
        }
        check(len(colours) > 5, f"{page} looks blank")

    from app.store.migrate import packaged_head

    database = Path(report["database"]["url"].removeprefix("sqlite:///"))
    check(database.is_file() and home in database.parents, f"no database in {home}: {database}")
    with sqlite3.connect(database) as db:
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        check(revision == packaged_head(), f"the database is at {revision}, not the head")
        campaign = report["campaign"]
        statuses = db.execute(
            "SELECT calls.status FROM calls JOIN campaigns ON campaigns.id = calls.campaign_id"
            " WHERE campaigns.name = ?",
            (campaign["name"],),
        ).fetchall()
    check(campaign["state"] == "completed", f"the campaign ended {campaign['state']}")
    check(
        len(statuses) == campaign["contacts"] and all(s == ("completed",) for s in statuses),
        f"the campaign's calls are {statuses}",
    )
    recording = report["recording"]
    backend = recording["backend"] or ""
    check(recording["frames"] > 0, "the recording decoded to nothing")
    check(
        backend.startswith(str(bundle)) and "ffmpegmediaplugin" in backend,
        f"the recording was decoded by {backend!r}, not the bundle's FFmpeg backend",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tarball", action="store_true", help="unpack the .tar.gz, even as root")
    options = parser.parse_args()
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    deb = DIST / f"calldeck_{version()}_{arch.stdout.strip() or 'amd64'}.deb"
    tarball = DIST / f"calldeck-{version()}-linux-x86_64.tar.gz"
    use_deb = not options.tarball and os.geteuid() == 0 and shutil.which("dpkg")
    figures: dict = {"installed_from": (deb if use_deb else tarball).name}
    with tempfile.TemporaryDirectory(prefix="calldeck-package-test-") as tmp:
        tmp_path = Path(tmp)
        empty = tmp_path / "cwd"
        empty.mkdir()
        try:
            if use_deb:
                calldeck, bundle = install_deb(deb), INSTALL_DIR
            else:
                calldeck = unpack_tarball(tarball, tmp_path / "unpacked")
                bundle = calldeck.parent
            figures["bundle_mb"] = round(du(bundle) / 2**20, 1)
            figures["deb_mb"] = round(deb.stat().st_size / 2**20, 1) if deb.exists() else None
            check_command_line(calldeck, tmp_path / "home-cli", empty)

            installed_home, dev_home = tmp_path / "home-installed", tmp_path / "home-dev"
            installed, dev = [], []
            for i in range(TIMING_RUNS):  # alternate, so that both see the same machine load
                report, seconds = smoke_test(
                    calldeck, installed_home, empty, tmp_path / f"shots-{i}"
                )
                if i == 0:
                    check_smoke_report(report, tmp_path / "shots-0", installed_home, bundle)
                    figures["smoke_test"] = {
                        k: report[k] for k in ("campaign", "recording", "database")
                    }
                installed.append(seconds)
                _, seconds = smoke_test(DEV_CALLDECK, dev_home, empty, tmp_path / f"dev-shots-{i}")
                dev.append(seconds)
            figures["installed_start_to_first_paint_s"] = round(min(installed), 3)
            figures["dev_start_to_first_paint_s"] = round(min(dev), 3)
            figures["start_ratio"] = round(min(installed) / min(dev), 2)
            figures["start_goal_ratio"] = START_GOAL_RATIO
            check(
                figures["start_ratio"] <= START_GOAL_RATIO,
                f"the installed app starts {figures['start_ratio']}x slower than the checkout",
            )
            figures["passed"] = True
        except (CheckFailed, subprocess.SubprocessError, OSError, KeyError) as exc:
            figures["passed"] = False
            figures["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            if use_deb:
                subprocess.run(["dpkg", "--purge", "calldeck"], capture_output=True)
    print(json.dumps(figures, indent=2, default=str))
    return 0 if figures["passed"] else 1


def du(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink())


if __name__ == "__main__":
    sys.exit(main())
