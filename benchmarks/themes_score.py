"""Score themes found by `benchmarks/themes_eval.py` against human-labelled themes.

    python benchmarks/themes_score.py argkp ../shared/eval/argkp-train IN.jsonl GOLD.jsonl
        # ArgKP as a consultation: a topic is a recommendation, its arguments the answers (stance
        # pro = agree, con = disagree), the key points the gold themes
    python benchmarks/themes_eval.py IN.jsonl OUT.jsonl
    python benchmarks/themes_score.py score GOLD.jsonl OUT.jsonl [--groups a,b] [--rounds 2000]

GOLD.jsonl: `{"id", "group", "themes": [gold theme id, ...]}` per answer.

The score (shared/eval/README.md): within each group, the system's themes are matched one-to-one to
the gold themes, maximising the number of answers they share (Hungarian algorithm); each answer's
system themes are mapped through that matching (an unmatched system theme maps to nothing) and
compared with its gold themes: F1 = 2|S∩G| / (|S|+|G|), 0 when the answer got no theme. The mean is
over answers with at least one gold theme. Splitting a theme into many cannot raise it (only one of
the pieces can be matched). The 95 % intervals are bootstrap percentiles: over answers, and over
groups (answers of one topic are not independent, so that one is the honest one); fixed seed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def argkp(directory: str, in_path: str, gold_path: str) -> None:
    base = Path(directory)
    split = "train" if (base / "arguments_train.csv").exists() else "dev"
    with open(base / f"arguments_{split}.csv", encoding="utf-8") as f:
        arguments = list(csv.DictReader(f))
    gold: dict[str, list[str]] = defaultdict(list)
    with open(base / f"labels_{split}.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["label"] == "1":
                gold[row["arg_id"]].append(row["key_point_id"])
    with open(in_path, "w", encoding="utf-8") as fin, open(gold_path, "w", encoding="utf-8") as fg:
        for a in arguments:
            stance = "agree" if a["stance"] == "1" else "disagree"
            record = {"id": a["arg_id"], "group": a["topic"], "lang": "en", "text": a["argument"]}
            fin.write(json.dumps({**record, "stance": stance}, ensure_ascii=False) + "\n")
            fg.write(
                json.dumps(
                    {"id": a["arg_id"], "group": a["topic"], "themes": gold.get(a["arg_id"], [])},
                    ensure_ascii=False,
                )
                + "\n"
            )
    print(f"{len(arguments)} answers, {len({a['topic'] for a in arguments})} groups")


def per_answer_f1(gold_rows: list[dict], out_rows: list[dict]) -> dict[str, list[float]]:
    """Each scored answer's F1, by group."""
    found = {r["id"]: list(dict.fromkeys(r.get("themes") or [])) for r in out_rows}
    by_group: dict[str, list[dict]] = defaultdict(list)
    for r in gold_rows:
        by_group[r["group"]].append(r)
    scores: dict[str, list[float]] = {}
    for group, rows in by_group.items():
        gold_labels = sorted({t for r in rows for t in r["themes"]})
        sys_labels = sorted({t for r in rows for t in found.get(r["id"], [])})
        mapping: dict[str, str] = {}
        if gold_labels and sys_labels:
            gi = {g: i for i, g in enumerate(gold_labels)}
            si = {s: i for i, s in enumerate(sys_labels)}
            overlap = np.zeros((len(sys_labels), len(gold_labels)))
            for r in rows:
                for s in found.get(r["id"], []):
                    for g in r["themes"]:
                        overlap[si[s], gi[g]] += 1
            rows_i, cols_i = linear_sum_assignment(-overlap)
            mapping = {
                sys_labels[a]: gold_labels[b]
                for a, b in zip(rows_i, cols_i, strict=True)
                if overlap[a, b] > 0
            }
        group_scores = []
        for r in rows:
            gold = set(r["themes"])
            if not gold:
                continue
            system = found.get(r["id"], [])
            if not system:
                group_scores.append(0.0)
                continue
            hits = len({mapping.get(s) for s in system} & gold)
            group_scores.append(2 * hits / (len(system) + len(gold)))
        scores[group] = group_scores
    return scores


def bootstrap(scores: dict[str, list[float]], rounds: int, seed: int = 0) -> dict[str, tuple]:
    rng = np.random.default_rng(seed)
    flat = np.array([s for v in scores.values() for s in v])
    groups = [np.array(v) for v in scores.values() if v]
    by_answer = [flat[rng.integers(0, len(flat), len(flat))].mean() for _ in range(rounds)]
    by_group = []
    for _ in range(rounds):
        picked = [groups[i] for i in rng.integers(0, len(groups), len(groups))]
        by_group.append(np.concatenate(picked).mean())
    return {
        "answers": tuple(np.percentile(by_answer, [2.5, 97.5])),
        "groups": tuple(np.percentile(by_group, [2.5, 97.5])),
    }


def score(gold_path: str, out_path: str, groups: str | None, rounds: int) -> float:
    gold_rows = read_jsonl(gold_path)
    if groups:
        wanted = set(groups.split("|"))
        gold_rows = [r for r in gold_rows if r["group"] in wanted]
    scores = per_answer_f1(gold_rows, read_jsonl(out_path))
    out = {r["id"]: r for r in read_jsonl(out_path)}
    for group, values in sorted(scores.items()):
        themes = {t for r in gold_rows if r["group"] == group for t in out[r["id"]]["themes"]}
        print(f"  {np.mean(values):.3f}  n={len(values):4d}  themes={len(themes):2d}  {group}")
    flat = [s for v in scores.values() for s in v]
    mean = float(np.mean(flat))
    ci = bootstrap(scores, rounds)
    print(
        f"F1 {mean:.3f}  95% CI over answers {ci['answers'][0]:.3f}-{ci['answers'][1]:.3f}, "
        f"over groups {ci['groups'][0]:.3f}-{ci['groups'][1]:.3f}  "
        f"({len(flat)} answers with a gold theme, {len(scores)} groups)"
    )
    return mean


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("argkp", help="write IN.jsonl and GOLD.jsonl from an ArgKP folder")
    a.add_argument("directory")
    a.add_argument("input")
    a.add_argument("gold")
    s = sub.add_parser("score", help="score OUT.jsonl against GOLD.jsonl")
    s.add_argument("gold")
    s.add_argument("output")
    s.add_argument("--groups", help="only these groups, separated by |")
    s.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args(argv)
    if args.command == "argkp":
        argkp(args.directory, args.input, args.gold)
    else:
        score(args.gold, args.output, args.groups, args.rounds)


if __name__ == "__main__":
    main(sys.argv[1:])
