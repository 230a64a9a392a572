"""`kg conflicts` against a hand-checked list: ``python -m benchmarks.conflicts_eval [STORE]``.

The list (``benchmarks/gold/aws-conflicts.json``) was written blind by a careful reader of the bundled
notes. A finding matches a listed contradiction when it cites at least two of its lines (of its source);
precision is the share of findings that match one, recall the share of listed contradictions matched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.facts_eval import GOLD_DIR

GOLD = GOLD_DIR / "aws-conflicts.json"


def _lines(statements: list[dict[str, Any]], source: str) -> set[int]:
    return {n for s in statements if s["source"] == source for n in range(int(s["line_start"]), int(s["line_end"]) + 1)}


def score(found: list[dict[str, Any]], gold: dict[str, Any]) -> dict[str, Any]:
    """Precision and recall of ``found`` (the `kg conflicts --json` list) against ``gold``."""
    listed = [{s["line"] for s in c["statements"]} for c in gold["conflicts"]]
    near = [set(n["lines"]) for n in gold.get("near_misses", [])]
    matched: set[int] = set()
    right = near_misses = 0
    for conflict in found:
        cited = _lines(conflict["statements"], gold["source"])
        hits = [i for i, lines in enumerate(listed) if len(cited & lines) >= 2]
        right += bool(hits)
        matched.update(hits)
        near_misses += any(len(cited & lines) >= 2 for lines in near)
    return {
        "found": len(found),
        "listed": len(listed),
        "precision": right / len(found) if found else 1.0,
        "recall": len(matched) / len(listed) if listed else 1.0,
        "near_misses_reported": near_misses,
        "missed": "; ".join(gold["conflicts"][i]["subject"] for i in range(len(listed)) if i not in matched),
    }


def evaluate(store: Path, gold: Path = GOLD) -> dict[str, Any]:
    from kg.conflicts import conflicts_json, find_conflicts, store_view
    from kg.store import KnowledgeStore

    with KnowledgeStore(store) as opened:
        found = conflicts_json(find_conflicts(store_view(opened)))
    return score(found, json.loads(gold.read_text(encoding="utf-8")))


if __name__ == "__main__":
    from benchmarks.__main__ import table
    from benchmarks.quality import CORPORA, store_for

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else store_for(next(c for c in CORPORA if c.name == "aws"))
    table("kg conflicts against the hand-checked list (bundled notes)", [evaluate(folder)])
