"""Drill: kill -9 a gunicorn worker in the middle of the load, several times.

    .venv/bin/python benchmarks/drills/kill_worker.py [--participants 30] [--seconds 40] [--kills 4]

A worker killed mid-request drops its connection: that participant's browser gets an error and
starts again (here: a new journey, as a person pressing the button again would). gunicorn starts
a new worker. Printed: the kills, the errors the clients saw, and whether every receipt handed out
has its submission, none is stored half-way (a submission is one transaction), and how many were
stored without the client getting the receipt (killed between the commit and the reply).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from common import load, print_outcome, stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with stack(workers=args.workers) as built:
        master = built.servers[0].process.pid
        moments = [args.seconds * (k + 1) / (args.kills + 1) for k in range(args.kills)]
        killed: list[tuple[float, int]] = []

        def during(elapsed: float) -> None:
            if moments and elapsed >= moments[0]:
                moments.pop(0)
                workers = load.children(master)
                if workers:
                    os.kill(workers[0], signal.SIGKILL)
                    killed.append((elapsed, workers[0]))

        result = load.run_soak(built.ports, args.participants, args.seconds, 1.1, during=during)
        print(
            f"\nworkers killed (kill -9): {len(killed)} at "
            + ", ".join(f"{t:.0f} s" for t, _ in killed)
        )
        print(f"workers alive at the end: {len(load.children(master))} of {args.workers}")
        after = [t for t in result.error_times if killed and t > killed[-1][0] + 5]
        print(
            f"client errors: {len(result.errors)} (more than 5 s after the last kill: {len(after)})"
        )
        kept = print_outcome(built, result, args.participants)
    sys.exit(0 if kept else 1)


if __name__ == "__main__":
    main()
