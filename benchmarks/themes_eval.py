"""Run the production theme extraction on answers given as JSON lines, one group at a time.

    python benchmarks/themes_eval.py IN.jsonl OUT.jsonl

IN.jsonl: `{"id", "group", "lang", "text"}` per answer, optionally `"stance"` (one of the stored
stance values: agree, partly, disagree, not_sure, skipped); a group is one recommendation's approved
answers. OUT.jsonl: `{"id", "themes": [label, ...], "quote_of": label or null}` per answer, in the
input's order. The function called is exactly the one the background job calls
(`consult.themes.extract.find_themes`). Score the output with `benchmarks/themes_score.py`.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consult.themes.extract import Answer, find_themes


def main(in_path: str, out_path: str) -> None:
    with open(in_path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[str(row.get("group", ""))].append(row)
    themes_of: dict[str, list[str]] = defaultdict(list)
    quote_of: dict[str, str] = {}
    started = time.perf_counter()
    for group_rows in groups.values():
        answers = [
            Answer(id=str(r["id"]), text=r.get("text") or "", language=r.get("lang"),
                   stance=r.get("stance"))
            for r in group_rows
        ]  # fmt: skip
        result = find_themes(answers)
        for theme in result.themes:
            for answer_id in theme.members:
                themes_of[answer_id].append(theme.label)
            for answer_id in theme.quotes:
                quote_of.setdefault(answer_id, theme.label)
    elapsed = time.perf_counter() - started
    with open(out_path, "w", encoding="utf-8") as f:
        for row in rows:
            answer_id = str(row["id"])
            record = {
                "id": row["id"],
                "themes": themes_of.get(answer_id, []),
                "quote_of": quote_of.get(answer_id),
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(rows)} answers in {len(groups)} groups: {elapsed:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: themes_eval.py IN.jsonl OUT.jsonl")
    main(sys.argv[1], sys.argv[2])
