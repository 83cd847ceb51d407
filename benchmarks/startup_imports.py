"""What starting the app costs in one process: `import consult.wsgi` (what gunicorn's master does
before it forks: create_app and the detectors' warm-up), next to the bare reference app, in the
same run. Each start is a fresh interpreter; copies of Consult and the reference alternate within
each round.

Run from the repository root:
    .venv/bin/python benchmarks/startup_imports.py --rounds 5 [--root /tmp/consult-before ...]

Prints, per variant, min / median / max over the rounds of the process's CPU seconds, wall
seconds and peak RSS, the ratio of the medians to the reference, the number of modules loaded,
and which of the libraries only staff or job paths need were loaded (none is the goal; the test
tests/core/test_startup_imports.py checks the same).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAZY = ("openpyxl", "jsonschema", "yaml", "scipy", "sklearn", "zxcvbn", "alembic", "numpy")
REPORT = (
    "import json, resource, sys\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print(json.dumps([usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, len(sys.modules),"
    " sorted(m for m in {lazy!r} if m in sys.modules)]))\n"
)
CONSULT = "import consult.wsgi\n"
REFERENCE = (
    "from benchmarks.reference_app import create_reference_app\n"
    "create_reference_app('sqlite:///{folder}/reference.sqlite3')\n"
)


def run(code: str, cwd: Path, env: dict[str, str]) -> tuple[float, float, float, int, list[str]]:
    import json
    import time

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    cpu, rss, modules, lazy = json.loads(done.stdout.strip().splitlines()[-1])
    return cpu, wall, rss, modules, lazy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--root", type=Path, action="append", help="a copy of Consult (repeatable)")
    args = parser.parse_args()
    roots = [r.resolve() for r in (args.root or [])] or [ROOT]
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="consult-startup-") as tmp:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("CONSULT_", "FLASK_"))
            and name not in ("SECRET_KEY", "DATABASE_URL")
        }
        env.update(
            PYTHONDONTWRITEBYTECODE="1",
            CONSULT_SECRET_KEY=secrets.token_urlsafe(48),
            CONSULT_EXTERNAL_URL="http://127.0.0.1",
        )
        variants: list[tuple[str, str, Path, dict[str, str]]] = [
            ("reference", REFERENCE.format(folder=tmp), ROOT, env)
        ]
        for number, root in enumerate(roots):
            instance = Path(tmp) / f"instance-{number}"
            instance.mkdir()
            variant_env = {**env, "CONSULT_INSTANCE_PATH": str(instance)}
            run(CONSULT + REPORT.format(lazy=LAZY), root, variant_env)  # writes the model cache
            variants.append((f"consult {root}", CONSULT, root, variant_env))
        results: dict[str, list[tuple]] = {name: [] for name, *_ in variants}
        for _round in range(args.rounds):
            for name, code, cwd, variant_env in variants:
                results[name].append(run(code + REPORT.format(lazy=LAZY), cwd, variant_env))
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    def figure(name: str, index: int) -> tuple[float, float, float]:
        values = sorted(r[index] for r in results[name])
        return values[0], statistics.median(values), values[-1]

    print("| variant | CPU s | wall s | peak RSS MB | modules | staff/job libraries loaded |")
    print("|---|---|---|---|---|---|")
    for name in results:
        cells = []
        for index, digits in ((0, 2), (1, 2), (2, 0)):
            low, mid, high = figure(name, index)
            ratio = mid / figure("reference", index)[1]
            text = f"{low:.{digits}f} / {mid:.{digits}f} / {high:.{digits}f}"
            cells.append(text if name == "reference" else f"{text} (×{ratio:.1f})")
        last = results[name][-1]
        print(f"| {name} | {' | '.join(cells)} | {last[3]} | {', '.join(last[4]) or 'none'} |")


if __name__ == "__main__":
    main()
