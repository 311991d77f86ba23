"""A private, throwaway PostgreSQL cluster for the tests, and a fresh database per test.

The cluster lives in a temporary folder owned by the `postgres` user when we are root (CI
is: postgres refuses to run as root), listens on 127.0.0.1 at a free port and on a unix
socket in that folder, with fsync off, and is stopped at the end of the session. Passwords
are checked over TCP (scram), so a wrong one fails as it would against a real server.
No server binaries is a failure that says what to do, never a skip.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "postgres"
PASSWORD = "calldeck-test"
_counter = itertools.count(1)


def server_bin() -> Path | None:
    """The folder holding initdb/pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int
    as_postgres: list[str]  # the prefix that runs a server binary as its owner

    def url(self, database: str, user: str = SUPERUSER, password: str = PASSWORD) -> str:
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement as the superuser over the unix socket; returns psql's output."""
        done = subprocess.run(
            [
                *self.as_postgres,
                str(self.bin / "psql"),
                "-h",
                str(self.folder),
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtc",
                statement,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def new_database(self) -> str:
        name = f"calldeck_{os.getpid()}_{next(_counter)}"
        self.sql(f"CREATE DATABASE {name}")
        return name

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("-m", "immediate", "stop")


def start_cluster() -> Cluster:
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) are missing: run `make setup`, "
            "which installs Debian's postgresql package",
            pytrace=False,
        )
    folder = Path(tempfile.mkdtemp(prefix="calldeck-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, SUPERUSER, SUPERUSER)
        as_postgres = ["runuser", "-u", SUPERUSER, "--"]
    password_file = folder / "pw"
    password_file.write_text(PASSWORD + "\n")
    if as_postgres:
        shutil.chown(password_file, SUPERUSER, SUPERUSER)
    subprocess.run(
        [
            *as_postgres,
            str(bin_dir / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            SUPERUSER,
            f"--pwfile={password_file}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
    )
    cluster = Cluster(bin_dir, folder, _free_port(), as_postgres)
    options = (
        f"-p {cluster.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    cluster._pg_ctl("-o", options, "-l", str(folder / "server.log"), "-w", "start")
    return cluster


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster, monkeypatch) -> str:
    """A fresh, empty database on the test cluster (its URL); CALLDECK_DB is not set."""
    monkeypatch.delenv("CALLDECK_DB", raising=False)
    return pg_cluster.url(pg_cluster.new_database())
