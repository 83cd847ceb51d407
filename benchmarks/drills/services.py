"""A PostgreSQL and a Redis of the drill's own, in a temporary folder, on ports of their own.

The machine's PostgreSQL (5432) and Redis (6379) serve other people: the drills never touch them.
PostgreSQL refuses to run as root, so when the drill runs as root the server runs as the
`postgres` user (runuser) from a folder it owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> float:
    """Seconds until something accepts connections on `port`."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return time.monotonic() - began
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found: install PostgreSQL's server package")
    return path


class Postgres:
    """initdb into `folder`, then start / stop / restart / kill on `port`."""

    def __init__(self, port: int | None = None) -> None:
        # A folder of its own, outside any private temporary folder of the caller's: the server
        # (as `postgres`, when run as root) must be able to reach it.
        self.home = Path(tempfile.mkdtemp(prefix="consult-drill-pg-"))
        self.folder = self.home / "pgdata"
        self.log = self.home / "postgres.log"
        self.port = port or free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.home, "postgres")
        self._run(
            [
                _pg_bin("initdb"),
                "-D",
                str(self.folder),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/consult"

    def _run(self, command: list[str]) -> None:
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses={HOST} -c fsync=off "
            "-c max_connections=200"
        )
        self._run(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(self.folder),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                action,
                *extra,
            ]
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def create_database(self, name: str = "consult") -> None:
        self._run([_pg_bin("createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", name])

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class Redis:
    """A redis-server without persistence on `port`."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    close = stop
