"""`kg serve`: the graph over the SPARQL 1.1 Protocol, read-only.

    GET  /sparql?query=...                          (also /query)
    POST /sparql  application/x-www-form-urlencoded  query=...
    POST /sparql  application/sparql-query           the query as the body

HTTP/1.1 with keep-alive, a listen backlog of 128, idle connections closed after 30 s, bodies of
1 MB at most. A query that runs past the time limit, or whose client goes away, is stopped (its
worker process is killed, see kg/query.py). No CORS header unless ``--cors ORIGIN`` is given.

Results follow the ``Accept`` header: SPARQL JSON (default), XML, CSV or TSV for SELECT/ASK;
N-Triples or Turtle for CONSTRUCT/DESCRIBE. Updates (``update=`` or update syntax), ``LOAD`` and
``SERVICE`` are refused with 403; malformed queries get 400 with the parser's message. Each query
runs under the ``sparql_timeout`` and ``sparql_row_cap`` settings: a query stopped at the time
limit before any result gets 503; one with rows by then gets them with ``X-Timeout-Reached: true``
(as ``X-Row-Cap-Reached`` marks a capped one). ``GET /`` serves a small page.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import select
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

import pyoxigraph as ox

from kg import settings
from kg.build import PREFIXES, sparql_prefixes
from kg.errors import QueryError
from kg.query import QueryResult, execute
from kg.sparql import _json_term, term_text
from kg.store import KnowledgeStore, LiveStore

log = logging.getLogger(__name__)

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}
MAX_BODY = 1_000_000
IDLE_SECONDS = 30


def negotiate(accept: str, choices: dict[str, Any], default: str) -> str:
    """The first media type of ``accept`` (by q value) that ``choices`` offers, else ``default``."""
    ranked = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        quality = 1.0
        for parameter in pieces[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, pieces[0].lower()))
    for _, _, media in sorted(ranked):
        if media in choices:
            return media
        if media in {"*/*", "application/*", "text/*"}:
            return default
    return default


def render_select(result: QueryResult, fmt: str) -> bytes:
    if fmt == "json":
        if result.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
        bindings = [
            {name: _json_term(term) for name, term in zip(result.variables, row, strict=False) if term is not None}
            for row in result.rows
        ]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        if result.kind == "ask":
            out += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
            return "\n".join(out).encode()
        out.append("<head>" + "".join(f'<variable name="{escape(v)}"/>' for v in result.variables) + "</head>")
        out.append("<results>")
        for row in result.rows:
            out.append("<result>")
            for name, term in zip(result.variables, row, strict=False):
                if term is None:
                    continue
                if isinstance(term, ox.NamedNode):
                    value = f"<uri>{escape(term.value)}</uri>"
                elif isinstance(term, ox.BlankNode):
                    value = f"<bnode>{escape(term.value)}</bnode>"
                else:
                    datatype = f' datatype="{escape(term.datatype.value)}"' if term.datatype else ""
                    value = f"<literal{datatype}>{escape(term.value)}</literal>"
                out.append(f'<binding name="{escape(name)}">{value}</binding>')
            out.append("</result>")
        out += ["</results>", "</sparql>"]
        return "\n".join(out).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([term_text(t) for t in row])
    return buffer.getvalue().encode()


class SparqlHandler(BaseHTTPRequestHandler):
    """One request of the endpoint (the store is shared, read-only); HTTP/1.1 with keep-alive."""

    live: LiveStore
    cors: str = ""  # the origin browsers may read answers from ("" sends no CORS header)
    server_version = "notes-kg-sparql/1"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS  # an idle or slow client's connection is closed after this

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/":
            self._page()
            return
        if url.path not in {"/sparql", "/query"}:
            self._error(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
            return
        params = parse_qs(url.query)
        if "update" in params:
            self._error(HTTPStatus.FORBIDDEN, "refused: this endpoint is read-only (no updates)")
            return
        queries = params.get("query", [])
        if len(queries) != 1:
            self._error(HTTPStatus.BAD_REQUEST, "give exactly one query parameter: /sparql?query=...")
            return
        self._answer(queries[0])

    def do_POST(self) -> None:
        url = urlparse(self.path)
        if url.path not in {"/sparql", "/query", "/update"}:
            self._error(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
            return
        raw_length = (self.headers.get("Content-Length") or "0").strip()
        if not raw_length.isdigit():
            self._error(HTTPStatus.BAD_REQUEST, "Content-Length must be a whole number of bytes")
            return
        length = int(raw_length)
        if length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the request body is too large (1 MB at most)")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if url.path == "/update" or kind == "application/sparql-update":
            self._error(HTTPStatus.FORBIDDEN, "refused: this endpoint is read-only (no updates)")
            return
        if kind == "application/sparql-query":
            self._answer(body)
            return
        if kind == "application/x-www-form-urlencoded":
            params = parse_qs(body)
            if "update" in params:
                self._error(HTTPStatus.FORBIDDEN, "refused: this endpoint is read-only (no updates)")
                return
            queries = params.get("query", [])
            if len(queries) == 1:
                self._answer(queries[0])
                return
        self._error(HTTPStatus.BAD_REQUEST, "POST a query as application/sparql-query or as form field query=")

    def _answer(self, query: str) -> None:
        try:
            result = execute(self.live.current().graph, query, cancelled=self._client_gone)
        except QueryError as exc:
            status = HTTPStatus.FORBIDDEN if str(exc).startswith("refused") else HTTPStatus.BAD_REQUEST
            self._error(status, str(exc))
            return
        if result.timed_out and not (result.rows or result.triples):
            limit = settings.get("sparql_timeout")
            self._error(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"the query ran past the {limit} s time limit (KG_SPARQL_TIMEOUT) before any result: narrow it",
            )
            return
        accept = self.headers.get("Accept") or "*/*"
        if result.kind == "graph":
            media = negotiate(accept, GRAPH_TYPES, "application/n-triples")
            prefixes = PREFIXES if media == "text/turtle" else None
            body = ox.serialize(result.triples, format=GRAPH_TYPES[media], prefixes=prefixes) or b""
        else:
            media = negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
            body = render_select(result, RESULT_TYPES[media])
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", f"{media}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", self.cors)
        if result.capped:
            self.send_header("X-Row-Cap-Reached", "true")
        if result.timed_out:
            self.send_header("X-Timeout-Reached", "true")
        self.end_headers()
        self.wfile.write(body)

    def _client_gone(self) -> bool:
        """True once the client closed its connection (its query is then stopped)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _error(self, status: HTTPStatus, message: str) -> None:
        body = (message + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _page(self) -> None:
        example = sparql_prefixes() + "\nSELECT ?label WHERE { ?s a nkg:Service ; skos:prefLabel ?label } LIMIT 20"
        body = (
            "<!doctype html><title>notes-kg SPARQL</title><h1>notes-kg SPARQL endpoint</h1>"
            "<p>Read-only SPARQL 1.1 Protocol at <code>/sparql</code>.</p>"
            '<form action="/sparql" method="get"><textarea name="query" rows="14" cols="100">'
            f"{html.escape(example)}</textarea><br><button>Run</button></form>"
        ).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class EndpointServer(ThreadingHTTPServer):
    """A threading server with a real listen backlog and daemon threads."""

    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away or stayed idle past the timeout: nothing to report
        super().handle_error(request, client_address)


def make_server(
    store: KnowledgeStore | LiveStore, host: str = "127.0.0.1", port: int = 7878, cors: str = ""
) -> ThreadingHTTPServer:
    """A server bound to ``host:port`` (port 0 picks a free one) answering from ``store``.

    Each request answers from the store's newest generation (a re-ingest is seen by the next request).
    """
    live = store if isinstance(store, LiveStore) else LiveStore(store)
    handler = type("BoundSparqlHandler", (SparqlHandler,), {"live": live, "cors": cors})
    return EndpointServer((host, port), handler)


def serve(store: KnowledgeStore | LiveStore, host: str = "127.0.0.1", port: int = 7878, cors: str = "") -> None:
    """Serve until interrupted."""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        print(
            f"warning: serving on {host}: anyone who can reach this machine can read your notes' graph", file=sys.stderr
        )
    server = make_server(store, host, port, cors)
    bound_host, bound_port = server.server_address[:2]
    host_text = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
    print(f"SPARQL endpoint on http://{host_text}:{bound_port}/sparql (read-only; Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
