"""The reference the issue names: plain TF-IDF + NMF with a fixed 8 themes, each answer in its
strongest theme. Same interface as themes_eval.py, for comparison in the same run:

    python benchmarks/themes_baseline.py IN.jsonl OUT.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer


def main(in_path: str, out_path: str, k: int = 8) -> None:
    with open(in_path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[str(row.get("group", ""))].append(row)
    themes: dict[str, str] = {}
    for name, group in groups.items():
        matrix = TfidfVectorizer(sublinear_tf=True).fit_transform([r["text"] for r in group])
        weights = NMF(min(k, len(group)), random_state=0, max_iter=400).fit_transform(matrix)
        for row, best in zip(group, weights.argmax(axis=1), strict=True):
            themes[str(row["id"])] = f"{name}/{best}"
    with open(out_path, "w", encoding="utf-8") as f:
        for row in rows:
            record = {"id": row["id"], "themes": [themes[str(row["id"])]], "quote_of": None}
            f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
