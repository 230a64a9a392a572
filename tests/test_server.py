"""`kg serve`: the SPARQL 1.1 Protocol endpoint, and the export loaded into a real Oxigraph server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.export import export_graph
from kg.server import make_server, negotiate
from kg.store import KnowledgeStore

COUNT_LIMITS = "PREFIX nkg: <https://notes-kg.dev/ontology#> SELECT (COUNT(?l) AS ?n) WHERE { ?l a nkg:Limit }"


@pytest.fixture(scope="module")
def endpoint(small_store: Path) -> Iterator[str]:
    server = make_server(KnowledgeStore(small_store), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


@pytest.mark.parametrize("method", ["get", "post-form", "post-direct"])
def test_server_select_json(endpoint: str, method: str) -> None:
    if method == "get":
        status, kind, body = _request(f"{endpoint}/sparql?query={urllib.parse.quote(COUNT_LIMITS)}")
    elif method == "post-form":
        data = urllib.parse.urlencode({"query": COUNT_LIMITS}).encode()
        status, kind, body = _request(f"{endpoint}/sparql", data, {"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, kind, body = _request(
            f"{endpoint}/sparql", COUNT_LIMITS.encode(), {"Content-Type": "application/sparql-query"}
        )
    assert status == 200 and kind.startswith("application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0


@pytest.mark.parametrize(("accept", "marker"), [("text/csv", "n\r\n"), ("application/sparql-results+xml", "<sparql")])
def test_server_content_negotiation(endpoint: str, accept: str, marker: str) -> None:
    status, kind, body = _request(
        f"{endpoint}/sparql?query={urllib.parse.quote(COUNT_LIMITS)}", headers={"Accept": accept}
    )
    assert status == 200 and kind.startswith(accept) and marker in body


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        (
            urllib.parse.urlencode({"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        (b"INSERT DATA { <a:a> <a:b> <a:c> }", {"Content-Type": "application/sparql-update"}),
        (
            b"SELECT * WHERE { SERVICE <http://example.com/sparql> { ?s ?p ?o } }",
            {"Content-Type": "application/sparql-query"},
        ),
    ],
)
def test_server_is_read_only(endpoint: str, data: bytes, headers: dict[str, str]) -> None:
    status, _, body = _request(f"{endpoint}/sparql", data, headers)
    assert status == 403 and "refused" in body


@pytest.mark.parametrize("query", ["SELECT ?s WHERE { ?s ?p "])
def test_server_syntax_error_is_400(endpoint: str, query: str) -> None:
    status, _, body = _request(f"{endpoint}/sparql?query={urllib.parse.quote(query)}")
    assert status == 400 and "syntax error" in body


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_server_negotiate(accept: str, chosen: str) -> None:
    choices = {"text/csv": 1, "application/sparql-results+xml": 1, "application/sparql-results+json": 1}
    assert negotiate(accept, choices, "application/sparql-results+json") == chosen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.server
@pytest.mark.parametrize("fmt", ["nq"])
def test_export_loads_into_real_oxigraph_server(tmp_path: Path, small_store: Path, fmt: str) -> None:
    """Our N-Quads export, loaded by the oxigraph CLI and served by `oxigraph serve`, answers the
    same count as our own store."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    dump = tmp_path / "graph.nq"
    dump.write_bytes(export_graph(KnowledgeStore(small_store).graph, fmt))
    location = tmp_path / "db"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(dump)], check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                status, _, body = _request(
                    f"http://127.0.0.1:{port}/query?query={urllib.parse.quote(COUNT_LIMITS)}",
                    headers={"Accept": "application/sparql-results+json"},
                )
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not start")
        remote = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        local = KnowledgeStore(small_store).graph.select(COUNT_LIMITS)[0]["n"]
        assert status == 200 and remote == local
    finally:
        process.terminate()
        process.wait(timeout=10)
