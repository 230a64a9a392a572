"""Which graph backend a store uses, and the named graphs of each generation on a graph server.

The embedded store keeps its graph in each generation's ``graph/`` folder. A store whose graph
lives on a SPARQL server (``kg ingest --graph URL``) records it in the manifest, under ``graph``:

    {"server": {"query": URL, "update": URL, "store": URL}, "store_id": "3f9c0a1b2c4d",
     "graphs": {"https://notes-kg.dev/graph/source/a.md":
                {"name": "https://notes-kg.dev/graph/store/3f9c0a1b2c4d/<digest>/source/a.md", "triples": 812}},
     "union": {"name": "https://notes-kg.dev/graph/store/3f9c0a1b2c4d/<digest>/union", "triples": 4410}}

Each graph (one per source file, plus the ontology and the entities) is stored on the server under
a name made of the store's id and the digest of its triples. An ingest writes only the graphs whose
triples changed (new names: readers of the old generation do not see them), checks that the others
are still there whole, fills the generation's union graph on the server from them (``ADD``: readers
query one graph, not hundreds), then publishes the generation by the manifest's atomic rename. A graph no
kept generation names any more is dropped at a later ingest, once no reader holds a generation
naming it (see ``collect`` in kg/store/generations.py); names to drop wait in
``generations/.graph-garbage.json`` until the server takes the drop.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import settings
from kg.errors import GraphServerError, KGError, StoreError
from kg.store.endpoints import Endpoints

log = logging.getLogger(__name__)

GRAPH_BASE = "https://notes-kg.dev/graph/"
EMBEDDED = "embedded"  # `--graph embedded`: move a store's graph back into its folder
WRITE_AHEAD = ".graphs.json"  # in a generation being built: the names it writes, before it writes them
GARBAGE = ".graph-garbage.json"  # in generations/: names to drop from servers, kept until dropped
_CLIENTS: dict[tuple[str, Any], Any] = {}


def served_name(store_id: str, digest: str, graph: str) -> str:
    """The name on the server of a graph of the notes with these triples.

    >>> served_name("abc", "0123", "https://notes-kg.dev/graph/source/a.md")
    'https://notes-kg.dev/graph/store/abc/0123/source/a.md'
    """
    tail = graph[len(GRAPH_BASE) :] if graph.startswith(GRAPH_BASE) else hashlib.sha1(graph.encode()).hexdigest()
    return f"{GRAPH_BASE}store/{store_id}/{digest}/{tail}"


def client(endpoint: str) -> Any:
    """The process's HTTP client of the server at ``endpoint`` (one keep-alive pool per server)."""
    from kg.store.endpoints import Credentials
    from kg.store.sparql_http import SparqlHttp

    credentials = Credentials.from_environment()
    key = (endpoint, credentials)
    if key not in _CLIENTS:
        _CLIENTS[key] = SparqlHttp(endpoint, credentials)
    return _CLIENTS[key]


def open_graph(generation: Path, record: dict[str, Any], override: str) -> Any:
    """The graph of a generation: embedded (its ``graph/`` folder) or on the server its manifest names.

    Args:
        generation: The generation's folder.
        record: The manifest's ``graph`` entry ({} for an embedded graph).
        override: A query endpoint to use instead of the recorded one ("" for none).

    Raises:
        StoreError: ``override`` names a server for a store whose graph is embedded.
    """
    if not record:
        if override and override != EMBEDDED:
            raise StoreError(
                f"the store at {generation.parent.parent} keeps its graph in its folder, not at {override}: "
                "run `kg ingest --graph URL` to move it there, or unset KG_GRAPH"
            )
        from kg.store.oxigraph import OxigraphStore

        return OxigraphStore(generation)
    from kg.store.remote import RemoteGraph

    if override == EMBEDDED:
        raise StoreError(
            f"the store at {generation.parent.parent} keeps its graph on {record['server']['query']}: "
            "run `kg ingest --graph embedded` to move it into the folder"
        )
    endpoint = override or str(record["server"]["query"])
    graphs = {graph: (str(entry["name"]), int(entry["triples"])) for graph, entry in record["graphs"].items()}
    return RemoteGraph(client(endpoint), endpoint, graphs, str(record.get("union", {}).get("name", "")))


def wanted_graph(cli_value: str | None, previous: dict[str, Any] | None) -> Endpoints | None:
    """Where an ingest writes the graph: ``--graph``, else ``KG_GRAPH``, else where the store has it.

    Returns:
        The server's endpoints, or None for the embedded graph.
    """
    url = cli_value if cli_value is not None else str(settings.get("graph"))
    if url == EMBEDDED:
        return None
    if url:
        return Endpoints.from_settings(url)
    server = (previous or {}).get("server")
    return Endpoints(**server) if server else None


def check_graph_server(cli_value: str | None, store: Path) -> Endpoints | None:
    """Where an ingest into ``store`` writes the graph, after checking that the server answers.

    Raises:
        StoreError: The URL is not http(s).
        GraphServerError: The server does not answer, refuses the credentials, or fails.
    """
    from kg.store.generations import read_top_manifest

    top = read_top_manifest(store) if store.is_dir() else None
    previous = top.get("graph") if top else None
    server = wanted_graph(cli_value, previous if isinstance(previous, dict) else None)
    if server is not None:
        from kg.store.remote import RESULTS_JSON

        client(server.query).request("POST", server.query, data={"query": "ASK {}"}, headers={"Accept": RESULTS_JSON})
    return server


@dataclass
class GraphPayload:
    """One graph of the notes as N-Triples (sorted, so the same triples give the same bytes)."""

    graph: str
    ntriples: bytes
    triples: int
    digest: str


def split_graphs(nquads: bytes) -> list[GraphPayload]:
    """The named graphs of an N-Quads document, each as sorted N-Triples with its digest.

    Raises:
        StoreError: Some triples are in no named graph (every triple of the notes has one).
    """
    store = ox.Store()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    payloads = []
    for graph in sorted(store.named_graphs(), key=lambda g: str(g)):
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
        lines = sorted(line for line in data.split(b"\n") if line.strip())
        body = b"\n".join(lines) + b"\n"
        payloads.append(GraphPayload(graph.value, body, len(lines), hashlib.sha256(body).hexdigest()[:16]))
    if sum(p.triples for p in payloads) != len(store):
        raise StoreError("the graph built has triples in no named graph: this is a bug in notes-kg, please report it")
    return payloads


def write_graphs(
    payloads: list[GraphPayload], endpoints: Endpoints, previous: dict[str, Any] | None, staged: Path
) -> tuple[dict[str, Any], int]:
    """Write the graphs whose triples changed to the server; return the manifest record and how many were written.

    Raises:
        GraphServerError: The server does not answer, refuses, fails, or holds other counts after writing.
    """
    from kg.store.remote import RemoteWriter

    same_server = bool(previous) and previous.get("server", {}).get("query") == endpoints.query  # type: ignore[union-attr]
    store_id = str(previous["store_id"]) if same_server and previous else uuid.uuid4().hex[:12]
    record: dict[str, Any] = {"server": endpoints.to_dict(), "store_id": store_id, "graphs": {}}
    for payload in payloads:
        name = served_name(store_id, payload.digest, payload.graph)
        record["graphs"][payload.graph] = {"name": name, "triples": payload.triples}
    # the union of the generation's graphs: what queries read (a triple stated in two files once)
    combined = hashlib.sha256("".join(p.digest for p in payloads).encode()).hexdigest()[:16]
    distinct = len({hash(line) for p in payloads for line in p.ntriples.split(b"\n") if line.strip()})
    record["union"] = {"name": served_name(store_id, combined, GRAPH_BASE + "union"), "triples": distinct}
    # Written before the first byte goes out: a killed ingest's graphs are found and dropped later.
    (staged / WRITE_AHEAD).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    writer = RemoteWriter(client(endpoints.query), endpoints, int(settings.get("graph_batch")))
    known = {e["name"] for e in (previous or {}).get("graphs", {}).values()} if same_server else set()
    expected = {record["graphs"][p.graph]["name"]: p.triples for p in payloads}
    union = record["union"]["name"]
    there = writer.graph_sizes(sorted({n for n in expected if n in known} | {union}))  # one query for both
    written = 0
    for payload in payloads:
        name = record["graphs"][payload.graph]["name"]
        if there.get(name) != payload.triples:
            writer.replace_graph(name, payload.ntriples)
            written += 1
    if there.get(union) != record["union"]["triples"]:
        writer.merge_graphs(sorted(expected), union)
    expected[union] = record["union"]["triples"]
    sizes = writer.graph_sizes(sorted(expected))
    wrong = [name for name, count in expected.items() if sizes.get(name) != count]
    if wrong:
        raise GraphServerError(
            f"the graph server at {endpoints.query} holds {sizes.get(wrong[0])} triples in <{wrong[0]}> after "
            f"writing {expected[wrong[0]]}: check the server's log and limits, then run `kg ingest` again"
        )
    return record, written


def _names_in(folder: Path) -> tuple[dict[str, str], set[str]] | None:
    """The server and graph names a generation (or a build's write-ahead record) names, if remote."""
    for candidate in (folder / "manifest.json", folder / WRITE_AHEAD):
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        record = data.get("graph", data) if candidate.name == "manifest.json" else data
        if isinstance(record, dict) and record.get("graphs"):
            entries = [*record["graphs"].values(), *([record["union"]] if "union" in record else [])]
            return dict(record["server"]), {str(e["name"]) for e in entries}
    return None


def remember(folder: Path, garbage: Path) -> None:
    """Add the remote graphs ``folder`` names to the garbage list (call before removing the folder)."""
    found = _names_in(folder)
    if found is None:
        return
    server, names = found
    entries = _read_garbage(garbage)
    entries.append({"server": server, "names": sorted(names)})
    _write_garbage(garbage, entries)


def drop_garbage(garbage: Path, kept_folders: Iterable[Path]) -> None:
    """Drop from their servers the garbage graphs no kept generation names; keep the rest for next time."""
    entries = _read_garbage(garbage)
    if not entries:
        return
    kept: set[str] = set()
    for folder in kept_folders:
        found = _names_in(folder)
        if found is not None:
            kept |= found[1]
    left = []
    for entry in entries:
        names = sorted(set(entry["names"]) - kept)
        if not names:
            continue
        try:
            from kg.store.remote import RemoteWriter

            endpoints = Endpoints(**entry["server"])
            RemoteWriter(client(endpoints.query), endpoints, 1).drop_graphs(names)
        except KGError as exc:
            log.warning("old graphs stay on %s until the next ingest: %s", entry["server"].get("query"), exc)
            left.append({"server": entry["server"], "names": names})
    _write_garbage(garbage, left)


def _read_garbage(garbage: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(garbage.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def _write_garbage(garbage: Path, entries: list[dict[str, Any]]) -> None:
    if not entries:
        garbage.unlink(missing_ok=True)
        return
    tmp = garbage.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    tmp.replace(garbage)
