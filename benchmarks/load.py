"""Participant pages under load: Consult under gunicorn next to a bare Flask app, same run.

Run from the repository root (everything listens on 127.0.0.1 only, and stops by itself):

    .venv/bin/python benchmarks/load.py                      # SQLite and PostgreSQL, N = 16 and 100
    .venv/bin/python benchmarks/load.py --databases sqlite --concurrency 16 --rounds 3
    .venv/bin/python benchmarks/load.py --root /tmp/consult-before   # another copy of the code

For each database (a fresh SQLite file with `flask db upgrade` + `flask load-demo`, or the
PostgreSQL database of `--postgres-url`, dropped and created first) it starts three gunicorn
servers with the repository's gunicorn.conf.py (2 sync workers, preload): the bare reference app of
benchmarks/reference_app.py, the stack floor of benchmarks/stack_floor_app.py (the same page plus a
session, a form token, gettext and one SELECT on the database under test: the least any Consult
page costs on this stack) and Consult (`consult.wsgi:app`). Then, for each N in `--concurrency`
and each round, N client threads (standard-library sockets, a cookie jar per simulated participant,
the CSRF token read from each form, a new connection per request as the sync workers close each
one) run, one after the other:

- reference GET /, and reference POST /notes (an INSERT): `--requests` requests each;
- stack floor GET / (with a session), and its page and form in turn (token checked, an INSERT,
  a redirect): `--requests` requests each;
- Consult GET /en/ (home) and GET of a recommendation page with a draft (each participant agrees
  first, untimed, then loads /q/2 again and again): `--requests` requests each;
- `--journeys` complete participant journeys: home, intro, consent, for each recommendation the
  page and its form (text in one of eight languages, or a stance only), about you (nothing
  said), review, send, thank-you page, whose receipt code is kept.

It prints, per database and N, each figure's min / median / max over the rounds and its ratio to
the reference measured in the same round (GET pages to the reference GET, journey requests per
second to the reference INSERTs per second) and to the stack floor, the latency of each step
(p50 / p95 / p99), the
errors, and finally checks that the database holds as many submissions as receipts were handed
out. The rate limits are relaxed for the run (CONSULT_*_RATE_LIMIT set very high): with them,
every participant behind 127.0.0.1 would be one client address.

The SQLite files (Consult's and the reference app's) go to /dev/shm by default (`--folder`): the
reference app opens SQLite with its defaults (a rollback journal, an fsync at every INSERT), Consult
in WAL mode with synchronous=NORMAL (no fsync at commit), so on a disk the reference INSERT measures
the disk's fsync, not the code. The client runs on the same machine and its CPU time per request is
printed: on 2 cores it takes a share from the servers, the same share in both columns.

Figures go to docs/benchmarks.md, "Participant pages under load".
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The one way the benchmarks make a PostgreSQL database anew (it refuses the test suite's, the
# app's and other hosts').
from benchmarks.databases import fresh_postgres  # noqa: E402

SLUG = "leave-no-migrant-behind"
HOST = "127.0.0.1"
START_TIMEOUT_S = 60
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REQUEST_TIMEOUT_S = 60
RELAXED_LIMIT = "1000000 per minute"
# Answers in eight languages; every third recommendation gets a stance only.
ANSWERS = [
    "We need lawyers who speak our language, otherwise we sign papers we do not understand.",
    "نحتاج إلى محامين يتكلمون لغتنا، وإلا نوقع أوراقاً لا نفهمها.",
    "ما به وکیل رایگان نیاز داریم، چون پول نداریم و قانون را نمی‌فهمیم.",
    "Нам нужен бесплатный адвокат, потому что у нас нет денег.",
    "ጠበቓ ብነጻ ክወሃበና ኣለዎ፣ ምኽንያቱ ገንዘብ የብልናን።",
    "Tunahitaji wakili wa bure kwa sababu hatuna pesa.",
    "Nou bezwen yon avoka gratis paske nou pa gen lajan.",
    "Ücretsiz avukat lazım çünkü paramız yok ve yasaları anlamıyoruz.",
]
STANCES = ["agree", "partly", "disagree", "not_sure"]
# Sent as every simulated participant's User-Agent: the privacy check looks for it afterwards in
# the database, the logs and Redis (benchmarks/privacy_check.py).
UA_CANARY = "consult-load/1.0 UA-canary-7731"
# Clients connect from this loopback address, which no server binds to (they bind 127.0.0.1), so
# any trace of it in a log or a table is a client's address (benchmarks/privacy_check.py).
CLIENT_ADDRESS = "127.0.0.2"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The signed "form shown at" stamp of the spam defences, sent back like any hidden field.
_STAMP = re.compile(r'name="form_shown"[^>]*value="([^"]+)"')
_RECEIPT = re.compile(r'class="receipt-code"[^>]*>([^<]+)<')
_QUESTION = re.compile(r"/q/(\d+)$")


class JourneyError(Exception):
    """A response that a participant's browser would not have expected."""


# --- one simulated participant ---------------------------------------------------------------


def exchange(port: int, request: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request on a new connection, read to the end: gunicorn's sync workers close every
    connection after the response. Plain sockets rather than http.client, whose header parsing
    costs the client (which shares the machine's 2 cores with the servers) about twice the CPU."""
    with socket.create_connection(
        (HOST, port), timeout=REQUEST_TIMEOUT_S, source_address=(CLIENT_ADDRESS, 0)
    ) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    head, _sep, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise JourneyError(f"not an HTTP response: {status_line[:80]!r}")
    headers = [
        (name.strip().lower(), value.strip())
        for name, _c, value in (line.partition(":") for line in lines)
    ]
    if ("transfer-encoding", "chunked") in headers:
        body = unchunk(body)
    return int(parts[1]), headers, body


def unchunk(body: bytes) -> bytes:
    out, rest = [], body
    while rest:
        size_line, _sep, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


class Participant:
    """One browser: its own cookies and the page it is on; a new connection per request."""

    def __init__(
        self, port: int, timings: dict[str, list[float]], ports: list[int] | None = None
    ) -> None:
        self.port = port
        # Several app instances (--instances): each request goes to the next one in turn.
        self.ports = ports or [port]
        self.cookies: dict[str, str] = {}
        self.timings = timings
        self.requests = 0
        self.body = ""

    def _request(
        self, step: str, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str | None]:
        port = self.ports[self.requests % len(self.ports)]
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{port}",
            "Connection: close",
            "Accept-Language: en",
            f"User-Agent: {UA_CANARY}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        began = time.perf_counter()
        status, headers, data = exchange(port, request)
        self.timings[step].append(time.perf_counter() - began)
        self.requests += 1
        location = None
        for name, value in headers:
            if name == "location":
                location = value
            elif name == "set-cookie":
                pair, _sep, attributes = value.partition(";")
                cookie, _eq, content = pair.strip().partition("=")
                if "max-age=0" in attributes.lower().replace(" ", ""):
                    self.cookies.pop(cookie, None)
                else:
                    self.cookies[cookie] = content
        self.body = data.decode("utf-8", "replace")
        return status, location

    def get(self, step: str, path: str, expect: int = 200) -> str:
        status, _location = self._request(step, "GET", path)
        if status != expect:
            raise JourneyError(f"GET {path}: {status}")
        return self.body

    def post(self, step: str, path: str, form: dict[str, str]) -> str:
        """Send the form of the page just loaded; returns where the answer redirects to."""
        token = _CSRF.search(self.body)
        if token is None:
            raise JourneyError(f"no form token before POST {path}")
        fields = {"csrf_token": token.group(1)}
        stamp = _STAMP.search(self.body)
        if stamp is not None:
            fields["form_shown"] = stamp.group(1)
        status, location = self._request(step, "POST", path, {**fields, **form})
        if status != 302 or not location:
            raise JourneyError(f"POST {path}: {status}")
        return urllib.parse.urlsplit(location).path


def agree(person: Participant, pause: float = 0.0) -> str:
    """Consent; `pause`: seconds spent reading first (the spam defences' minimum time)."""
    intro = f"/en/c/{SLUG}/"
    person.get("intro", intro)
    time.sleep(pause)
    where = person.post("consent", intro, {"carry_position": "", "carry_stance": "", "agree": "y"})
    if not where.endswith("/q/1"):
        raise JourneyError(f"consent led to {where}")
    return where


def journey(person: Participant, number: int, pause: float = 0.0) -> str:
    """One participant from the home page to the receipt code; returns the code. `pause`: seconds
    spent reading the consent and the review page (see CONSULT_SPAM_MIN_SECONDS)."""
    person.get("home", "/en/")
    where = agree(person, pause)
    answered = 0
    while (found := _QUESTION.search(where)) is not None:
        position = int(found.group(1))
        person.get("question GET", where)
        if position % 3 == 0:
            form = {"stance": STANCES[(number + position) % 4], "text": "", "action": "next"}
        else:
            text = ANSWERS[(number + position) % len(ANSWERS)]
            form = {"stance": STANCES[(number + position) % 4], "text": text, "action": "next"}
        where = person.post("question POST", where, form)
        answered += 1
        if answered > 100:
            raise JourneyError("questions do not end")
    if not where.endswith("/about"):
        raise JourneyError(f"last question led to {where}")
    person.get("about GET", where)
    where = person.post("about POST", where, {"action": "next"})
    if not where.endswith("/review"):
        raise JourneyError(f"about led to {where}")
    person.get("review GET", where)
    time.sleep(pause)
    where = person.post("submit", where, {})
    if not where.endswith("/thanks"):
        raise JourneyError(f"sending led to {where}")
    page = person.get("thanks", where)
    code = _RECEIPT.search(page)
    if code is None:
        raise JourneyError("no receipt code on the thank-you page")
    return code.group(1).strip()


# --- running N participants at once ------------------------------------------------------------


@dataclass
class Phase:
    """What one phase measured: wall time, requests, latencies per step, errors, receipts."""

    seconds: float = 0.0
    client_cpu_s: float = 0.0  # CPU time of this client process during the phase
    server_cpu_s: float = 0.0  # CPU time of the server's gunicorn processes during the phase
    requests: int = 0
    done: int = 0  # journeys completed, or requests for the single-page phases
    errors: list[str] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    receipts: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def done_per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    @property
    def server_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / self.requests if self.requests else float("nan")

    def add(self, other: Phase) -> None:
        self.seconds += other.seconds
        self.client_cpu_s += other.client_cpu_s
        self.server_cpu_s += other.server_cpu_s
        self.requests += other.requests
        self.done += other.done
        self.errors += other.errors
        self.receipts += other.receipts
        for step, values in other.timings.items():
            self.timings[step].extend(values)


def run_threads(
    concurrency: int,
    units: int,
    work: Callable[[Participant, int], str | None],
    server: Server,
    prepare: Callable[[Participant], object] | None = None,
) -> Phase:
    """`units` calls of `work`, spread over `concurrency` participants running at once."""
    phase = Phase()
    port = server.port
    lock = threading.Lock()
    next_unit = iter(range(units))
    ready = threading.Barrier(concurrency + 1)

    def participant() -> None:
        timings: dict[str, list[float]] = defaultdict(list)
        person = Participant(port, timings)
        untimed: dict[str, list[float]] = defaultdict(list)
        try:
            if prepare is not None:
                person.timings = untimed
                prepare(person)
                person.timings = timings
                person.requests = 0
        except Exception as problem:  # counted, never raised in a thread
            with lock:
                phase.errors.append(f"preparing: {problem!r}")
        ready.wait()
        while True:
            with lock:
                unit = next(next_unit, None)
            if unit is None:
                break
            try:
                result = work(person, unit)
            except Exception as problem:
                with lock:
                    phase.errors.append(repr(problem))
                # A participant whose journey broke starts again as a new one.
                person = Participant(port, timings)
                continue
            with lock:
                phase.done += 1
                if isinstance(result, str):
                    phase.receipts.append(result)
        with lock:
            phase.requests += person.requests
            for step, values in timings.items():
                phase.timings[step].extend(values)

    threads = [threading.Thread(target=participant) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    began, began_cpu, server_cpu = time.perf_counter(), time.process_time(), server.cpu_s()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    phase.client_cpu_s = time.process_time() - began_cpu
    phase.server_cpu_s = server.cpu_s() - server_cpu
    return phase


def page_loads(step: str, path: str) -> Callable[[Participant, int], None]:
    def work(person: Participant, _unit: int) -> None:
        person.get(step, path)

    return work


def insert_note(person: Participant, unit: int) -> None:
    status, _location = person._request("insert", "POST", "/notes", {"text": f"Note {unit}."})
    if status != 201:
        raise JourneyError(f"POST /notes: {status}")


def open_floor_page(person: Participant) -> None:
    """The stack-floor app's page once, untimed: it gives the session cookie."""
    person.get("page", "/")


def floor_step(person: Participant, unit: int) -> None:
    """What each question of a journey does, on the stack-floor app: load the page, send its
    form (token checked, one INSERT), follow the redirect's target on the next step."""
    person.get("page", "/")
    person.post("send", "/notes", {"text": ANSWERS[unit % len(ANSWERS)]})


# --- servers -----------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # The command name is in parentheses and may hold spaces: split after it.
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def clean_environment() -> dict[str, str]:
    """This shell's environment without the developer's Consult settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONSULT_", "GUNICORN_", "FLASK_", "WEB_CONCURRENCY"))
        and name not in ("SECRET_KEY", "DATABASE_URL")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def cpu_s(self) -> float:
        """User + system CPU time of the master and its live workers so far (each worker's own
        counter, so the figures stay right while the workers live)."""
        total = 0.0
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    name: str,
    app: str,
    root: Path,
    env: dict[str, str],
    folder: Path,
    workers: int,
    port: int,
    probe: str = "/",
) -> Server:
    """gunicorn with `root`'s gunicorn.conf.py, serving `app` on 127.0.0.1:`port`; returns once
    `probe` answers."""
    log = folder / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", "--config", str(root / "gunicorn.conf.py")]
    command += ["--bind", f"{HOST}:{port}", "--workers", str(workers)]
    command += ["--error-logfile", str(log), app]
    # The app's own warnings (Python's last-resort handler writes them to standard error) go to
    # the same file as gunicorn's: the spam counts and the privacy check read it.
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name}: gunicorn exited with {process.returncode}\n{tail(log)}")
        try:
            exchange(
                port, f"GET {probe} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
            )
            return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"{name}: no answer on port {port} within {START_TIMEOUT_S} s")


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def prepare_consult(
    root: Path,
    folder: Path,
    database: str,
    postgres_url: str,
    port: int,
    settings: dict[str, str] | None = None,
) -> dict[str, str]:
    env = clean_environment()
    instance = folder / f"instance-{database}"
    instance.mkdir(exist_ok=True)
    env.update(
        CONSULT_INSTANCE_PATH=str(instance),
        CONSULT_SECRET_KEY=secrets.token_urlsafe(48),
        CONSULT_EXTERNAL_URL=f"http://{HOST}:{port}",
        # Plain http on the loopback address, where a Secure cookie would not come back.
        CONSULT_SECURE_COOKIES="0",
        # Every simulated participant comes from 127.0.0.1: one address, one counter.
        CONSULT_RECEIPT_RATE_LIMIT=RELAXED_LIMIT,
        CONSULT_RECEIPT_ADDRESS_RATE_LIMIT=RELAXED_LIMIT,
        CONSULT_LOGIN_RATE_LIMIT=RELAXED_LIMIT,
        # The journeys here send each form at once; the soak (--soak) reads for a while instead.
        CONSULT_SPAM_MIN_SECONDS="0",
    )
    env.update(settings or {})
    if database == "postgresql":
        fresh_postgres(postgres_url)
        env["CONSULT_DATABASE_URL"] = postgres_url
    else:
        env["CONSULT_DATABASE_URL"] = f"sqlite:///{instance / 'consult.sqlite3'}"
    for step in (["db", "upgrade"], ["load-demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "consult", *step],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def stored_submissions(database_url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT count(*) FROM submission WHERE state = 'submitted'")
            ).scalar_one()
    finally:
        engine.dispose()


# --- one round ---------------------------------------------------------------------------------


PHASES = (
    "reference GET",
    "floor GET",
    "home GET",
    "question GET",
    "reference INSERT",
    "floor steps",
    "journeys",
)


def measure_round(
    reference: Server, floor: Server, consult: Server, concurrency: int, args
) -> dict[str, Phase]:
    """One round: each phase cut into `args.slices` slices, the phases taking turns slice by
    slice, so that a busy moment of a shared machine weighs on Consult and the reference alike."""
    question = f"/en/c/{SLUG}/q/2"
    phases: dict[str, Phase] = {name: Phase() for name in PHASES}
    requests = max(concurrency, args.requests // args.slices)
    journeys = max(1, args.journeys // args.slices)
    for _slice in range(args.slices):
        slices = {
            "reference GET": lambda: run_threads(
                concurrency, requests, page_loads("page", "/"), reference
            ),
            "floor GET": lambda: run_threads(
                concurrency, requests, page_loads("page", "/"), floor, open_floor_page
            ),
            "home GET": lambda: run_threads(
                concurrency, requests, page_loads("home", "/en/"), consult
            ),
            "question GET": lambda: run_threads(
                concurrency, requests, page_loads("question GET", question), consult, agree
            ),
            "reference INSERT": lambda: run_threads(concurrency, requests, insert_note, reference),
            "floor steps": lambda: run_threads(concurrency, requests // 2, floor_step, floor),
            "journeys": lambda: run_threads(concurrency, journeys, journey, consult),
        }
        for name, run in slices.items():
            phases[name].add(run())
    return phases


def warm_up(reference: Server, floor: Server, consult: Server, workers: int) -> None:
    """A few requests of every kind on each worker, so no round pays for first-use loading."""
    for phase in (
        run_threads(workers * 2, workers * 4, journey, consult),
        run_threads(workers * 2, workers * 20, page_loads("page", "/"), reference),
        run_threads(workers * 2, workers * 20, insert_note, reference),
        run_threads(workers * 2, workers * 10, floor_step, floor),
    ):
        if phase.errors:
            raise RuntimeError(f"warm-up failed: {phase.errors[:3]}")


# --- report ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def spread(values: list[float], fmt: str) -> str:
    if not values:
        return "-"
    low, mid, high = min(values), statistics.median(values), max(values)
    return " / ".join(fmt.format(x) for x in (low, mid, high))


def report(database: str, concurrency: int, rounds: list[dict[str, Phase]]) -> None:
    print(f"\n### {database}, {concurrency} participants at once, {len(rounds)} rounds")
    print(
        "min / median / max over the rounds; ratio = Consult / reference in the same round "
        "(for CPU: reference / Consult, so that above 1 is cheaper); the stack floor is "
        "benchmarks/stack_floor_app.py, the bare page plus a session, a form token, gettext and "
        "one SELECT on this database\n"
    )
    print("| figure | value | ratio to reference | ratio to stack floor |")
    print("|---|---|---|---|")

    def row(
        label: str,
        values: list[float],
        ratios: list[float] | None,
        fmt: str,
        floor_ratios: list[float] | None = None,
    ) -> None:
        ratio = spread(ratios, "{:.2f}") if ratios else ""
        floor = spread(floor_ratios, "{:.2f}") if floor_ratios else ""
        print(f"| {label} | {spread(values, fmt)} | {ratio} | {floor} |")

    def ratios_of(values: list[float], name: str | None, cpu: bool) -> list[float] | None:
        if name is None:
            return None
        if cpu:
            refs = [r[name].server_ms_per_request for r in rounds]
            return [ref / v for v, ref in zip(values, refs, strict=True)]
        refs = [r[name].per_second for r in rounds]
        return [v / ref for v, ref in zip(values, refs, strict=True)]

    def figure(name: str, reference: str | None, label: str, floor: str | None, cpu: bool) -> None:
        if cpu:
            values = [r[name].server_ms_per_request for r in rounds]
        else:
            values = [r[name].per_second for r in rounds]
        fmt = "{:.2f}" if cpu else "{:.0f}"
        row(label, values, ratios_of(values, reference, cpu), fmt, ratios_of(values, floor, cpu))

    def compared(name: str, reference: str, label: str, floor: str | None = None) -> None:
        figure(name, reference, label, floor, cpu=False)

    def cpu(name: str, reference: str | None, label: str, floor: str | None = None) -> None:
        figure(name, reference, label, floor, cpu=True)

    row("reference GET / (req/s)", [r["reference GET"].per_second for r in rounds], None, "{:.0f}")
    row(
        "reference POST /notes, INSERT (req/s)",
        [r["reference INSERT"].per_second for r in rounds],
        None,
        "{:.0f}",
    )
    compared("floor GET", "reference GET", "stack floor GET / (req/s)")
    compared("floor steps", "reference INSERT", "stack floor GET + POST requests (req/s)")
    compared("home GET", "reference GET", "GET /en/ (req/s)", "floor GET")
    compared("question GET", "reference GET", "GET /q/2 with a draft (req/s)", "floor GET")
    compared("journeys", "reference INSERT", "journey requests (req/s)", "floor steps")
    cpu("reference GET", None, "server CPU per reference GET (ms)")
    cpu("reference INSERT", None, "server CPU per reference INSERT (ms)")
    cpu("floor GET", "reference GET", "server CPU per stack floor GET (ms)")
    cpu("floor steps", "reference INSERT", "server CPU per stack floor request (ms)")
    cpu("home GET", "reference GET", "server CPU per GET /en/ (ms)", "floor GET")
    cpu("question GET", "reference GET", "server CPU per GET /q/2 (ms)", "floor GET")
    cpu("journeys", "reference INSERT", "server CPU per journey request (ms)", "floor steps")
    row("journeys per second", [r["journeys"].done_per_second for r in rounds], None, "{:.1f}")
    per_journey = [r["journeys"].requests / max(1, r["journeys"].done) for r in rounds]
    row("requests per journey", per_journey, None, "{:.0f}")
    client_ms = [
        1000 * sum(p.client_cpu_s for p in r.values()) / sum(p.requests for p in r.values())
        for r in rounds
    ]
    row("client CPU per request (ms)", client_ms, None, "{:.2f}")
    errors = sum(len(phase.errors) for r in rounds for phase in r.values())
    print(f"| errors (all phases) | {errors} | | |")

    print("\nLatency per step, ms: median over the rounds of each round's p50 / p95 / p99")
    print("| step | p50 | p95 | p99 | requests |")
    print("|---|---|---|---|---|")
    steps: dict[str, list[list[float]]] = defaultdict(list)
    for r in rounds:
        for phase_name, phase in r.items():
            for step, values in phase.timings.items():
                label = step if phase_name == "journeys" else f"{phase_name}: {step}"
                steps[label].append(values)
    for label, per_round in steps.items():
        cells = [
            f"{statistics.median(percentile(v, q) * 1000 for v in per_round if v):.1f}"
            for q in (0.50, 0.95, 0.99)
        ]
        print(f"| {label} | {' | '.join(cells)} | {sum(len(v) for v in per_round)} |")
    shown = [e for r in rounds for phase in r.values() for e in phase.errors][:5]
    for error in shown:
        print(f"error: {error}")


# --- soak: a bounded time under load, spam, several instances (--soak) ---------------------------

BOT_KINDS = ("honeypot on consent", "too-fast on consent", "honeypot on send")


def bot_attempt(person: Participant, kind: str, pause: float) -> None:
    """One scripted attempt the spam defences should stop; raises JourneyError if the reply is
    not the neutral one."""
    intro = f"/en/c/{SLUG}/"
    if kind == "honeypot on consent":
        person.get("bot intro", intro)
        time.sleep(pause)
        where = person.post("bot consent", intro, {"agree": "y", "website": "http://spam.example"})
        if not where.endswith("/q/1"):
            raise JourneyError(f"honeypot consent led to {where}")
    elif kind == "too-fast on consent":
        person.get("bot intro", intro)
        token = _CSRF.search(person.body)
        status, _ = person._request(
            "bot consent",
            "POST",
            intro,
            {"csrf_token": token.group(1) if token else "", "agree": "y"},
        )
        if status != 200:
            raise JourneyError(f"too-fast consent: {status}")
    else:
        agree(person, pause)
        review = f"/en/c/{SLUG}/review"
        person.get("bot review", review)
        time.sleep(pause)
        where = person.post("bot send", review, {"website": "buy now"})
        if not where.endswith("/thanks"):
            raise JourneyError(f"honeypot send led to {where}")


def count_log_lines(logs: list[Path], needle: str) -> int:
    return sum(tail_all(log).count(needle) for log in logs)


def tail_all(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


@dataclass
class Soak:
    """What a soak measured."""

    seconds: float = 0.0
    journeys: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    error_times: list[float] = field(default_factory=list)  # seconds from the start
    receipts: list[str] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    bot_attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    bot_errors: list[str] = field(default_factory=list)


def run_soak(
    ports: list[int],
    participants: int,
    seconds: float,
    pause: float,
    bots: int = 0,
    during: Callable[[float], None] | None = None,
    retry: bool = False,
) -> Soak:
    """`participants` people doing journeys (each request to the next instance in turn) until
    `seconds` have passed (a journey under way is finished), `bots` scripted spammers beside them;
    `during(elapsed)` is called about every 0.2 s meanwhile (the drills break things there).
    With `retry`, a journey that failed is tried again by the same person from the start."""
    result = Soak()
    lock = threading.Lock()
    began = time.monotonic()
    deadline = began + seconds

    def person_loop(number: int) -> None:
        timings: dict[str, list[float]] = defaultdict(list)
        person = Participant(
            ports[0], timings, ports[number % len(ports) :] + ports[: number % len(ports)]
        )
        unit = number
        while time.monotonic() < deadline:
            try:
                code = journey(person, unit, pause)
            except Exception as problem:
                with lock:
                    result.errors.append(repr(problem)[:200])
                    result.error_times.append(time.monotonic() - began)
                time.sleep(0.2)
            else:
                with lock:
                    result.journeys += 1
                    result.receipts.append(code)
            with lock:
                result.requests += person.requests
            person = Participant(ports[0], timings, person.ports)
            unit += participants
        with lock:
            for step, values in timings.items():
                result.timings[step].extend(values)

    def bot_loop(number: int) -> None:
        attempt = number
        while time.monotonic() < deadline:
            kind = BOT_KINDS[attempt % len(BOT_KINDS)]
            person = Participant(
                ports[0],
                defaultdict(list),
                ports[attempt % len(ports) :] + ports[: attempt % len(ports)],
            )
            try:
                bot_attempt(person, kind, pause)
            except Exception as problem:
                with lock:
                    result.bot_errors.append(f"{kind}: {problem!r}"[:200])
            else:
                with lock:
                    result.bot_attempts[kind] += 1
            attempt += 1
            time.sleep(0.5)

    threads = [threading.Thread(target=person_loop, args=(n,)) for n in range(participants)]
    threads += [threading.Thread(target=bot_loop, args=(n,)) for n in range(bots)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        if during is not None:
            during(time.monotonic() - began)
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    return result


def rate_limit_across(ports: list[int], code: str, tries: int) -> dict[int, int]:
    """Look the same receipt code up `tries` times, each try on the next instance: the statuses
    counted (200 found, 429 refused by the per-code limit)."""
    statuses: dict[int, int] = defaultdict(int)
    for number in range(tries):
        person = Participant(ports[0], defaultdict(list), [ports[number % len(ports)]])
        person.get("receipt form", "/en/r/")
        token = _CSRF.search(person.body)
        status, _ = person._request(
            "receipt look-up",
            "POST",
            "/en/r/",
            {"csrf_token": token.group(1) if token else "", "code": code},
        )
        statuses[status] += 1
    return dict(statuses)


def submission_figures(database_url: str) -> dict[str, int]:
    """Stored submissions by state, and any stored half-way (a sent one without its receipt or
    date, a draft without its token, an answer without its submission)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = dict(
                connection.execute(
                    sa.text("SELECT state, count(*) FROM submission GROUP BY state")
                ).all()
            )
            half = connection.execute(
                sa.text(
                    "SELECT count(*) FROM submission WHERE (state = 'submitted' AND "
                    "(receipt_hash IS NULL OR submitted_on IS NULL OR draft_token IS NOT NULL)) "
                    "OR (state = 'draft' AND draft_token IS NULL)"
                )
            ).scalar_one()
            orphans = connection.execute(
                sa.text(
                    "SELECT count(*) FROM response r LEFT JOIN submission s "
                    "ON s.id = r.submission_id WHERE s.id IS NULL"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return {
        "submitted": rows.get("submitted", 0),
        "drafts": rows.get("draft", 0),
        "half-stored": half + orphans,
    }


def receipts_all_stored(database_url: str, receipts: list[str]) -> int:
    """How many of the receipt codes handed out have their submission in the database."""
    import sqlalchemy as sa

    from consult.participation.receipts import normalise_receipt_code, receipt_hash

    hashes = [receipt_hash(normalise_receipt_code(code) or code) for code in receipts]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = set(
                connection.execute(
                    sa.text("SELECT receipt_hash FROM submission WHERE state = 'submitted'")
                ).scalars()
            )
    finally:
        engine.dispose()
    return sum(1 for h in hashes if h in stored)


def print_soak(result: Soak, instances: int, participants: int) -> None:
    print(
        f"\n{participants} participants on {instances} instance(s) for {result.seconds:.0f} s: "
        f"{result.journeys} journeys sent ({result.journeys / result.seconds:.1f}/s), "
        f"{result.requests} requests ({result.requests / result.seconds:.0f}/s), "
        f"{len(result.errors)} errors"
    )
    print("| step | p50 ms | p95 ms | p99 ms | requests |")
    print("|---|---|---|---|---|")
    for step, values in result.timings.items():
        cells = " | ".join(f"{percentile(values, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99))
        print(f"| {step} | {cells} | {len(values)} |")
    for error in result.errors[:5]:
        print(f"error: {error}")


def soak(args: argparse.Namespace, root: Path) -> None:
    """--soak: Consult on its own PostgreSQL and Redis, `--instances` gunicorn instances sharing
    them, `--participants` people and `--bots` spammers for `--soak` seconds; then the counts."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT))
    from drills.services import Postgres, Redis
    from privacy_check import check as privacy_check

    with tempfile.TemporaryDirectory(prefix="consult-soak-") as tmp:
        folder = Path(tmp)
        postgres, redis_server = Postgres(), Redis(folder)
        servers: list[Server] = []
        try:
            postgres.start()
            postgres.create_database()
            redis_server.start()
            ports = [free_port() for _ in range(args.instances)]
            settings = {
                "CONSULT_REDIS_URL": redis_server.url,
                "CONSULT_SPAM_MIN_SECONDS": "1",
                # The per-code limit on receipt look-ups as shipped; the per-address one relaxed,
                # since every simulated participant comes from one address.
                "CONSULT_RECEIPT_RATE_LIMIT": "10 per minute;60 per hour",
            }
            env = prepare_consult(root, folder, "postgresql", postgres.url, ports[0], settings)
            env["CONSULT_DATABASE_URL"] = postgres.url
            for number, port in enumerate(ports):
                servers.append(
                    start_server(
                        f"consult-{number + 1}",
                        "consult.wsgi:app",
                        root,
                        env,
                        folder,
                        args.workers,
                        port,
                        probe="/healthz",
                    )
                )
            print(
                f"{args.instances} instance(s) x {args.workers} workers on ports {ports}, own "
                f"PostgreSQL :{postgres.port}, own Redis :{redis_server.port}; load average "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
            result = run_soak(ports, args.participants, args.soak, args.pause, args.bots)
            print_soak(result, args.instances, args.participants)
            figures = submission_figures(postgres.url)
            found = receipts_all_stored(postgres.url, result.receipts)
            print(
                f"\nreceipts handed out {len(result.receipts)}, submissions stored "
                f"{figures['submitted']}, receipts found in the database {found}, drafts left "
                f"{figures['drafts']}, stored half-way {figures['half-stored']}: "
                + (
                    "equal"
                    if figures["submitted"] == len(result.receipts) == found
                    else "DIFFERENT"
                )
            )
            logs = [server.log for server in servers]
            print("\nspam defences: attempts by the bots / stops logged by the servers")
            for kind in BOT_KINDS:
                logged = count_log_lines(logs, f"spam defence: {kind}")
                print(f"| {kind} | {result.bot_attempts.get(kind, 0)} | {logged} |")
            for error in result.bot_errors[:3]:
                print(f"bot error: {error}")
            if result.receipts:
                statuses = rate_limit_across(ports, result.receipts[0], args.rate_limit_tries)
                print(
                    f"\nrate limit across {len(ports)} instance(s): {args.rate_limit_tries} "
                    "look-ups of one receipt code, in turn on each instance, limit 10 per minute "
                    f"per code: "
                    f"{statuses.get(200, 0)} answered, {statuses.get(429, 0)} refused (429)"
                )
            found_private = privacy_check(postgres.url, logs, redis_server.url)
            print(
                f"\nprivacy check (client address {CLIENT_ADDRESS}, user agent canary) in the "
                f"database, {len(logs)} server logs and Redis: {len(found_private)} found"
            )
            for place in found_private[:10]:
                print(f"  {place}")
        except BaseException:
            for server in servers:
                sys.stderr.write(f"--- {server.name} log ---\n{tail(server.log)}\n")
            raise
        finally:
            for server in servers:
                server.stop()
            redis_server.stop()
            postgres.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--concurrency", default="16,100", help="participants at once, e.g. 16,100")
    parser.add_argument("--journeys", type=int, default=200, help="journeys per round and N")
    parser.add_argument("--requests", type=int, default=2000, help="requests per page phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slices", type=int, default=4, help="turns per phase in a round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--postgres-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/consult_load",
        help="dropped and created: a database for this benchmark only",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the copy of Consult to serve")
    parser.add_argument(
        "--folder",
        default="/dev/shm" if Path("/dev/shm").is_dir() else None,
        help="where the SQLite files go (default: /dev/shm, in memory; see the module's notes)",
    )
    parser.add_argument(
        "--soak",
        type=float,
        metavar="SECONDS",
        help="instead of the comparison: participants and spam bots for this long on an own "
        "PostgreSQL and Redis, then receipts = stored, spam stops, rate limits, privacy check",
    )
    parser.add_argument("--participants", type=int, default=100, help="--soak: people at once")
    parser.add_argument("--instances", type=int, default=1, help="--soak: app instances")
    parser.add_argument("--bots", type=int, default=5, help="--soak: scripted spammers at once")
    parser.add_argument(
        "--pause", type=float, default=1.2, help="--soak: seconds spent reading consent and review"
    )
    parser.add_argument("--rate-limit-tries", type=int, default=30)
    args = parser.parse_args()
    root = args.root.resolve()
    if args.soak:
        soak(args, root)
        return
    concurrencies = [int(n) for n in args.concurrency.split(",")]

    print(f"serving {root}; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="consult-load-", dir=args.folder) as tmp:
        folder = Path(tmp)
        for database in args.databases.split(","):
            consult_port = free_port()
            env = prepare_consult(root, folder, database, args.postgres_url, consult_port)
            reference_db = f"sqlite:///{folder / f'reference-{database}.sqlite3'}"
            reference_app = f"benchmarks.reference_app:create_reference_app({reference_db!r})"
            if database == "postgresql":
                floor_db = f"{args.postgres_url}_floor"
                fresh_postgres(floor_db)
            else:
                floor_db = f"sqlite:///{folder / 'floor.sqlite3'}"
            floor_app = f"benchmarks.stack_floor_app:create_stack_floor_app({floor_db!r})"
            floor_env = {**clean_environment(), "STACK_FLOOR_SECRET_KEY": secrets.token_urlsafe(48)}
            servers: list[Server] = []
            try:
                reference = start_server(
                    "reference",
                    reference_app,
                    root,
                    clean_environment(),
                    folder,
                    args.workers,
                    free_port(),
                )
                servers.append(reference)
                floor = start_server(
                    "stack floor", floor_app, root, floor_env, folder, args.workers, free_port()
                )
                servers.append(floor)
                consult = start_server(
                    "consult",
                    "consult.wsgi:app",
                    root,
                    env,
                    folder,
                    args.workers,
                    consult_port,
                    probe="/en/",
                )
                servers.append(consult)
                warm_up(reference, floor, consult, args.workers)
                receipts = 0
                for concurrency in concurrencies:
                    rounds = []
                    for number in range(1, args.rounds + 1):
                        measured = measure_round(reference, floor, consult, concurrency, args)
                        rounds.append(measured)
                        receipts += len(measured["journeys"].receipts)
                        summary = ", ".join(
                            f"{name} {phase.per_second:.0f}/s"
                            + (f" ({len(phase.errors)} errors)" if phase.errors else "")
                            for name, phase in measured.items()
                        )
                        print(f"{database} N={concurrency} round {number}: {summary}", flush=True)
                    report(database, concurrency, rounds)
                # Warm-up journeys sent answers too.
                receipts += args.workers * 4
                stored = stored_submissions(env["CONSULT_DATABASE_URL"])
                verdict = "equal" if stored == receipts else "DIFFERENT"
                print(
                    f"\n{database}: {stored} submissions stored, {receipts} receipts handed out: "
                    f"{verdict}"
                )
            except BaseException:
                for server in servers:
                    sys.stderr.write(f"--- {server.name} log ---\n{tail(server.log)}\n")
                raise
            finally:
                for server in servers:
                    server.stop()
    print(f"\nload average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
