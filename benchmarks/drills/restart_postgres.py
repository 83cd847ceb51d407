"""Drill: restart PostgreSQL (fast shutdown: every connection cut) in the middle of the load.

    .venv/bin/python benchmarks/drills/restart_postgres.py [--participants 30] [--seconds 40]

The drill's own PostgreSQL (never the machine's) is restarted once, at a third of the run. The
app's pool pings each connection before use (pool_pre_ping), so after the restart it opens new
ones by itself; requests caught in the gap get the "database unavailable" page (503) with what was
typed, and the participant sends again. Printed: how long the restart took, when /healthz said
ok again, the errors and when they happened, and whether every acknowledged answer is stored.
"""

from __future__ import annotations

import argparse
import sys
import time

from common import get_status, load, print_outcome, stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=40)
    args = parser.parse_args()
    with stack() as built:
        port = built.ports[0]
        state: dict[str, float] = {}

        def during(elapsed: float) -> None:
            if "restarted" not in state and elapsed >= args.seconds / 3:
                began = time.monotonic()
                built.postgres.restart()
                state["restart_s"] = time.monotonic() - began
                state["restarted"] = elapsed
            elif (
                "restarted" in state
                and "healthy" not in state
                and get_status(port, "/healthz") == 200
            ):
                state["healthy"] = elapsed

        result = load.run_soak(built.ports, args.participants, args.seconds, 1.1, during=during)
        restarted = state.get("restarted", float("nan"))
        print(
            f"\nPostgreSQL restarted at {restarted:.1f} s (took {state.get('restart_s', 0):.1f} s);"
            f" /healthz 200 again at {state.get('healthy', float('nan')):.1f} s"
        )
        late = [t for t in result.error_times if t > restarted + 10]
        window = (
            f"{min(result.error_times):.1f}-{max(result.error_times):.1f} s"
            if result.error_times
            else "none"
        )
        print(
            f"client errors: {len(result.errors)} (between {window}; "
            f"more than 10 s after the restart: {len(late)})"
        )
        kept = print_outcome(built, result, args.participants)
    sys.exit(0 if kept else 1)


if __name__ == "__main__":
    main()
