"""The seams of notes-kg as Protocols: pass an implementation in, tests hand in fakes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalized vectors (rows)."""

    dimension: int
    name: str

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray: ...


@runtime_checkable
class VectorIndex(Protocol):
    """Nearest-neighbour search by inner product over normalized vectors."""

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def batch_search(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]: ...


@runtime_checkable
class GraphStore(Protocol):
    """A read-only SPARQL view over the knowledge graph: embedded (``kg.store.oxigraph``) or on a
    graph server (``kg.store.remote``)."""

    def select(self, query: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]: ...

    def ask(self, query: str) -> bool: ...

    def construct(self, query: str) -> Iterator[tuple[Any, Any, Any]]: ...

    def query(self, query: str, *, timeout: float | None = None, row_cap: int | None = None) -> Any:
        """pyoxigraph's result objects (``QuerySolutions``, ``QueryBoolean``, or triples)."""
        ...

    def __len__(self) -> int:
        """Triples in the graph (counted per named graph)."""
        ...


@runtime_checkable
class GraphWriter(Protocol):
    """Writes whole named graphs (one per source file): ``kg.store.remote.RemoteWriter``.

    The embedded graph needs none: each ingest bulk-loads a new generation's database.
    """

    def replace_graph(self, name: str, ntriples: bytes) -> None: ...

    def drop_graphs(self, names: Sequence[str]) -> None: ...

    def graph_sizes(self, names: Sequence[str]) -> dict[str, int]: ...


@runtime_checkable
class Retriever(Protocol):
    """Ranks passages for a query: (passage id, score), best first."""

    def search(self, query: str, k: int) -> list[tuple[int, float]]: ...

    def batch_search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]: ...
