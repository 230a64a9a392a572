"""Running user SPARQL (CLI, app, endpoint): read-only, formatted, with a row cap and a time limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg import settings
from kg.errors import QueryError
from kg.sparql import format_rows
from kg.store.oxigraph import OxigraphStore


@dataclass
class QueryResult:
    """A query's outcome: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)
    capped: bool = False
    timed_out: bool = False


def execute(
    graph: OxigraphStore, query: str, *, timeout: float | None = None, row_cap: int | None = None
) -> QueryResult:
    """Run a read-only query with a row cap and a time limit (checked while rows stream).

    Raises:
        QueryError: Malformed (with the parser's position), refused (not read-only), or failed.
    """
    timeout = float(settings.get("sparql_timeout")) if timeout is None else timeout
    row_cap = int(settings.get("sparql_row_cap")) if row_cap is None else row_cap
    result = graph.query(query)
    if isinstance(result, ox.QuerySolutions):
        import time

        deadline = time.monotonic() + timeout
        names = [v.value for v in result.variables]
        out = QueryResult(kind="select", variables=names)
        for row in result:
            if len(out.rows) >= row_cap:
                out.capped = True
                break
            if time.monotonic() > deadline:
                out.timed_out = True
                break
            out.rows.append([row[name] for name in names])
        return out
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(result))
    triples: list[Any] = []
    for triple in result:
        if len(triples) >= row_cap:
            return QueryResult(kind="graph", triples=triples, capped=True)
        triples.append(triple)
    return QueryResult(kind="graph", triples=triples)


def run_query(graph: OxigraphStore, query: str, fmt: str = "table") -> str:
    """Execute and format a query for the terminal (`kg sparql`)."""
    if not query.strip():
        raise QueryError("the query is empty: give a SPARQL query or - to read one from stdin")
    result = execute(graph, query, timeout=float("inf"), row_cap=10**9)
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return (ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8").rstrip("\n")
    return format_rows(result.variables, result.rows, fmt)
