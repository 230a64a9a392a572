"""A store: one folder with the graph (Oxigraph), the passages, both indexes, the notes and a manifest.

STORE/
  manifest.json      format version, package versions, model, per-file hashes, counts
  graph/             Oxigraph database (one named graph per source file)
  passages.jsonl     passages with their context
  index/dense/       faiss vectors (all-MiniLM-L6-v2)
  index/sparse/      BM25 (bm25s)
  sources/           the notes as ingested, for showing cited lines in context
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from kg.errors import StoreError
from kg.index.dense import DenseIndex
from kg.index.sparse import SparseIndex
from kg.passages import Passage, load_passages
from kg.store.manifest import Manifest
from kg.store.oxigraph import OxigraphStore
from kg.store.swap import recover

SOURCES_DIR = "sources"
DENSE_DIR = "index/dense"
SPARSE_DIR = "index/sparse"


class KnowledgeStore:
    """An opened store (read-only).

    Raises:
        StoreError: The folder holds no store, or one of another format version.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        recover(self.folder)
        self.manifest = Manifest.read(self.folder)
        self.graph = OxigraphStore(self.folder)
        self._lines: dict[str, list[str]] = {}

    @cached_property
    def passages(self) -> list[Passage]:
        return load_passages(self.folder)

    @cached_property
    def dense(self) -> DenseIndex:
        return DenseIndex.load(self.folder / DENSE_DIR)

    @cached_property
    def sparse(self) -> SparseIndex:
        return SparseIndex.load(self.folder / SPARSE_DIR)

    def source_lines(self, source: str) -> list[str]:
        """The lines of an ingested notes file (as stored with the store), read once."""
        if source not in self._lines:
            path = (self.folder / SOURCES_DIR / source).resolve()
            if self.folder.resolve() not in path.parents or not path.exists():
                raise StoreError(f"{source} is not a source of the store at {self.folder}")
            from ingest.parse import split_lines

            self._lines[source] = split_lines(path.read_bytes().decode("utf-8-sig"))
        return self._lines[source]
