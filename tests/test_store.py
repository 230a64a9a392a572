"""The store: building, the graph (SHACL, round trip), facts read back by SPARQL, swaps, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import facts
from kg.builder import build_store
from kg.cli import main
from kg.errors import ParseError, QueryError, StoreError
from kg.export import export_graph
from kg.query import execute, run_query
from kg.store import KnowledgeStore
from kg.store.manifest import FORMAT_VERSION, MANIFEST_NAME
from ontology import SHAPES_TTL


def _rdflib_graph(store: KnowledgeStore) -> Graph:
    graph = Graph()
    graph.parse(data=export_graph(store.graph, "nt").decode("utf-8"), format="nt")
    return graph


@pytest.mark.parametrize("fixture", ["small_store"])
def test_store_manifest(fixture: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(fixture)
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert set(manifest["files"]) == {"small-notes.md", "small-rendered.txt"}
    assert manifest["counts"]["passages"] > 0 and manifest["model"] == "fake-hashing-encoder"
    generation = folder / "generations" / manifest["generation"]
    assert {"graph", "index", "sources", "passages.jsonl", MANIFEST_NAME} <= {p.name for p in generation.iterdir()}


@pytest.mark.parametrize("fixture", ["small_store", pytest.param("aws_store", marks=pytest.mark.slow)])
def test_store_graph_conforms_to_shapes(fixture: str, request: pytest.FixtureRequest) -> None:
    from pyshacl import validate

    store = KnowledgeStore(request.getfixturevalue(fixture))
    conforms, _, report = validate(_rdflib_graph(store), shacl_graph=Graph().parse(SHAPES_TTL), inference="none")
    assert conforms, report[:2000]


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_store_export_round_trip_is_isomorphic(small_store: Path, fmt: str) -> None:
    store = KnowledgeStore(small_store)
    original = _rdflib_graph(store)
    parsed = Graph().parse(
        data=export_graph(store.graph, fmt).decode("utf-8"),
        format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt],
    )
    assert isomorphic(original, parsed)


@pytest.mark.parametrize("fmt", ["nq"])
def test_store_export_quads_keep_graphs(small_store: Path, fmt: str) -> None:
    data = export_graph(KnowledgeStore(small_store).graph, fmt)
    graphs = {q.graph_name.value for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)}
    assert "https://notes-kg.dev/graph/source/small-notes.md" in graphs


@pytest.mark.parametrize("kind", ["services", "limits", "relations", "comparisons"])
def test_facts_json_contract(small_store: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["facts", "--json", "--store", str(small_store)]) == 0
    document = json.loads(capsys.readouterr().out)
    required = {
        "services": {"iri", "label", "aliases", "source", "line_start", "line_end"},
        "limits": {
            "iri",
            "subject",
            "subject_label",
            "attribute",
            "value",
            "unit",
            "kind",
            "text",
            "source",
            "line_start",
            "line_end",
        },
        "relations": {
            "subject",
            "subject_label",
            "predicate",
            "object",
            "object_label",
            "text",
            "source",
            "line_start",
            "line_end",
        },
        "comparisons": {"iri", "title", "items", "dimensions", "cells", "source", "line_start", "line_end"},
    }[kind]
    assert document[kind], kind
    for row in document[kind]:
        assert required <= set(row)
        if kind == "limits":
            assert row["kind"] in {"max", "min", "default", "range", "exact", "rate", "percent"}
        if kind == "comparisons":
            assert all(set(cell) == {"item", "dimension", "value"} for cell in row["cells"])


@pytest.mark.parametrize("value_text", ["5 TB"])
def test_facts_limit_read_back_by_sparql(small_store: Path, value_text: str) -> None:
    rows = facts.limits(KnowledgeStore(small_store).graph)
    (row,) = [r for r in rows if r["value_text"] == value_text]
    assert row["unit"] == "TB" and row["normalized_value"] == 5 * 10**12 and row["line_start"] == 5


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "LOAD <http://example.com/data.ttl>",
        "SELECT * WHERE { SERVICE <http://example.com/sparql> { ?s ?p ?o } }",
        "DELETE WHERE { ?s ?p ?o }",
    ],
)
def test_sparql_refuses_updates_load_and_service(small_store: Path, query: str) -> None:
    with pytest.raises(QueryError, match="refused"):
        execute(KnowledgeStore(small_store).graph, query)


@pytest.mark.parametrize("query", ["SELECT ?s WHERE { ?s ?p ", "SELEC * WHERE {}"])
def test_sparql_syntax_error_has_position(small_store: Path, query: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sparql", query, "--store", str(small_store)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kg: error: SPARQL syntax error") and "1:" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_sparql_formats(small_store: Path, fmt: str) -> None:
    out = run_query(
        KnowledgeStore(small_store).graph,
        "PREFIX nkg: <https://notes-kg.dev/ontology#> SELECT ?s WHERE { ?s a nkg:Limit }",
        fmt,
    )
    if fmt == "json":
        assert json.loads(out)["results"]["bindings"]
    else:
        assert "https://notes-kg.dev/id/limit/" in out


@pytest.mark.parametrize("row_cap", [1])
def test_sparql_row_cap(small_store: Path, row_cap: int) -> None:
    result = execute(KnowledgeStore(small_store).graph, "SELECT * WHERE { ?s ?p ?o }", row_cap=row_cap)
    assert result.capped and len(result.rows) == row_cap


@pytest.mark.parametrize("bad", ["binary", "missing"])
def test_store_failed_ingest_keeps_previous_store(
    tmp_path: Path,
    small_notes: Path,
    fake_encoder,
    bad: str,  # type: ignore[no-untyped-def]
) -> None:
    store = tmp_path / "store"
    build_store([small_notes], store, encoder=fake_encoder)
    before = (store / MANIFEST_NAME).read_bytes()
    target = tmp_path / "bad.txt"
    if bad == "binary":
        target.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ParseError):
        build_store([target], store, encoder=fake_encoder)
    assert (store / MANIFEST_NAME).read_bytes() == before
    assert KnowledgeStore(store).passages
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store.building")]


@pytest.mark.parametrize("version", [0, FORMAT_VERSION + 1])
def test_store_other_format_version_is_refused(tmp_path: Path, small_store: Path, version: int) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(small_store, copy)
    manifest = json.loads((copy / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["format_version"] = version
    (copy / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match="run `kg ingest` again"):
        KnowledgeStore(copy)


@pytest.mark.parametrize("command", [["ask", "what is s3"], ["facts", "--json"], ["stats"], ["sparql", "ASK {}"]])
def test_cli_missing_store_is_a_clear_error(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--store", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no store at" in err and "kg ingest" in err


@pytest.mark.parametrize("fixture", ["small_store"])
def test_store_swap_replaces_whole_store(tmp_path: Path, small_notes: Path, fake_encoder, fixture: str) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_store([small_notes / "small-notes.md"], store, encoder=fake_encoder)
    build_store([small_notes], store, encoder=fake_encoder)
    assert set(KnowledgeStore(store).manifest.files) == {"small-notes.md", "small-rendered.txt"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


@pytest.mark.parametrize("command", [["stats"], ["stats", "--json"]])
def test_cli_stats(small_store: Path, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--store", str(small_store)]) == 0
    out = capsys.readouterr().out
    assert "Limit" in out and "small-notes.md" in out
