"""Drill: Redis stops in the middle of the load, and comes back.

    .venv/bin/python benchmarks/drills/redis_down.py [--participants 30] [--seconds 45]

The drill's own Redis (never the machine's) is stopped from a fifth of the run to three fifths.
Meanwhile participants go on sending (the rate limits fall back to each process's memory; no
participant page needs a job), a receipt look-up still answers, and a staff member's pages say
that background jobs are delayed. Printed: errors during the outage, journeys sent during it, the
banner during the outage, and how long after Redis returned the banner went away (each process
checks at most every 30 s).
"""

from __future__ import annotations

import argparse
import sys
import time

from common import load, print_outcome, stack, staff_page

BANNER = "Background jobs are delayed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=45)
    args = parser.parse_args()
    down_at, up_at = args.seconds / 5, args.seconds * 3 / 5
    with stack(staff=True) as built:
        assert built.redis is not None
        state: dict[str, object] = {}

        def during(elapsed: float) -> None:
            if "down" not in state and elapsed >= down_at:
                built.redis.stop()
                state["down"] = elapsed
            elif "down" in state and "banner" not in state and elapsed >= down_at + 3:
                state["banner"] = BANNER in staff_page(built)
                lookups = load.rate_limit_across(built.ports, "ABCD-EFGH-JKMN", 3)
                state["lookups"] = lookups
            elif "up" not in state and elapsed >= up_at:
                built.redis.start()
                state["up"] = elapsed

        result = load.run_soak(built.ports, args.participants, args.seconds, 1.1, during=during)
        in_outage = [t for t in result.error_times if down_at <= t <= up_at]
        print(
            f"\nRedis stopped at {state.get('down', 0):.0f} s, started again at "
            f"{state.get('up', 0):.0f} s; client errors {len(result.errors)} "
            f"(during the outage: {len(in_outage)})"
        )
        print(f"staff page during the outage shows '{BANNER}': {state.get('banner')}")
        print(
            "receipt look-ups during the outage, rate limited in memory (status: count; 404 is "
            f"the answer for an unknown code): {state.get('lookups')}"
        )
        began = time.monotonic()
        cleared = None
        while time.monotonic() - began < 90:
            if BANNER not in staff_page(built):
                cleared = time.monotonic() - began + (result.seconds - state.get("up", 0))
                break
            time.sleep(2)
        print(
            "banner gone after Redis returned: "
            + (f"{cleared:.0f} s" if cleared is not None else "not within 90 s")
        )
        kept = print_outcome(built, result, args.participants)
    sys.exit(0 if kept and state.get("banner") else 1)


if __name__ == "__main__":
    main()
