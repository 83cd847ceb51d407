"""After a load test: no client address or user agent anywhere in the database, the logs or Redis.

    .venv/bin/python benchmarks/privacy_check.py --database-url URL [--redis-url URL] [LOG ...]

The load benchmark (benchmarks/load.py) connects from CLIENT_ADDRESS (127.0.0.2, a loopback
address the servers never bind to, so their own "listening at 127.0.0.1" lines cannot be mistaken
for a client's) and sends UA_CANARY as its User-Agent; this looks for both, in every text-like
column of every table, in each log file, and in Redis's keys and string values. Exit status 1 and
the places when anything is found. `--soak` runs it at the end by itself.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CLIENT_ADDRESS = "127.0.0.2"
UA_CANARY = "UA-canary-7731"
NEEDLES = (CLIENT_ADDRESS, UA_CANARY)


def scan_database(url: str, needles: tuple[str, ...] = NEEDLES) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    found = []
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for column in table.columns:
                    text = sa.cast(column, sa.Text)
                    for needle in needles:
                        hits = connection.execute(
                            sa.select(sa.func.count())
                            .select_from(table)
                            .where(text.contains(needle, autoescape=True))
                        ).scalar_one()
                        if hits:
                            found.append(f"database {table.name}.{column.name}: {needle} x{hits}")
    finally:
        engine.dispose()
    return found


def scan_files(paths: list[Path], needles: tuple[str, ...] = NEEDLES) -> list[str]:
    found = []
    for path in paths:
        text = path.read_text(errors="replace") if path.exists() else ""
        for number, line in enumerate(text.splitlines(), 1):
            for needle in needles:
                if needle in line:
                    found.append(f"{path.name}:{number}: {needle}")
    return found


def scan_redis(url: str, needles: tuple[str, ...] = NEEDLES) -> list[str]:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    found = []
    for key in client.scan_iter(count=1000):
        name = key.decode("utf-8", "replace")
        value = b""
        if client.type(key) == b"string":
            value = client.get(key) or b""
        for needle in needles:
            if needle in name or needle.encode() in value:
                found.append(f"redis {name}: {needle}")
    return found


def check(database_url: str, logs: list[Path], redis_url: str | None = None) -> list[str]:
    found = scan_database(database_url) + scan_files(logs)
    if redis_url:
        found += scan_redis(redis_url)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("logs", nargs="*", type=Path)
    args = parser.parse_args()
    found = check(args.database_url, args.logs, args.redis_url)
    for place in found:
        print(place)
    print(f"privacy check: {len(found)} place(s) with a client address or user agent")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
