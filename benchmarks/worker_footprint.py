"""What a gunicorn worker serving Consult costs, next to a bare Flask app, on this machine.

Run from the repository root:  .venv/bin/python benchmarks/worker_footprint.py [--rounds 3]
[--root /tmp/consult-before]

For each variant (the reference app of benchmarks/reference_app.py, and Consult's
`consult.wsgi:app`; with and without gunicorn's --preload; Consult also with the repository's
gunicorn.conf.py) and each round, it starts gunicorn with 2 sync workers on 127.0.0.1 with a free
port and measures:

- start-up: from starting the process to the first successful response;
- memory of each worker after a warm-up (participant journeys in two threads at once, so both
  workers serve, with answers in Latin, Arabic, Cyrillic and Ethiopic script so the language
  detectors run for every script): RSS, PSS and USS from /proc/<pid>/smaps_rollup. PSS divides
  each shared page between the processes that share it, so it is the fair figure when workers
  share the app by copy-on-write; the master's PSS is reported too, since with --preload it holds
  its share of the pages the workers share.

Consult runs on SQLite prepared with `flask db upgrade` and `flask load-demo` in a temporary
instance folder. Figures go to docs/benchmarks.md, section "Worker footprint".
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import form_data  # noqa: E402

SLUG = "leave-no-migrant-behind"
WORKERS = 2
# Answers in four scripts, so every detector (and every lazily loaded part of one) is used.
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
START_TIMEOUT_S = 60


@dataclass
class Variant:
    name: str
    app: str  # gunicorn's APP_MODULE
    preload: bool
    consult: bool
    config: str | None = None  # None: a bare config file, so only the flags in `measure` count


@dataclass
class Round:
    startup_s: float
    # CPU time of the master and workers until the first response: steadier on a busy machine.
    startup_cpu_s: float
    workers: list[dict[str, float]] = field(default_factory=list)  # MB per worker
    master: dict[str, float] = field(default_factory=dict)


# --- processes and memory ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
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
    return sorted(found)


def cpu_s(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private clean + private dirty) in MB, from smaps_rollup."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                values[parts[0].rstrip(":")] = int(parts[1])
    uss = values["Private_Clean"] + values["Private_Dirty"]
    return {"rss": values["Rss"] / 1024, "pss": values["Pss"] / 1024, "uss": uss / 1024}


# --- HTTP ----------------------------------------------------------------------------------------


class Client:
    """Cookies, CSRF tokens and redirects, like a browser filling in the real forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.url = base
        self.html = ""
        self.requests = 0

    def _open(self, request: urllib.request.Request) -> None:
        with self.opener.open(request, timeout=30) as response:
            self.url = response.geturl()
            self.html = response.read().decode()
            # A followed redirect is a second request.
            self.requests += 1 if self.url == request.full_url else 2

    def get(self, path: str) -> None:
        self._open(urllib.request.Request(self.base + path))

    def submit(self, fields: dict[str, str], button: tuple[str, str] | None = None) -> None:
        soup = BeautifulSoup(self.html, "html.parser")
        main = soup.find("main") or soup
        form = main.find("form")
        if form is None:
            raise RuntimeError(f"no form on {self.url}")
        data = [(n, v) for n, v in form_data(form) if n not in fields]
        data += list(fields.items())
        if button is not None:
            data.append(button)
        action = urllib.parse.urljoin(self.url, form.get("action") or self.url)
        body = urllib.parse.urlencode(data).encode()
        self._open(urllib.request.Request(action, data=body, method="POST"))


def consult_journey(client: Client) -> None:
    client.get(f"/en/c/{SLUG}/")
    client.submit({"agree": "y"})
    for text in ANSWERS:
        client.submit({"stance": "agree", "text": text}, button=("action", "next"))
    client.submit({}, button=("action", "next"))  # about you: nothing said
    client.submit({})  # review: send
    if not client.url.endswith("/thanks"):
        raise RuntimeError(f"journey ended on {client.url}")


def reference_journey(client: Client) -> None:
    for _ in range(5):
        client.get("/")
        client.submit({"text": "A note of a few words."})


def warm_up(base: str, consult: bool, requests: int) -> int:
    """At least `requests` requests in two threads at once (one per worker); returns how many."""
    counts = []
    failures: list[BaseException] = []

    def run() -> None:
        done = 0
        try:
            while done < requests / 2:
                client = Client(base)  # a new participant each time
                (consult_journey if consult else reference_journey)(client)
                done += client.requests
        except BaseException as problem:  # reported by the main thread
            failures.append(problem)
        counts.append(done)

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return sum(counts)


def first_response_s(url: str, process: subprocess.Popen, started: float) -> float:
    while time.perf_counter() - started < START_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            # Without --preload the master listens before a worker is ready: the first request
            # waits in the queue until one has loaded the app.
            with urllib.request.urlopen(url, timeout=START_TIMEOUT_S) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.005)
    raise RuntimeError(f"no response from {url} within {START_TIMEOUT_S} s")


# --- one measurement -----------------------------------------------------------------------------


def measure(variant: Variant, env: dict[str, str], folder: Path, requests: int) -> Round:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bare_config = folder / "bare.conf.py"
    # No control socket (gunicorn 24+): one in $HOME would be shared by every run.
    bare_config.write_text("control_socket_disable = True\n")
    command = [sys.executable, "-m", "gunicorn", "--config", variant.config or str(bare_config)]
    command += ["--bind", f"127.0.0.1:{port}"]
    if not variant.config:
        command += ["--workers", str(WORKERS), "--worker-class", "sync"]
        command += ["--preload"] if variant.preload else []
    command += ["--error-logfile", str(folder / "gunicorn.log"), variant.app]
    url = base + (f"/en/c/{SLUG}/" if variant.consult else "/")

    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    try:
        startup = first_response_s(url, process, started)
        startup_cpu = sum(cpu_s(pid) for pid in [process.pid, *children(process.pid)])
        deadline = time.monotonic() + START_TIMEOUT_S
        while len(children(process.pid)) < WORKERS and time.monotonic() < deadline:
            time.sleep(0.05)
        warm_up(base, variant.consult, requests)
        workers = children(process.pid)
        if len(workers) != WORKERS:
            raise RuntimeError(f"expected {WORKERS} workers, found {workers}")
        return Round(
            startup_s=startup,
            startup_cpu_s=startup_cpu,
            workers=[memory_mb(pid) for pid in workers],
            master=memory_mb(process.pid),
        )
    except BaseException:
        log = folder / "gunicorn.log"
        if log.exists():
            sys.stderr.write(log.read_text()[-3000:])
        raise
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- set-up --------------------------------------------------------------------------------------


def clean_environment() -> dict[str, str]:
    """This shell's environment without the developer's Consult settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONSULT_", "GUNICORN_", "FLASK_"))
        and name not in ("SECRET_KEY", "DATABASE_URL")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def prepare_consult(folder: Path) -> dict[str, str]:
    env = clean_environment()
    env.update(
        CONSULT_INSTANCE_PATH=str(folder),
        CONSULT_SECRET_KEY=secrets.token_urlsafe(48),
        CONSULT_EXTERNAL_URL="http://127.0.0.1",
        # Plain http on the loopback address, where a Secure cookie would not come back.
        CONSULT_SECURE_COOKIES="0",
        # The warm-up sends its forms at once: no minimum time on the page (spam defence).
        CONSULT_SPAM_MIN_SECONDS="0",
    )
    for step in (["db", "upgrade"], ["load-demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "consult", *step],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def summary(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def report(
    results: dict[str, list[Round]], reference: dict[bool, str], variants: list[Variant]
) -> None:
    preload_of = {v.name: v.preload for v in variants}

    def figure(rounds: list[Round], key: str) -> list[float]:
        # Per-worker figures: each worker of each round is one observation.
        if key == "startup":
            return [r.startup_s for r in rounds]
        if key == "startup_cpu":
            return [r.startup_cpu_s for r in rounds]
        if key == "total_pss":
            return [r.master["pss"] + sum(w["pss"] for w in r.workers) for r in rounds]
        if key == "master_pss":
            return [r.master["pss"] for r in rounds]
        return [w[key] for r in rounds for w in r.workers]

    columns = [
        ("start-up s", "startup", "{:.2f}"),
        ("start-up CPU s", "startup_cpu", "{:.2f}"),
        ("worker RSS MB", "rss", "{:.0f}"),
        ("worker PSS MB", "pss", "{:.0f}"),
        ("worker USS MB", "uss", "{:.0f}"),
        ("master PSS MB", "master_pss", "{:.0f}"),
        ("total PSS MB", "total_pss", "{:.0f}"),
    ]
    print(
        "\nmin / median / max; ratio = median / median of the reference app with the same preload"
    )
    print("| variant | " + " | ".join(title for title, _, _ in columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, rounds in results.items():
        ref = results[reference[preload_of[name]]]
        cells = [name]
        for _, key, fmt in columns:
            low, mid, high = summary(figure(rounds, key))
            text = " / ".join(fmt.format(x) for x in (low, mid, high))
            if name not in reference.values():
                ratio = mid / statistics.median(figure(ref, key))
                text += f" (×{ratio:.1f})"
            cells.append(text)
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50, help="warm-up requests per start")
    parser.add_argument("--only", help="measure the variants whose name contains this")
    parser.add_argument("--root", type=Path, help="another copy of Consult to serve (before/after)")
    args = parser.parse_args()
    if args.root:  # gunicorn and flask run there, so that copy's `consult` package is imported
        global ROOT
        ROOT = args.root.resolve()
    print(f"serving {ROOT}")

    with tempfile.TemporaryDirectory(prefix="consult-footprint-") as tmp:
        folder = Path(tmp)
        reference_db = f"sqlite:///{folder / 'reference.sqlite3'}"
        reference_app = f"benchmarks.reference_app:create_reference_app({reference_db!r})"
        variants = [
            Variant("reference", reference_app, preload=False, consult=False),
            Variant("reference --preload", reference_app, preload=True, consult=False),
            Variant("consult", "consult.wsgi:app", preload=False, consult=True),
            Variant("consult --preload", "consult.wsgi:app", preload=True, consult=True),
            Variant(
                "consult, gunicorn.conf.py",
                "consult.wsgi:app",
                preload=True,
                consult=True,
                config=str(ROOT / "gunicorn.conf.py"),
            ),
        ]
        if not (ROOT / "gunicorn.conf.py").exists():
            variants.pop()
        reference = {False: "reference", True: "reference --preload"}
        if args.only:
            variants = [v for v in variants if args.only in v.name or v.name in reference.values()]
        print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        consult_env = prepare_consult(folder)
        reference_env = clean_environment()

        results: dict[str, list[Round]] = {v.name: [] for v in variants}
        for number in range(1, args.rounds + 1):
            # Variants alternate within a round, so a slow moment of the machine hits them all.
            for variant in variants:
                env = consult_env if variant.consult else reference_env
                measured = measure(variant, env, folder, args.requests)
                results[variant.name].append(measured)
                pss = ", ".join(f"{w['pss']:.0f}" for w in measured.workers)
                print(
                    f"round {number}: {variant.name}: start-up {measured.startup_s:.2f} s "
                    f"({measured.startup_cpu_s:.2f} s CPU), "
                    f"worker PSS {pss} MB, master PSS {measured.master['pss']:.0f} MB",
                    flush=True,
                )
        print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        report(results, reference, variants)


if __name__ == "__main__":
    main()
