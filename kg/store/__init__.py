"""A store: one folder with the graph (Oxigraph), the passages, both indexes, the notes and a manifest.

STORE/
  manifest.json          format version, package versions, model, per-file hashes, counts, generation
  generations/gNNNNNN/   one generation (see kg/store/generations.py):
    manifest.json        the same manifest (with the graph server and its graph names, if any)
    graph/               Oxigraph database (one named graph per source file), unless on a graph server
    passages.jsonl       passages with their context
    index/dense/         faiss vectors (all-MiniLM-L6-v2)
    index/sparse/        BM25 (bm25s)
    sources/             the notes as ingested, for showing cited lines in context

A reader opens every part from the generation current when it opened, and holds it until ``close``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kg import settings
from kg.errors import StoreError
from kg.index.dense import DenseIndex
from kg.index.sparse import SparseIndex
from kg.passages import Passage, load_passages
from kg.store.generations import current_generation, pin
from kg.store.graphs import open_graph
from kg.store.manifest import MANIFEST_NAME, Manifest
from kg.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from kg.store.remote import RemoteGraph

log = logging.getLogger(__name__)

SOURCES_DIR = "sources"
DENSE_DIR = "index/dense"
SPARSE_DIR = "index/sparse"


class KnowledgeStore:
    """An opened store (read-only).

    Args:
        folder: The store folder.
        graph: The graph server's query endpoint to read from instead of the one the manifest
            names (default: ``KG_GRAPH``; "" reads where the manifest says).

    Raises:
        StoreError: The folder holds no store, or one of another format version.
    """

    def __init__(self, folder: str | Path, graph: str | None = None) -> None:
        self.folder = Path(folder)
        Manifest.read(self.folder)  # no store, or one of another format: a clear error before anything opens
        self._pin = pin(self.folder)
        try:
            if not self._pin.generation:
                raise StoreError(f"the store at {self.folder} names no generation: run `kg ingest` again")
            self.path = self._pin.folder  # the pinned generation: every part is read from here
            self.generation = self._pin.generation
            self.manifest = Manifest.read(self.path)
            self.manifest.generation = self.generation
            override = str(settings.get("graph")) if graph is None else graph
            self.graph_override = override
            self.graph: OxigraphStore | RemoteGraph = open_graph(self.path, self.manifest.graph, override)
        except BaseException:
            self._pin.release()
            raise
        self._lines: dict[str, list[str]] = {}
        self._seen: tuple[int, int] = (0, 0)
        self._current = True

    def is_current(self) -> bool:
        """False once a newer generation has been published (reopen to see it)."""
        try:
            seen = os.stat(self.folder / MANIFEST_NAME)
        except OSError:
            return False
        key = (seen.st_ino, seen.st_mtime_ns)
        if key != self._seen:  # the top manifest was replaced: read which generation it names
            self._seen = key
            self._current = current_generation(self.folder) == self.generation
        return self._current

    def close(self) -> None:
        """Let a later ingest remove this generation."""
        self._pin.release()

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def passages(self) -> list[Passage]:
        with self._damage("passages.jsonl"):
            return load_passages(self.path)

    @cached_property
    def dense(self) -> DenseIndex:
        with self._damage("index/dense"):
            dense = DenseIndex.load(self.path / DENSE_DIR)
        if len(dense) != len(self.passages):
            raise self._damaged(f"index/dense holds {len(dense)} vectors for {len(self.passages)} passages")
        return dense

    @cached_property
    def sparse(self) -> SparseIndex:
        with self._damage("index/sparse"):
            return SparseIndex.load(self.path / SPARSE_DIR)

    def _damaged(self, what: str) -> StoreError:
        return StoreError(f"the store at {self.folder} is damaged ({what}): run `kg ingest` again")

    @contextmanager
    def _damage(self, part: str) -> Iterator[None]:
        """Any failure to read ``part`` is a damaged store, said in one line."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            log.debug("reading %s failed", part, exc_info=True)
            raise self._damaged(f"{part} cannot be read: {type(exc).__name__}") from None

    def source_lines(self, source: str) -> list[str]:
        """The lines of an ingested notes file (as stored with the store), read once."""
        if source not in self._lines:
            path = (self.path / SOURCES_DIR / source).resolve()
            if self.path.resolve() not in path.parents or not path.exists():
                raise StoreError(f"{source} is not a source of the store at {self.folder}")
            from ingest.parse import decode_notes, split_lines

            self._lines[source] = split_lines(decode_notes(path.read_bytes(), source))
        return self._lines[source]


class LiveStore:
    """A store that moves to the newest generation between requests (`kg serve`).

    A request takes ``current()`` once and uses it to the end; the generation it holds stays on disk
    while any request still uses it (the pin is released when the last reference goes).
    """

    def __init__(self, folder: str | Path | KnowledgeStore) -> None:
        self._store = folder if isinstance(folder, KnowledgeStore) else KnowledgeStore(folder)
        self.folder = self._store.folder
        self._lock = threading.Lock()

    def current(self) -> KnowledgeStore:
        with self._lock:
            if not self._store.is_current():
                try:
                    self._store = KnowledgeStore(self.folder, self._store.graph_override)
                except StoreError as exc:  # keep answering from the generation we hold
                    log.warning("staying on generation %s: %s", self._store.generation, exc)
            return self._store
