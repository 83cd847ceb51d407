"""What every drill shares: Consult under gunicorn on a PostgreSQL and a Redis of its own, the
participants of benchmarks/load.py, and the figures printed at the end."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import load  # noqa: E402  (benchmarks/load.py, after the path above)

from drills.services import Postgres, Redis  # noqa: E402

STAFF_EMAIL = "drill@example.org"


@dataclass
class Stack:
    postgres: Postgres
    redis: Redis | None
    env: dict[str, str]
    folder: Path
    servers: list[load.Server] = field(default_factory=list)
    staff_password: str = ""

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    @property
    def logs(self) -> list[Path]:
        return [server.log for server in self.servers]


@contextmanager
def stack(instances: int = 1, workers: int = 2, with_redis: bool = True, staff: bool = False):
    """PostgreSQL (+ Redis) of the drill's own, the schema and demo, `instances` gunicorns."""
    with tempfile.TemporaryDirectory(prefix="consult-drill-") as tmp:
        folder = Path(tmp)
        postgres = Postgres()
        redis_server = Redis(folder) if with_redis else None
        built = None
        try:
            postgres.start()
            postgres.create_database()
            settings = {"CONSULT_SPAM_MIN_SECONDS": "1"}
            if redis_server is not None:
                redis_server.start()
                settings["CONSULT_REDIS_URL"] = redis_server.url
            ports = [load.free_port() for _ in range(instances)]
            env = load.prepare_consult(ROOT, folder, "postgresql", postgres.url, ports[0], settings)
            env["CONSULT_DATABASE_URL"] = postgres.url
            built = Stack(postgres, redis_server, env, folder)
            if staff:
                built.staff_password = secrets.token_urlsafe(24)
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "flask",
                        "--app",
                        "consult",
                        "create-staff",
                        STAFF_EMAIL,
                        "--role",
                        "moderator",
                    ],
                    cwd=ROOT,
                    env={**env, "CONSULT_STAFF_PASSWORD": built.staff_password},
                    check=True,
                    capture_output=True,
                )
            for number, port in enumerate(ports):
                built.servers.append(
                    load.start_server(
                        f"consult-{number + 1}",
                        "consult.wsgi:app",
                        ROOT,
                        env,
                        folder,
                        workers,
                        port,
                        probe="/healthz",
                    )
                )
            print(
                f"{instances} instance(s) x {workers} workers, own PostgreSQL :{postgres.port}"
                + (f", own Redis :{redis_server.port}" if redis_server else "")
                + f"; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            yield built
        except BaseException:
            if built is not None:
                for server in built.servers:
                    sys.stderr.write(f"--- {server.name} log ---\n{load.tail(server.log)}\n")
            raise
        finally:
            if built is not None:
                for server in built.servers:
                    server.stop()
            if redis_server is not None:
                redis_server.stop()
            postgres.close()


def get_status(port: int, path: str) -> int | None:
    """The status of GET `path`, or None when the server does not answer."""
    try:
        status, _headers, _body = load.exchange(
            port,
            f"GET {path} HTTP/1.1\r\nHost: {load.HOST}\r\nConnection: close\r\n\r\n".encode(),
        )
    except (OSError, load.JourneyError):
        return None
    return status


def staff_page(built: Stack, path: str = "/staff/") -> str:
    """Log in as the drill's staff member and return the page at `path`."""
    person = load.Participant(built.ports[0], defaultdict(list))
    person.get("staff login", "/staff/login")
    person.post(
        "staff login", "/staff/login", {"email": STAFF_EMAIL, "password": built.staff_password}
    )
    return person.get("staff page", path)


def print_outcome(built: Stack, result: load.Soak, participants: int) -> bool:
    """Receipts against the database; True when nothing acknowledged was lost and nothing was
    stored half-way."""
    load.print_soak(result, len(built.servers), participants)
    figures = load.submission_figures(built.postgres.url)
    found = load.receipts_all_stored(built.postgres.url, result.receipts)
    unacknowledged = figures["submitted"] - found
    kept = found == len(result.receipts) and figures["half-stored"] == 0
    print(
        f"\nreceipts handed out {len(result.receipts)}; found in the database {found}; "
        f"submissions stored {figures['submitted']} (of which sent without the client getting its "
        f"receipt: {unacknowledged}); drafts left {figures['drafts']}; stored half-way "
        f"{figures['half-stored']}: " + ("NOTHING LOST" if kept else "LOST OR HALF-STORED")
    )
    unhandled = [
        line
        for log in built.logs
        for line in load.tail_all(log).splitlines()
        if "Unhandled" in line or "Traceback" in line
    ]
    print(f"server log: {len(unhandled)} unhandled error(s)")
    for line in unhandled[:5]:
        print(f"  {line[:200]}")
    if unhandled and os.environ.get("DRILL_SHOW_TRACEBACK"):
        text = "\n".join(load.tail_all(log) for log in built.logs)
        start = text.index(unhandled[0])
        print(text[start : start + 4000])
    return kept
