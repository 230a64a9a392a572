"""Ingest and answer at scale: `python -m benchmarks.scale [FACTOR ...]` (`make bench-scale`: 1 3 10).

The real notes in the project (the bundled notes, ``benchmarks/data/``, ``benchmarks/corpora/*/notes``)
are copied FACTOR times into one folder. Every copy after the first has each line outside code
blocks marked with its copy ("... (copy 2)"), so no passage repeats another and nothing is served
from a cache: each scale is a cold ingest into a new store. Printed per scale: files, lines,
ingest time per phase, peak RSS of the ingest process, store size, warm ``kg ask`` p50/p95, the
facts of the whole graph (``kg facts``) and one SPARQL template (the limits of S3 objects).
With ``--remote``, each scale's store is then copied and re-ingested onto a local ``oxigraph serve``
(``kg ingest --graph URL``: the copy's embedding cache spares the encoding, so compare the graph
phase, not the total) and asked the same questions: a second row per scale.
Not part of ``make test``; figures land in ``benchmarks/results/scale.json`` too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTES_SUFFIXES = {".md", ".txt", ".markdown"}


def sources() -> list[tuple[Path, str]]:
    """The real notes files in the project, each with a name to copy it under."""
    found = [(ROOT / "data" / "notes" / "aws-notes.txt", "bundled/aws-notes.txt")]
    found += [(p, f"data/{p.name}") for p in sorted((ROOT / "benchmarks" / "data").glob("*.md"))]
    for folder in sorted((ROOT / "benchmarks" / "corpora").glob("*/notes")):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in NOTES_SUFFIXES:
                found.append((path, f"{folder.parent.name}/{path.relative_to(folder)}"))
    return found


def varied(text: str, copy: int) -> str:
    """The notes with every line outside code blocks marked with the copy (copy 0: as they are)."""
    if copy == 0:
        return text
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            out.append(line)
        else:
            out.append(f"{line} (copy {copy})" if line.strip() and not fenced else line)
    return "\n".join(out)


def replicate(folder: Path, factor: int) -> tuple[int, int]:
    """``factor`` copies of the notes in ``folder``; returns (files, lines)."""
    files = lines = 0
    for copy in range(factor):
        for path, name in sources():
            target = folder / f"copy{copy}" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            text = varied(path.read_text(encoding="utf-8-sig"), copy)
            target.write_text(text, encoding="utf-8")
            files += 1
            lines += text.count("\n") + 1
    return files, lines


def timed_ingest(notes: Path, store: Path, graph: str = "") -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``kg ingest`` in a process of its own (onto ``graph`` if given)."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "subprocess.run([sys.executable, '-m', 'kg.cli', 'ingest', sys.argv[1], '--store', sys.argv[2],"
        " *(['--graph', sys.argv[3]] if sys.argv[3] else [])],"
        " check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(notes), str(store), graph], capture_output=True, text=True, check=True
    )
    seconds, rss_kb = done.stdout.split()
    return float(seconds), int(rss_kb) / 1024


def measure(factor: int, work: Path, questions: list[str], remote: bool = False) -> list[dict[str, Any]]:
    """The scale's row (and, with ``remote``, the row of the same store re-ingested onto ``oxigraph serve``)."""
    notes, store = work / f"notes-{factor}x", work / f"store-{factor}x"
    files, lines = replicate(notes, factor)
    seconds, rss = timed_ingest(notes, store)
    rows = [described(factor, "embedded", store, seconds, rss, questions)]
    if remote:
        from benchmarks.graph_servers import start_oxigraph

        server = start_oxigraph(work / f"oxigraph-{factor}x")
        try:
            copy = work / f"store-{factor}x-remote"
            shutil.copytree(store, copy)
            seconds, rss = timed_ingest(notes, copy, server.query)
            rows.append(described(factor, "oxigraph serve", copy, seconds, rss, questions))
        finally:
            server.stop()
    for row in rows:
        row["files"], row["lines"] = files, lines
    shutil.rmtree(notes)
    return rows


def described(factor: int, label: str, store: Path, seconds: float, rss: float, questions: list[str]) -> dict[str, Any]:
    """One row of the table: the store's counts, ingest phases, size, and query latencies."""
    from benchmarks.__main__ import latency
    from kg import facts
    from kg.index.dense import default_encoder
    from kg.qa import templates
    from kg.store import KnowledgeStore

    manifest = json.loads((store / "manifest.json").read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 1e6
    asked = latency(store, default_encoder(), questions)
    template = templates.LIMITS.format(values="<https://notes-kg.dev/id/entity/s3-object>")
    with KnowledgeStore(store, graph="") as opened:
        durations = []
        for _ in range(3):
            started = time.perf_counter()
            facts.all_facts(opened.graph)
            durations.append(time.perf_counter() - started)
        opened.graph.select(template)  # warm
        limits = []
        for _ in range(30):
            started = time.perf_counter()
            opened.graph.select(template)
            limits.append(1000 * (time.perf_counter() - started))
    row = {
        "scale": f"{factor}x",
        "graph": label,
        "passages": manifest["counts"]["passages"],
        "triples": manifest["counts"].get("triples"),
        **{f"{phase}_s": round(value, 1) for phase, value in manifest["timings"].items()},
        "ingest_s": round(seconds, 1),
        "peak_rss_mb": round(rss),
        "store_mb": round(size, 1),
        "ask_p50_ms": round(asked["p50_ms"], 1),
        "ask_p95_ms": round(asked["p95_ms"], 1),
        "facts_s": round(statistics.median(durations), 2),
        "sparql_limits_ms": round(statistics.median(limits), 1),
    }
    return row


def main(argv: list[str] | None = None) -> int:
    from benchmarks.__main__ import table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    parser.add_argument("factors", nargs="*", type=int, default=[1, 3, 10], help="copies of the notes (default 1 3 10)")
    parser.add_argument("--keep", type=Path, help="build the stores in this folder and keep them")
    parser.add_argument("--remote", action="store_true", help="also re-ingest each store onto a local oxigraph serve")
    args = parser.parse_args(argv)
    lines = (ROOT / "benchmarks" / "questions" / "aws.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][:50]
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        for factor in args.factors:
            rows.extend(measure(factor, work, questions, args.remote))
            table("Scale (cold ingest into a new store per scale)", rows)
    out = ROOT / "benchmarks" / "results" / "scale.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
