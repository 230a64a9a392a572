"""The graph on a SPARQL server against the embedded one: the same questions and `kg facts`.

For each graph (embedded, a local `oxigraph serve`, and Virtuoso when installed) the store of the
bundled AWS notes is copied and re-ingested onto the server (its embedding cache makes that quick),
then: the graph phase of that ingest, `kg facts` (median of 5, warm), warm `kg ask` p50/p95 over
the dev questions, and p50 against the embedded graph's (target: within 2x for the local Oxigraph
server). At scale (1x, 3x, 10x the project's real notes): `python -m benchmarks.scale --remote`.

    python -m benchmarks.remote STORE    # STORE: a store built from the bundled notes
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.graph_servers import GraphServer, start_oxigraph, start_virtuoso

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "data" / "notes" / "aws-notes.txt"
QUESTIONS = ROOT / "benchmarks" / "questions" / "aws.jsonl"


def measure(store: Path, encoder: Any, questions: list[str], label: str, graph_seconds: float) -> dict[str, Any]:
    from kg import facts
    from kg.qa.engine import Engine
    from kg.store import KnowledgeStore

    with KnowledgeStore(store, graph="") as opened:
        facts.all_facts(opened.graph)  # warm: the server's plan cache, the connection
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            facts.all_facts(opened.graph)
            runs.append(1000 * (time.perf_counter() - started))
        engine = Engine(opened, encoder)
        engine.ask("warm up")
        for question in questions[:10]:  # warm the server for the template queries
            engine.ask(question)
        durations = []
        for question in questions:
            started = time.perf_counter()
            engine.ask(question)
            durations.append(1000 * (time.perf_counter() - started))
    return {
        "graph": label,
        "ingest_graph_s": round(graph_seconds, 2),
        "facts_ms": statistics.median(runs),
        "ask_p50_ms": statistics.median(durations),
        "ask_p95_ms": float(np.percentile(durations, 95)),
    }


def run(store: Path, folder: Path, encoder: Any, questions: list[str]) -> list[dict[str, Any]]:
    """Rows of the table: one per graph (servers it cannot start are left out, with a line saying so)."""
    from kg.builder import build_store
    from kg.store import KnowledgeStore

    with KnowledgeStore(store, graph="") as opened:
        embedded_graph = float(opened.manifest.timings.get("graph", 0.0))
    rows = [measure(store, encoder, questions, "embedded", embedded_graph)]
    starters: dict[str, Callable[[Path], GraphServer]] = {"oxigraph serve": start_oxigraph, "virtuoso": start_virtuoso}
    for label, start in starters.items():
        place = folder / label.replace(" ", "-")
        place.mkdir(parents=True, exist_ok=True)
        try:
            server = start(place / "server")
        except (FileNotFoundError, RuntimeError) as exc:
            print(f"({label}: not measured: {exc})")
            continue
        try:
            copy = place / "store"
            shutil.copytree(store, copy)
            if label == "virtuoso":
                os.environ["KG_GRAPH_USER"] = os.environ["KG_GRAPH_PASSWORD"] = "dba"
            manifest = build_store([NOTES], copy, encoder=encoder, graph=server.query)
            rows.append(measure(copy, encoder, questions, label, manifest.timings["graph"]))
        finally:
            server.stop()
            os.environ.pop("KG_GRAPH_USER", None)
            os.environ.pop("KG_GRAPH_PASSWORD", None)
    for row in rows:
        row["p50_vs_embedded"] = round(row["ask_p50_ms"] / rows[0]["ask_p50_ms"], 2)
    return rows


def main(argv: list[str]) -> int:
    from benchmarks import qa_eval
    from benchmarks.__main__ import table
    from kg.index.dense import default_encoder

    store = Path(argv[0]) if argv else Path(".kg-store")
    questions = [q["question"] for q in qa_eval.load_questions(QUESTIONS)]
    with tempfile.TemporaryDirectory(prefix="notes-kg-remote-") as tmp:
        rows = run(store, Path(tmp), default_encoder(), questions)
    table(TITLE, rows)
    return 0


TITLE = (
    "Graph on a SPARQL server vs embedded: kg facts and warm kg ask over the dev questions "
    "(target: local Oxigraph server p50 within 2x of embedded; the 10x corpus is not measured yet)"
)

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
