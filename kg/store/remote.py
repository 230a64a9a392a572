"""The graph on a SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, GraphDB, Neptune, ...).

Reading goes through the SPARQL 1.1 Query protocol only. Each query names its dataset in the
protocol (``default-graph-uri`` and ``named-graph-uri``): the named graphs of the store's generation
the reader holds, listed in its manifest. Graphs a newer ingest is writing, or an older one left,
are never part of it, so a reader sees one generation whole. Writing uses the Graph Store HTTP
Protocol (PUT, then POST in batches) where the server has one, else SPARQL Update
(``INSERT DATA``); dropping uses SPARQL Update (``DROP SILENT GRAPH``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from kg.errors import GraphServerError
from kg.sparql import _STRIP_RE, check_read_only, python_to_sparql
from kg.store.endpoints import Endpoints
from kg.store.oxigraph import GraphReads
from kg.store.sparql_http import SparqlHttp

RESULTS_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# Virtuoso's cost-based planner takes seconds to minutes to order a star of a dozen triple patterns
# (the facts and templates queries); told to join in the order written, it answers in milliseconds.
VIRTUOSO_PRAGMA = 'DEFINE sql:select-option "order"\n'
_FORM_RE = re.compile(r"(?<![:?$\w])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![:\w])", re.IGNORECASE)


def query_form(query: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``: the form of a query (its first such keyword).

    >>> query_form("PREFIX ex: <http://e/select> # ASK\\nconstruct { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'construct'
    """
    match = _FORM_RE.search(_STRIP_RE.sub(" ", query))
    return match.group(1).lower() if match else "select"


def parse_response(body: bytes, content_type: str, url: str) -> Any:
    """Query results (``QuerySolutions``/``QueryBoolean``) or a list of triples, as the server sent them.

    Raises:
        GraphServerError: The body is in a format we do not read, or is malformed.
    """
    media = content_type.split(";")[0].strip().lower()
    try:
        if media in RESULT_FORMATS:
            return ox.parse_query_results(body, RESULT_FORMATS[media])
        if media in GRAPH_FORMATS:
            return list(ox.parse(body, GRAPH_FORMATS[media]))
    except (SyntaxError, ValueError) as exc:
        raise GraphServerError(f"the graph server at {url} sent a malformed answer ({exc})") from None
    raise GraphServerError(f"the graph server at {url} answered in {media or 'no media type'}, not SPARQL results")


class RemoteGraph(GraphReads):
    """A read-only SPARQL view over one generation's named graphs on a graph server.

    Args:
        http: The client of the server.
        endpoint: Its SPARQL query endpoint.
        graphs: Each graph of the generation: its name in the notes (``.../graph/source/a.md``) ->
            its name on the server, and the triples it holds.
        union: The generation's union graph on the server (all its triples in one graph), the default
            graph of every query; "" (stores written before it existed): the graphs listed one by one,
            which servers evaluate graph by graph (Oxigraph: 30 s and more for one query at 480 graphs).
    """

    path = None  # no folder: kg.query runs user queries in this process, under their deadline
    remote = True

    def __init__(self, http: SparqlHttp, endpoint: str, graphs: Mapping[str, tuple[str, int]], union: str = "") -> None:
        self.http = http
        self.endpoint = endpoint
        self.graphs = dict(graphs)
        served = sorted(name for name, _ in self.graphs.values())
        self.dataset: dict[str, Any] = {"default-graph-uri": [union] if union else served, "named-graph-uri": served}

    def query(self, query: str, *, timeout: float | None = None, row_cap: int | None = None) -> Any:
        """Run a read-only query over this generation's graphs; return pyoxigraph's result objects.

        Raises:
            QueryError: The query is not read-only, or the server rejected it.
            GraphServerError: The server does not answer, refuses the credentials, or fails.
        """
        check_read_only(query)
        accept = GRAPH_ACCEPT if query_form(query) in {"construct", "describe"} else RESULTS_JSON
        if self.http.software is None:  # which server it is: one ASK per process
            self.http.request("POST", self.endpoint, data={"query": "ASK {}"}, headers={"Accept": RESULTS_JSON})
        if "virtuoso" in (self.http.software or "").lower():
            query = VIRTUOSO_PRAGMA + query
        response = self.http.request(
            "POST",
            self.endpoint,
            data={"query": query, **self.dataset},
            headers={"Accept": accept},
            timeout=timeout,
        )
        return parse_response(response.content, response.headers.get("content-type", ""), self.endpoint)

    def __len__(self) -> int:
        """Triples in the generation's graphs (a triple in two graphs counts twice, as in the store)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0

    def quads(self) -> Iterator[ox.Quad]:
        """Every triple with its graph's name in the notes (as the embedded store names it).

        Raises:
            GraphServerError: The server returned fewer triples than the graph holds (a result cap).
        """
        for name, (served, expected) in sorted(self.graphs.items()):
            triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{served}> {{ ?s ?p ?o }} }}")
            if len(triples) < expected:
                raise GraphServerError(
                    f"the graph server at {self.endpoint} returned {len(triples)} of the {expected} triples of "
                    f"<{served}>: raise its result cap (Virtuoso: ResultSetMaxRows in [SPARQL])"
                )
            graph = ox.NamedNode(name)
            for triple in triples:
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)


class RemoteWriter:
    """Writes and drops whole named graphs on a graph server.

    Args:
        http: The client of the server.
        endpoints: Its endpoints (``store`` empty: graphs are written by SPARQL Update).
        batch: Most triples sent in one request.
    """

    def __init__(self, http: SparqlHttp, endpoints: Endpoints, batch: int) -> None:
        self.http = http
        self.endpoints = endpoints
        self.batch = max(1, batch)

    def replace_graph(self, name: str, ntriples: bytes) -> None:
        """Make the graph ``name`` hold exactly the triples of ``ntriples`` (N-Triples, one per line)."""
        lines = [line for line in ntriples.split(b"\n") if line.strip()]
        chunks = [b"\n".join(lines[i : i + self.batch]) + b"\n" for i in range(0, len(lines), self.batch)] or [b""]
        if self.endpoints.store:
            for number, chunk in enumerate(chunks):
                self.http.request(
                    "PUT" if number == 0 else "POST",
                    self.endpoints.store,
                    params={"graph": name},
                    content=chunk,
                    headers={"Content-Type": "application/n-triples"},
                )
            return
        self.update(f"DROP SILENT GRAPH <{name}>")
        for chunk in chunks:
            if chunk.strip():
                self.update(f"INSERT DATA {{ GRAPH <{name}> {{\n{chunk.decode('utf-8')}}} }}")

    def merge_graphs(self, names: Sequence[str], into: str, per_request: int = 50) -> None:
        """Make the graph ``into`` hold the triples of all the graphs ``names`` (SPARQL 1.1 Update ``ADD``)."""
        self.update(f"DROP SILENT GRAPH <{into}>")
        for start in range(0, len(names), per_request):
            self.update(" ;\n".join(f"ADD <{name}> TO <{into}>" for name in names[start : start + per_request]))

    def drop_graphs(self, names: Sequence[str], per_request: int = 50) -> None:
        for start in range(0, len(names), per_request):
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in names[start : start + per_request]))

    def update(self, update: str) -> None:
        self.http.request("POST", self.endpoints.update, data={"update": update})

    def graph_sizes(self, names: Sequence[str]) -> dict[str, int]:
        """Triples in each of the named graphs ``names`` (0 for one the server does not have), in one query."""
        if not names:
            return {}
        values = " ".join(python_to_sparql(name) for name in names)
        query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        response = self.http.request(
            "POST", self.endpoints.query, data={"query": query}, headers={"Accept": RESULTS_JSON}
        )
        result = parse_response(response.content, response.headers.get("content-type", ""), self.endpoints.query)
        sizes = dict.fromkeys(names, 0)
        for row in result:
            sizes[row["g"].value] = int(row["n"].value)
        return sizes
