"""The graph on disk in Oxigraph, queried through pyoxigraph directly (the measured hot path)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.sparql import check_read_only, term_to_python

GRAPH_DIR = "graph"


class GraphReads:
    """SELECT rows, ASK and CONSTRUCT over a graph's ``query`` (embedded or on a server)."""

    def query(self, query: str, *, timeout: float | None = None, row_cap: int | None = None) -> Any:
        raise NotImplementedError

    def select(self, query: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts of Python values (IRIs as strings, literals converted)."""
        if bindings:
            query = substitute(query, bindings)
        result = self.query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        return [{name: term_to_python(row[name]) for name in names if row[name] is not None} for row in result]

    def ask(self, query: str) -> bool:
        return bool(self.query(query))

    def construct(self, query: str) -> Iterator[tuple[Any, Any, Any]]:
        for triple in self.query(query):
            yield triple.subject, triple.predicate, triple.object


class OxigraphStore(GraphReads):
    """A read-only SPARQL view over the store's Oxigraph database.

    Args:
        folder: The store folder (the database is in its ``graph/`` subfolder).
        store: An already open pyoxigraph store (for an in-memory graph in tests).
    """

    def __init__(self, folder: Path | None = None, *, store: ox.Store | None = None) -> None:
        self.path: Path | None = None
        if store is not None:
            self._store = store
        else:
            if folder is None:
                raise StoreError("OxigraphStore needs a folder or a store")
            path = folder / GRAPH_DIR
            if not path.exists():
                raise StoreError(f"no graph in {folder}: run `kg ingest`")
            self.path = path
            try:
                self._store = ox.Store.read_only(str(path))
            except (OSError, ValueError, RuntimeError) as exc:
                raise StoreError(
                    f"the store at {folder} is damaged (graph cannot be opened: {type(exc).__name__}): "
                    "run `kg ingest` again"
                ) from None

    @property
    def raw(self) -> ox.Store:
        return self._store

    def query(self, query: str, *, timeout: float | None = None, row_cap: int | None = None) -> Any:
        """Run a read-only query; return pyoxigraph's result object.

        Raises:
            QueryError: The query is malformed (with the parser's position) or not read-only.
        """
        check_read_only(query)
        try:
            return self._store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from None

    def select_limited(
        self, query: str, *, timeout: float, row_cap: int
    ) -> tuple[list[str], list[list[Any]], bool, bool]:
        """Rows of a SELECT as pyoxigraph terms, stopping at ``row_cap`` rows or ``timeout`` seconds.

        Returns:
            (variables, rows, capped, timed_out)
        """
        deadline = time.monotonic() + timeout
        result = self.query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[list[Any]] = []
        for row in result:
            if len(rows) >= row_cap:
                return names, rows, True, False
            if time.monotonic() > deadline:
                return names, rows, False, True
            rows.append([row[name] for name in names])
        return names, rows, False, False

    def __len__(self) -> int:
        return len(self._store)


def substitute(query: str, bindings: Mapping[str, Any]) -> str:
    """Put values for ``?name`` placeholders into a query as a VALUES clause at its start."""
    from kg.sparql import python_to_sparql

    clauses = " ".join(f"VALUES ?{name} {{ {python_to_sparql(value)} }}" for name, value in bindings.items())
    brace = query.index("{")
    return query[: brace + 1] + " " + clauses + " " + query[brace + 1 :]
