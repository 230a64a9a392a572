"""Robustness figures for `make bench` (issue 18): `kg serve` under load, abandoned slow queries, readers
during re-ingests.

1. ``serve_load``: a real `kg serve` process, 8 clients x 200 requests each on loopback (HTTP/1.1
   keep-alive), for a simple SELECT and a two-join SELECT, each twice: errors, p50/p99, requests per
   second, the server's RSS (with its query workers) before and after each round.
2. ``abandoned``: a query with no early rows under a 3 s limit, once with the client staying (the time
   until its error arrives) and once with the client leaving after 0.5 s (the time until the server's
   query worker is gone).
3. ``reader_loop``: 200 `kg ask` runs (the CLI's own code, in this process, one store opened per run)
   while `kg ingest` rebuilds the store back to back in another process (at least 5 times), alternating
   two note sets: failures, and answers whose citations mix two generations' files.

Run alone: ``python -m benchmarks.robustness``.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
NOTES = ROOT / "data" / "notes" / "aws-notes.txt"
DOCKER = ROOT / "benchmarks" / "corpora" / "docker-fast-omerbsezer" / "notes"
PREFIX = "PREFIX nkg: <https://notes-kg.dev/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
QUERIES = {
    "simple": PREFIX + "SELECT ?s ?label WHERE { ?s a nkg:Service ; rdfs:label ?label } LIMIT 20",
    "two-join": PREFIX
    + "SELECT ?l ?label ?v WHERE { ?l a nkg:Limit ; nkg:about ?s ; nkg:value ?v . ?s rdfs:label ?label }",
}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB (from /proc)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            for child in map(int, text):
                found += [child, *_children(child)]
    except OSError:
        pass
    return found


class Server:
    """`kg serve --port 0` in a process of its own; the port read from its first line."""

    def __init__(self, store: Path, **env: str) -> None:
        self.process = subprocess.Popen(
            [*KG, "serve", "--port", "0", "--store", str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, **env},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        self.port = int(line.split("/sparql")[0].rsplit(":", 1)[1])

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _client(port: int, path: str, requests: int, durations: list[float], errors: list[str]) -> None:
    """One client: ``requests`` GETs on one keep-alive connection (a new one after an error)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine = []
    failed: list[str] = []
    for _ in range(requests):
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                failed.append(f"{response.status} {body[:80]!r}")
            else:
                json.loads(body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failed.append(type(exc).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine.append(1000 * (time.perf_counter() - started))
    connection.close()
    durations.extend(mine)  # list.extend and append are atomic under the GIL
    errors.extend(failed)


def serve_load(store: Path, clients: int = 8, requests: int = 200) -> list[dict[str, Any]]:
    server = Server(store)
    rows = []
    try:
        # each query twice: the first round starts the query workers, the second shows RSS flat once they run
        for name, query in [*QUERIES.items(), *((f"{n} again", q) for n, q in QUERIES.items())]:
            path = "/sparql?" + urllib.parse.urlencode({"query": query})
            before = _rss_mb(server.process.pid)
            durations: list[float] = []
            errors: list[str] = []
            started = time.perf_counter()
            threads = [
                threading.Thread(target=_client, args=(server.port, path, requests, durations, errors))
                for _ in range(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            durations.sort()
            rows.append(
                {
                    "query": name,
                    "requests": len(durations),
                    "errors": len(errors),
                    "error_kinds": ", ".join(sorted(set(errors)))[:120],
                    "req_per_s": len(durations) / wall,
                    "p50_ms": statistics.median(durations),
                    "p99_ms": durations[int(0.99 * (len(durations) - 1))],
                    "rss_before_mb": before,
                    "rss_after_mb": _rss_mb(server.process.pid),
                }
            )
    finally:
        server.close()
    return rows


def abandoned(store: Path, limit: float = 3.0) -> list[dict[str, Any]]:
    server = Server(store, KG_SPARQL_TIMEOUT=str(limit))
    rows = []
    try:
        request = f"GET /sparql?query={urllib.parse.quote(SLOW)} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        # the client waits: the error arrives at the limit
        with socket.create_connection(("127.0.0.1", server.port), timeout=limit + 30) as sock:
            started = time.perf_counter()
            sock.sendall(request)
            reply = sock.recv(65536)
            rows.append(
                {
                    "client": "waits",
                    "limit_s": limit,
                    "stopped_after_s": time.perf_counter() - started,
                    "status": reply.split(b"\r\n", 1)[0].decode(errors="replace"),
                }
            )
        time.sleep(1.0)
        idle = len(_children(server.process.pid))
        # the client leaves after 0.5 s: the server's worker for it must go by the limit + 1 s
        sock = socket.create_connection(("127.0.0.1", server.port))
        started = time.perf_counter()
        sock.sendall(request)
        time.sleep(0.5)
        sock.close()
        busy_seen = False
        while time.perf_counter() - started < limit + 30:
            workers = len(_children(server.process.pid))
            busy_seen = busy_seen or workers > idle
            if busy_seen and workers <= idle:
                break
            time.sleep(0.05)
        rows.append(
            {
                "client": "leaves at 0.5 s",
                "limit_s": limit,
                "stopped_after_s": time.perf_counter() - started,
                "status": "worker gone" if busy_seen else "no worker seen",
            }
        )
    finally:
        server.close()
    return rows


def reader_loop(folder: Path, asks: int = 200, rounds: int = 5) -> dict[str, Any]:
    """Readers asking while the store is rebuilt back to back from two note sets by `kg ingest`."""
    from kg.cli import main

    store = folder / "loop-store"
    first, second = [NOTES], sorted(DOCKER.glob("*.md"))
    subprocess.run([*KG, "ingest", "--store", str(store), *map(str, first)], check=True, capture_output=True)
    subprocess.run([*KG, "ingest", "--store", str(store), *map(str, second)], check=True, capture_output=True)
    files = {str(p.name) for p in first}, {str(p.name) for p in second}
    done = threading.Event()
    rebuilds = [0]

    def write() -> None:
        while not done.is_set() or rebuilds[0] < rounds:
            notes = second if rebuilds[0] % 2 == 0 else first
            subprocess.run([*KG, "ingest", "--store", str(store), *map(str, notes)], check=True, capture_output=True)
            rebuilds[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    failures = mixed = 0
    questions = ["what is the maximum size of an s3 object?", "how do I mount a volume in a container?"]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(asks):
            out = Path(tmp) / "out.json"
            with out.open("w") as stream:
                saved = sys.stdout
                sys.stdout = stream
                try:
                    code = main(["ask", questions[n % 2], "--json", "--store", str(store)])
                except BaseException:
                    code = -1
                finally:
                    sys.stdout = saved
            if code != 0:
                failures += 1
                continue
            sources = {Path(c["source"]).name for c in json.loads(out.read_text()).get("citations", [])}
            mixed += not (sources <= files[0] or sources <= files[1])
    done.set()
    writer.join()
    return {
        "asks": asks,
        "rebuilds_during": rebuilds[0],
        "failures": failures,
        "mixed_generations": mixed,
        "seconds": time.perf_counter() - started,
    }


def main() -> int:
    from benchmarks.__main__ import table

    with tempfile.TemporaryDirectory(prefix="notes-kg-robust-") as tmp:
        store = Path(tmp) / "aws"
        subprocess.run([*KG, "ingest", "--store", str(store), str(NOTES)], check=True, capture_output=True)
        run(store, Path(tmp), table)
    return 0


def run(store: Path, folder: Path, table: Any) -> dict[str, Any]:
    """Every figure, printed as tables; returned for ``latest.json``."""
    figures: dict[str, Any] = {}
    figures["serve"] = serve_load(store)
    table(
        "`kg serve`, 8 clients x 200 requests on loopback (targets: 0 errors, p99 < 200 ms simple, RSS flat)",
        figures["serve"],
    )
    figures["abandoned"] = abandoned(store)
    table("A slow query (no early rows) under a 3 s limit (target: stopped by limit + 1 s)", figures["abandoned"])
    figures["reader_loop"] = reader_loop(folder)
    table(
        "200 `kg ask` runs while `kg ingest` rebuilds the store back to back (targets: 0 failures, 0 mixed)",
        [figures["reader_loop"]],
    )
    return figures


if __name__ == "__main__":
    raise SystemExit(main())
