"""Shared fixtures (listed in tests/README.md).

- ``repo``: the repository root.
- ``aws_notes``: path of the bundled AWS notes.
- ``fake_encoder``: a deterministic hashing encoder (no model) for unit tests.
- ``small_notes``: a folder with a short Markdown and a short text notes file.
- ``small_store``: a store built from ``small_notes`` with the fake encoder (fast).
- ``aws_store``: a store built from the bundled notes with the real MiniLM model (slow, once).
- ``aws_engine``: a question-answering engine over ``aws_store`` (slow, once).
- ``graph_server``: starts ``oxigraph serve`` on a free 127.0.0.1 port (``graph_server()`` gives a
  ``GraphServer`` with its ``query`` URL and ``stop()``); every server is stopped after the test.
- ``virtuoso``: one OpenLink Virtuoso for the session on free ports (user ``dba``/``dba``),
  skipped with the reason when ``virtuoso-t`` is not installed (``make virtuoso-deps``).
- ``auth_proxy``: an HTTP proxy that asks for a user and password (basic) or a bearer token before
  passing requests on to a server (``auth_proxy(url, user=..., password=..., token=...)``).
  (The servers are started by ``benchmarks/graph_servers.py``, which `make bench` uses too.)
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from benchmarks.graph_servers import GraphServer, start_oxigraph, start_virtuoso

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"


class FakeEncoder:
    """Deterministic bag-of-words hashing encoder: similar texts get similar vectors."""

    name = "fake-hashing-encoder"
    dimension = 64

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.sha1(word.strip(".,:;()").encode()).digest()
                vectors[row, digest[0] % self.dimension] += 1.0
            norm = np.linalg.norm(vectors[row])
            vectors[row] = vectors[row] / norm if norm else vectors[row]
        return vectors


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def aws_notes() -> Path:
    return REPO / "data" / "notes" / "aws-notes.txt"


@pytest.fixture(scope="session")
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def small_notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small-notes")
    shutil.copy(DATA / "small-notes.md", folder / "small-notes.md")
    shutil.copy(DATA / "small-rendered.txt", folder / "small-rendered.txt")
    return folder


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory, small_notes: Path, fake_encoder: FakeEncoder) -> Path:
    from kg.builder import build_store

    store = tmp_path_factory.mktemp("small-store") / "store"
    build_store([small_notes], store, encoder=fake_encoder)
    return store


@pytest.fixture(scope="session")
def aws_store(tmp_path_factory: pytest.TempPathFactory, aws_notes: Path) -> Path:
    from kg.builder import build_store

    store = tmp_path_factory.mktemp("aws-store") / "store"
    build_store([aws_notes], store)
    return store


@pytest.fixture(scope="session")
def aws_engine(aws_store: Path):  # type: ignore[no-untyped-def]
    from kg.qa.engine import Engine

    return Engine.open(aws_store)


@pytest.fixture
def graph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], GraphServer]]:
    started: list[GraphServer] = []

    def start() -> GraphServer:
        server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphServer]:
    try:
        server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    except (FileNotFoundError, RuntimeError) as exc:
        pytest.skip(f"no Virtuoso for this run: {exc}")
    yield server
    server.stop()


@pytest.fixture
def auth_proxy() -> Iterator[Callable[..., str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(target: str, *, user: str = "", password: str = "", token: str = "") -> str:
        expected = f"Bearer {token}" if token else "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        upstream = urlsplit(target)

        class Proxy(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _pass(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="graph"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                connection = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"authorization", "host"}}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = _pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{upstream.path}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
