"""The graph on a SPARQL 1.1 server: real `oxigraph serve` processes and Virtuoso, started by the tests."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import DATA

from benchmarks.graph_servers import GraphServer
from kg import facts
from kg.builder import build_store
from kg.export import export_graph
from kg.qa.engine import Engine
from kg.query import execute
from kg.stats import graph_stats
from kg.store import KnowledgeStore
from kg.store.remote import RemoteGraph, RemoteWriter

pytestmark = pytest.mark.server

NOTES = ("small-notes.md", "small-rendered.txt", "azure-notes.md", "edge-cases.md")
ENTITIES = "https://notes-kg.dev/graph/entities"
DOCUMENTS = (
    "PREFIX nkg: <https://notes-kg.dev/ontology#> SELECT ?source WHERE { ?d a nkg:Document ; nkg:source ?source }"
)
ALL_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _notes(folder: Path, names: tuple[str, ...] = NOTES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(DATA / name, folder / name)
    return folder


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _as_sets(document: dict[str, list[dict[str, Any]]]) -> dict[str, set[str]]:
    return {kind: {json.dumps(row, sort_keys=True, default=str) for row in rows} for kind, rows in document.items()}


def answer_set(answers: list[dict[str, Any]]) -> set[str]:
    """Answers as a set, each answer's facts as a set (rows the graph returns in a tie may come in any order)."""
    return {
        json.dumps({**a, "facts": sorted(json.dumps(f, sort_keys=True) for f in a["facts"])}, sort_keys=True)
        for a in answers
    }


def server_graphs(query: str, auth: Any = None) -> dict[str, int]:
    """Every named graph on the server with its triples (no dataset: what any client sees)."""
    response = httpx.post(
        query, data={"query": ALL_GRAPHS}, headers={"Accept": "application/sparql-results+json"}, auth=auth
    )
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, fake_encoder) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("embedded")
    store = root / "store"
    build_store([_notes(root / "notes")], store, encoder=fake_encoder, graph="embedded")
    return store


def _remote_store(
    tmp_path: Path, fake_encoder: Any, server: str, monkeypatch: pytest.MonkeyPatch, user: str = ""
) -> Path:
    if user:
        monkeypatch.setenv("KG_GRAPH_USER", user)
        monkeypatch.setenv("KG_GRAPH_PASSWORD", user)
    store = tmp_path / "store"
    build_store([_notes(tmp_path / "notes")], store, encoder=fake_encoder, graph=server)
    return store


@pytest.mark.parametrize("kind", ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.slow)])
def test_remote_graph_reads_back_what_the_embedded_graph_does(
    tmp_path: Path,
    fake_encoder: Any,
    embedded: Path,
    graph_server: Callable[[], GraphServer],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    """`kg facts`, the export, the stats and the engine's answers are the same sets from either graph."""
    server = graph_server().query if kind == "oxigraph" else request.getfixturevalue("virtuoso").query
    store = _remote_store(tmp_path, fake_encoder, server, monkeypatch, "dba" if kind == "virtuoso" else "")
    with KnowledgeStore(embedded) as local, KnowledgeStore(store) as remote:
        assert isinstance(remote.graph, RemoteGraph) and not isinstance(local.graph, RemoteGraph)
        assert _as_sets(facts.all_facts(remote.graph)) == _as_sets(facts.all_facts(local.graph))
        for fmt in ("nq", "nt"):
            assert set(export_graph(remote.graph, fmt).splitlines()) == set(export_graph(local.graph, fmt).splitlines())
        local_stats, remote_stats = graph_stats(local), graph_stats(remote)
        for key in ("triples", "classes", "sources"):
            assert remote_stats[key] == local_stats[key]
        assert remote_stats["graph"] == server
        questions = ["what is the maximum size of an s3 object?", "sqs vs sns", "what is azure blob storage"]
        local_answers = [a.to_json() for a in Engine(local, fake_encoder).ask_many(questions)]
        remote_answers = [a.to_json() for a in Engine(remote, fake_encoder).ask_many(questions)]
        assert answer_set(remote_answers) == answer_set(local_answers)


@pytest.mark.parametrize("kind", ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.slow)])
def test_remote_graph_reingest_touches_only_the_changed_file(
    tmp_path: Path,
    fake_encoder: Any,
    graph_server: Callable[[], GraphServer],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    if kind == "oxigraph":
        server, auth = graph_server().query, None
    else:
        server, auth = request.getfixturevalue("virtuoso").query, httpx.DigestAuth("dba", "dba")
        monkeypatch.setenv("KG_GRAPH_USER", "dba")
        monkeypatch.setenv("KG_GRAPH_PASSWORD", "dba")
    notes = _write(
        tmp_path / "notes",
        {
            "one.md": "# SQS\n\n- SQS messages can be up to 256 KB\n- SQS is a queue service\n",
            "two.md": "# S3\n\n- The maximum size of an S3 object is 5 TB\n- S3 delivers events to Lambda\n",
            "three.md": "# Kinesis\n\n- Kinesis keeps records for up to 7 days by default\n",
        },
    )
    store = tmp_path / "store"
    first = build_store([notes], store, encoder=fake_encoder, graph=server)
    before = server_graphs(server, auth)
    names = {graph: entry["name"] for graph, entry in first.graph["graphs"].items()}
    assert {names[g] for g in names} <= set(before) and first.counts["graphs_written"] == len(names)
    # readers query one graph, the generation's union, not every file's graph one by one
    union = first.graph["union"]
    assert before[union["name"]] == union["triples"] and max(before[n] for n in names.values()) < union["triples"]
    with KnowledgeStore(store) as reader:
        assert reader.graph.dataset["default-graph-uri"] == [union["name"]]

    (notes / "two.md").write_text(
        "# S3\n\n- The maximum size of an S3 object is 50 TB\n- S3 delivers events to Lambda\n", encoding="utf-8"
    )
    second = build_store([notes], store, encoder=fake_encoder)  # the store remembers its server
    after = server_graphs(server, auth)
    renamed = {graph for graph, entry in second.graph["graphs"].items() if entry["name"] != names[graph]}
    # The changed file's graph, and the shared entities graph where what it says of an entity changed
    # (here S3's definition); never another file's graph or the ontology.
    assert "https://notes-kg.dev/graph/source/two.md" in renamed
    assert renamed <= {"https://notes-kg.dev/graph/source/two.md", ENTITIES}
    assert second.counts["graphs_written"] == len(renamed)
    for graph, name in names.items():
        if graph not in renamed:
            assert after[name] == before[name]  # the other files' graphs: same name, same triples
    assert names["https://notes-kg.dev/graph/source/two.md"] not in after  # no reader held it: dropped
    assert union["name"] not in after and after[second.graph["union"]["name"]] == second.graph["union"]["triples"]
    with KnowledgeStore(store) as reader:
        values = {(row["source"], row["value"]) for row in facts.limits(reader.graph)}
        assert values == {("one.md", 256), ("two.md", 50), ("three.md", 7)}


@pytest.mark.parametrize(("rounds", "reads"), [(4, 60)])
def test_remote_graph_reader_sees_one_generation_during_reingests(
    tmp_path: Path, fake_encoder: Any, graph_server: Callable[[], GraphServer], rounds: int, reads: int
) -> None:
    """Queries while the store is re-ingested back to back see the old graph or the new one, never a mix;
    a reader holding a generation keeps its graphs on the server."""
    server = graph_server().query
    first = _write(tmp_path / "a", {"one.md": "# SQS\n\n- SQS messages can be up to 256 KB\n"})
    second = _write(
        tmp_path / "b",
        {
            "two.md": "# S3\n\n- The maximum size of an S3 object is 5 TB\n",
            "three.md": "# Kinesis\n\n- Kinesis keeps records for up to 7 days by default\n",
        },
    )
    store = tmp_path / "store"
    build_store([first], store, encoder=fake_encoder, graph=server)
    held = KnowledgeStore(store)
    held_facts = _as_sets(facts.all_facts(held.graph))
    failures: list[BaseException] = []
    mixed: list[set[str]] = []
    seen: set[str] = set()
    done = threading.Event()

    def write() -> None:
        for number in range(rounds):
            try:
                build_store([second if number % 2 == 0 else first], store, encoder=fake_encoder)
            except BaseException as exc:
                failures.append(exc)
                return
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    count = 0
    while count < reads or not done.is_set():
        if failures:
            break
        with KnowledgeStore(store) as reader:
            seen.add(reader.generation)
            documents = {r["source"] for r in reader.graph.select(DOCUMENTS)}
            limits = {r["source"] for r in facts.limits(reader.graph)}
            passages = {p.source for p in reader.passages}
            if not (documents == limits == passages and documents in ({"one.md"}, {"two.md", "three.md"})):
                mixed.append(documents | limits | passages)
        count += 1
    writer.join()
    assert not failures and not mixed and len(seen) > 1
    assert _as_sets(facts.all_facts(held.graph)) == held_facts  # the held generation's graphs are still whole
    held.close()


@pytest.mark.parametrize("store_endpoint", ["none"])
def test_remote_graph_writes_by_sparql_update_without_a_graph_store(
    tmp_path: Path,
    fake_encoder: Any,
    embedded: Path,
    graph_server: Callable[[], GraphServer],
    monkeypatch: pytest.MonkeyPatch,
    store_endpoint: str,
) -> None:
    monkeypatch.setenv("KG_GRAPH_STORE", store_endpoint)
    monkeypatch.setenv("KG_GRAPH_BATCH", "100")  # several INSERT DATA requests per graph
    store = _remote_store(tmp_path, fake_encoder, graph_server().query, monkeypatch)
    manifest = KnowledgeStore(store).manifest
    assert manifest.graph["server"]["store"] == ""
    with KnowledgeStore(embedded) as local, KnowledgeStore(store) as remote:
        assert _as_sets(facts.all_facts(remote.graph)) == _as_sets(facts.all_facts(local.graph))


@pytest.mark.parametrize("batch", [7])
def test_remote_graph_replace_graph_in_batches(graph_server: Callable[[], GraphServer], batch: int) -> None:
    from kg.store.endpoints import Endpoints
    from kg.store.sparql_http import SparqlHttp

    endpoints = Endpoints.derive(graph_server().query)
    writer = RemoteWriter(SparqlHttp(endpoints.query), endpoints, batch)
    lines = [b'<http://e/s> <http://e/p> "%d" .\n' % n for n in range(50)]
    writer.replace_graph("http://e/g", b"".join(lines))
    writer.replace_graph("http://e/g", b"".join(lines[:25]))  # replaced, not added to
    assert writer.graph_sizes(["http://e/g", "http://e/none"]) == {"http://e/g": 25, "http://e/none": 0}
    writer.drop_graphs(["http://e/g"])
    assert writer.graph_sizes(["http://e/g"]) == {"http://e/g": 0}


@pytest.mark.parametrize("query", ["SELECT ?a ?b WHERE { ?a ?p1 ?x . ?b ?p2 ?y . ?c ?p3 ?z } ORDER BY ?a"])
def test_remote_graph_user_query_past_the_time_limit(
    tmp_path: Path,
    fake_encoder: Any,
    graph_server: Callable[[], GraphServer],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
) -> None:
    store = _remote_store(tmp_path, fake_encoder, graph_server().query, monkeypatch)
    with KnowledgeStore(store) as remote:
        result = execute(remote.graph, query, timeout=0.3, row_cap=10)
        assert result.timed_out
        small = execute(remote.graph, "SELECT ?s WHERE { ?s ?p ?o }", timeout=10, row_cap=5)
        assert small.capped and len(small.rows) == 5


@pytest.mark.parametrize("path", ["/sparql"])
def test_remote_graph_served_by_kg_serve(
    tmp_path: Path,
    fake_encoder: Any,
    embedded: Path,
    graph_server: Callable[[], GraphServer],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    """`kg serve` over a store whose graph is on a server answers as over the embedded graph."""
    from kg.server import make_server

    store = _remote_store(tmp_path, fake_encoder, graph_server().query, monkeypatch)
    counts = []
    for folder in (embedded, store):
        server = make_server(KnowledgeStore(folder), "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            response = httpx.post(
                f"http://127.0.0.1:{server.server_address[1]}{path}",
                data={"query": DOCUMENTS},
                headers={"Accept": "text/csv"},
            )
            counts.append(sorted(response.text.splitlines()))
        finally:
            server.shutdown()
            server.server_close()
    assert counts[0] == counts[1] and len(counts[0]) == len(NOTES) + 1


@pytest.mark.slow
@pytest.mark.parametrize("questions", ["aws.jsonl"])
def test_remote_graph_dev_answers_identical(
    tmp_path: Path,
    aws_store: Path,
    aws_notes: Path,
    graph_server: Callable[[], GraphServer],
    virtuoso: GraphServer,
    monkeypatch: pytest.MonkeyPatch,
    repo: Path,
    questions: str,
) -> None:
    """The dev questions' answers and `kg facts` from the embedded graph, `oxigraph serve` and Virtuoso."""
    lines = (repo / "benchmarks" / "questions" / questions).read_text(encoding="utf-8").splitlines()
    asked = [json.loads(line)["question"] for line in lines if line.strip()]
    monkeypatch.setenv("KG_GRAPH_USER", "dba")
    monkeypatch.setenv("KG_GRAPH_PASSWORD", "dba")  # sent to Virtuoso only (oxigraph serve asks for none)
    results = []
    for name, server in (("embedded", ""), ("oxigraph", graph_server().query), ("virtuoso", virtuoso.query)):
        store = aws_store
        if server:
            store = tmp_path / name
            shutil.copytree(aws_store, store)  # its embedding cache: no passage is encoded again
            build_store([aws_notes], store, graph=server)
        with KnowledgeStore(store, graph="") as opened:
            engine = Engine(opened)
            results.append(
                (_as_sets(facts.all_facts(opened.graph)), answer_set([a.to_json() for a in engine.ask_many(asked)]))
            )
    assert results[1] == results[0] and results[2] == results[0]


@pytest.mark.parametrize("leftover", ["https://notes-kg.dev/graph/store/0123456789ab/00/source/gone.md"])
def test_remote_graph_killed_ingest_leftovers_are_dropped(
    tmp_path: Path, fake_encoder: Any, graph_server: Callable[[], GraphServer], leftover: str
) -> None:
    """Graphs a killed ingest wrote (named in its build folder's write-ahead record) go at the next ingest."""
    from kg.store.endpoints import Endpoints
    from kg.store.generations import GENERATIONS_DIR
    from kg.store.graphs import WRITE_AHEAD, client

    server = graph_server().query
    notes = _write(tmp_path / "notes", {"one.md": "# SQS\n\n- SQS messages can be up to 256 KB\n"})
    store = tmp_path / "store"
    first = build_store([notes], store, encoder=fake_encoder, graph=server)
    endpoints = Endpoints.derive(server)
    RemoteWriter(client(server), endpoints, 100).replace_graph(leftover, b'<http://e/s> <http://e/p> "x" .\n')
    killed = store / GENERATIONS_DIR / ".building-killed"
    killed.mkdir()
    record = {"server": endpoints.to_dict(), "graphs": {"x": {"name": leftover, "triples": 1}}}
    (killed / WRITE_AHEAD).write_text(json.dumps(record), encoding="utf-8")
    assert leftover in server_graphs(server)
    build_store([notes], store, encoder=fake_encoder)
    left = server_graphs(server)
    assert leftover not in left and not killed.exists()
    assert {entry["name"] for entry in first.graph["graphs"].values()} <= set(left)  # unchanged: kept
