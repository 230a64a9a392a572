"""A graph server that is down, refuses the password or does not answer in time: one line, exit 1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.graph_servers import GraphServer, free_port
from kg.builder import build_store
from kg.errors import StoreError
from kg.store.endpoints import Credentials, Endpoints
from kg.store.remote import query_form

KG = str(Path(sys.executable).parent / "kg")
NOTE = "# SQS\n\n- SQS messages can be up to 256 KB\n"


def _kg(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return subprocess.run(
        [KG, *args],
        env={**clean, "HF_HUB_OFFLINE": "1", "KG_GRAPH_RETRIES": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "one.md").write_text(NOTE, encoding="utf-8")
    return folder


@pytest.mark.server
@pytest.mark.parametrize("command", ["ingest", "facts"])
def test_remote_errors_server_down_is_one_line(
    tmp_path: Path, notes: Path, fake_encoder: Any, graph_server: Callable[[], GraphServer], command: str
) -> None:
    store = tmp_path / "store"
    if command == "ingest":
        url = f"http://127.0.0.1:{free_port()}/query"
        result = _kg("ingest", str(notes), "--store", str(store), "--graph", url, "--quiet")
        _one_line(result, url, "does not answer", "start it")
        assert not store.exists()  # nothing was written
        return
    server = graph_server()
    build_store([notes], store, encoder=fake_encoder, graph=server.query)
    server.stop()
    _one_line(_kg("facts", "--json", "--store", str(store)), server.query, "does not answer", "start it")


@pytest.mark.server
@pytest.mark.parametrize("credentials", [{"user": "reader", "password": "pw-9f3k"}, {"token": "s3cret"}])
def test_remote_errors_wrong_password_is_one_line(
    tmp_path: Path,
    notes: Path,
    fake_encoder: Any,
    graph_server: Callable[[], GraphServer],
    auth_proxy: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    credentials: dict[str, str],
) -> None:
    """Through a proxy that asks for credentials (basic or bearer): the right ones work, wrong ones are one line."""
    url = auth_proxy(graph_server().query, **credentials)
    store = tmp_path / "store"
    right = {"KG_GRAPH_" + k.upper(): v for k, v in credentials.items()}
    refused = {**right, **{k: v + "-wrong" for k, v in right.items() if k != "KG_GRAPH_USER"}}
    _one_line(_kg("ingest", str(notes), "--store", str(store), "--graph", url, "--quiet", **refused), "credentials")
    for name, value in right.items():
        monkeypatch.setenv(name, value)
    build_store([notes], store, encoder=fake_encoder, graph=url)
    assert "services" in _kg("facts", "--store", str(store), **right).stdout
    _one_line(_kg("facts", "--store", str(store), **refused), url, "refused the credentials", "KG_GRAPH_")
    manifest = (store / "manifest.json").read_text()
    assert "pw-9f3k" not in manifest and "s3cret" not in manifest


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("password", ["not-dba"])
def test_remote_errors_wrong_password_virtuoso(
    tmp_path: Path, notes: Path, virtuoso: GraphServer, password: str
) -> None:
    result = _kg(
        "ingest", str(notes), "--store", str(tmp_path / "s"), "--graph", virtuoso.query, "--quiet",
        KG_GRAPH_USER="dba", KG_GRAPH_PASSWORD=password,
    )  # fmt: skip
    _one_line(result, virtuoso.query, "refused the credentials")


@pytest.mark.server
@pytest.mark.parametrize("command", ["ingest", "facts", "sparql"])
def test_remote_errors_timeout_is_one_line(
    tmp_path: Path,
    notes: Path,
    fake_encoder: Any,
    graph_server: Callable[[], GraphServer],
    silent_port: int,
    command: str,
) -> None:
    hung = f"http://127.0.0.1:{silent_port}/query"
    if command == "ingest":
        result = _kg("ingest", str(notes), "--store", str(tmp_path / "s"), "--graph", hung, KG_GRAPH_TIMEOUT="0.5")
        _one_line(result, hung, "did not answer within 0.5 s", "KG_GRAPH_TIMEOUT")
        return
    store = tmp_path / "store"
    build_store([notes], store, encoder=fake_encoder, graph=graph_server().query)
    if command == "facts":  # read through another address (--graph) that hangs
        result = _kg("facts", "--store", str(store), "--graph", hung, KG_GRAPH_TIMEOUT="0.5")
        _one_line(result, "did not answer within 0.5 s")
    else:  # a user query past KG_SPARQL_TIMEOUT on a server that answers
        query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"
        _one_line(_kg("sparql", query, "--store", str(store), KG_SPARQL_TIMEOUT="0.5"), "time limit")


@pytest.mark.parametrize(
    ("query", "update", "store"),
    [
        ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
        ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud"),
        ("http://h:8890/sparql-auth", "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth"),
        ("https://n:8182/sparql/", "https://n:8182/sparql/", "https://n:8182/sparql-graph-crud"),
        ("http://h:7200/repositories/notes", "http://h:7200/repositories/notes", ""),
    ],
)
def test_remote_errors_endpoints_derived(query: str, update: str, store: str) -> None:
    assert Endpoints.derive(query) == Endpoints(query, update, store)


@pytest.mark.parametrize("url", ["127.0.0.1:7878/query", "ftp://h/query", "http://me:pw@h/query"])
def test_remote_errors_bad_graph_url(tmp_path: Path, notes: Path, url: str) -> None:
    with pytest.raises(StoreError, match="KG_GRAPH"):
        Endpoints.derive(url)
    if url.startswith("ftp"):  # and through the command line, before anything loads
        _one_line(_kg("ingest", str(notes), "--store", str(tmp_path / "s"), "--graph", url), "KG_GRAPH")


@pytest.mark.parametrize("secret", ["pa55word"])
def test_remote_errors_secrets_never_shown(secret: str) -> None:
    assert secret not in repr(Credentials("me", secret, "")) and secret not in repr(Credentials("", "", secret))
    shown = _kg("settings", KG_GRAPH_PASSWORD=secret, KG_GRAPH="http://h:7878/query").stdout
    assert secret not in shown and "(set: http://h:7878/query)" in shown


@pytest.mark.parametrize(
    ("query", "form"),
    [("ASK { ?s ?p ?o }", "ask"), ("PREFIX ex: <http://e/construct#> SELECT * WHERE { ?s ex:ask ?o }", "select")],
)
def test_remote_errors_query_form(query: str, form: str) -> None:
    assert query_form(query) == form
