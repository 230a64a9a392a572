"""`kg ingest`: parse notes, extract facts, build the graph and indexes, publish a new generation.

Nothing touches the existing store until everything is built as a new generation inside it: a bad
file or a crash mid-ingest leaves the previous store whole, and readers keep the generation they
opened (kg/store/generations.py). A folder that is not a store is refused before anything is read.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyoxigraph as ox

from ingest.extract import build_pipeline, extract
from ingest.facts import Extraction
from ingest.model import Document
from ingest.parse import discover, parse_file
from kg import settings
from kg.build import build_dataset
from kg.errors import KGError, StoreError
from kg.index.cache import CACHE_DIR, EmbeddingCache
from kg.index.dense import DIMENSION, MODEL_NAME, DenseIndex, default_encoder
from kg.index.sparse import SparseIndex
from kg.passages import Passage, build_passages, save_passages
from kg.store import DENSE_DIR, SOURCES_DIR, SPARSE_DIR
from kg.store.endpoints import Endpoints
from kg.store.freshness import default_paths, is_up_to_date
from kg.store.generations import WriterLock, check_store_target, discard, publish, read_top_manifest, staging_dir
from kg.store.graphs import check_graph_server, split_graphs, write_graphs
from kg.store.manifest import MANIFEST_NAME, Manifest
from kg.store.oxigraph import GRAPH_DIR
from kg.types import Encoder

log = logging.getLogger(__name__)

Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]


def _no_progress(items: Iterable[Any], total: int, label: str) -> Iterable[Any]:
    return items


@contextmanager
def _timed(timings: dict[str, float], name: str):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - start, 3)


def parse_all(paths: Sequence[str | Path], progress: Progress = _no_progress) -> list[Document]:
    """Parse every notes file under ``paths`` (raises ParseError on the first bad one)."""
    files = discover(paths)
    max_bytes = int(settings.get("max_file_mb")) * 1_000_000
    return [parse_file(path, source, max_bytes=max_bytes) for path, source in progress(files, len(files), "parse")]


def build_store(
    paths: Sequence[str | Path],
    store: Path,
    *,
    encoder: Encoder | None = None,
    progress: Progress = _no_progress,
    graph: str | None = None,
) -> Manifest:
    """Build a store from notes and swap it in at ``store``.

    Args:
        paths: Notes files or folders.
        store: The store folder to (re)place.
        encoder: Passage encoder (default: all-MiniLM-L6-v2).
        progress: Wraps each phase's items with a progress display.
        graph: The graph server's query endpoint to keep the graph on, or ``embedded`` (default:
            ``KG_GRAPH``, else wherever the store keeps it now; see kg/store/graphs.py).

    Returns:
        The new store's manifest.

    Raises:
        ParseError: A notes file is missing, empty, binary or not UTF-8 (the old store is untouched).
        StoreError: ``store`` is not a store's to take (a file, a folder of other things, the notes
            folder), another ingest is writing it, or the new store could not be written.
        GraphServerError: The graph server does not answer, refuses the credentials, or fails.
    """
    check_store_target(store, [Path(p) for p in paths])
    previous = _previous_graph(store)
    server = check_graph_server(graph, store)  # a server that is down: said before anything is read
    with WriterLock(store):
        return _build_locked(paths, store, encoder, progress, server, previous)


def _previous_graph(store: Path) -> dict[str, Any] | None:
    """The graph record of the store's current manifest (None for a new store)."""
    top = read_top_manifest(store)
    record = top.get("graph") if top else None
    return record if isinstance(record, dict) else None


def _build_locked(
    paths: Sequence[str | Path],
    store: Path,
    encoder: Encoder | None,
    progress: Progress,
    server: Endpoints | None,
    previous: dict[str, Any] | None,
) -> Manifest:
    timings: dict[str, float] = {}
    with _timed(timings, "parse"):
        documents = parse_all(paths, progress)
    with _timed(timings, "extract"):
        nlp = build_pipeline()
        extraction = extract(documents, nlp=nlp, progress=lambda s, n: progress(s, n, "extract"))
    staged = staging_dir(store)
    try:
        record: dict[str, Any] = {}
        with _timed(timings, "graph"):
            if server is None:
                counts = write_graph(documents, extraction, staged / GRAPH_DIR)
            else:
                counts, record = write_remote_graph(documents, extraction, server, previous, staged)
        with _timed(timings, "passages"):
            passages = build_passages(documents, extraction)
            save_passages(passages, staged)
            SparseIndex.build([p.index_text() for p in passages]).save(staged / SPARSE_DIR)
        with _timed(timings, "encode"):
            model = encoder.name if encoder else MODEL_NAME
            dimension = encoder.dimension if encoder else DIMENSION
            texts = [p.index_text() for p in passages]
            cache = _previous_cache(store, model, dimension)

            def load_encoder() -> Encoder:
                nonlocal encoder
                encoder = encoder or default_encoder()  # loaded only when something is new
                return encoder

            # passages only: units built of several passages read their passages' vectors (vectors of
            # their own doubled the encoding for no gain: leave-one-corpus-out ranking 0.656 with and without)
            vectors, encoded = cache.encode(texts, load_encoder, progress)
            _dense_from([vectors], model, dimension).save(staged / DENSE_DIR)
            cache.save(staged / CACHE_DIR, texts)
        _copy_sources(paths, documents, staged / SOURCES_DIR)
        manifest = Manifest(
            model=model,
            files={d.source: d.sha256 for d in documents},
            counts={
                **counts,
                "documents": len(documents),
                "lines": sum(len(d.lines) for d in documents),
                "sections": sum(len(d.sections) - 1 for d in documents),
                "blocks": sum(len(d.blocks) for d in documents),
                "passages": len(passages),
                "encoded_texts": encoded,
            },
            timings=timings,
            graph=record,
        )
        manifest.write(staged)
        manifest.generation = publish(store, staged, manifest.to_dict())
    except BaseException:
        discard(staged)
        raise
    return manifest


def _previous_cache(store: Path, model: str, dimension: int) -> EmbeddingCache:
    """The embedding cache of the store's current generation (empty for a new store)."""
    from kg.store import KnowledgeStore

    try:
        with KnowledgeStore(store, graph="") as old:  # the vectors only: wherever its graph is
            return EmbeddingCache.load(old.path / CACHE_DIR, model, dimension)
    except (KGError, OSError, ValueError):
        return EmbeddingCache(model, dimension)


def _dense_from(vectors: list[Any], model: str, dimension: int) -> DenseIndex:
    import faiss

    index = faiss.IndexFlatIP(dimension)
    for batch in vectors:
        if len(batch):
            index.add(np.ascontiguousarray(batch, dtype=np.float32))
    return DenseIndex(index, model)


def write_graph(documents: list[Document], extraction: Extraction, folder: Path) -> dict[str, int]:
    """Write the graph to an Oxigraph database at ``folder``; return counts per kind."""
    dataset = build_dataset(documents, extraction)
    data = dataset.serialize(format="nquads", encoding="utf-8")
    store = ox.Store(str(folder))
    try:
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        store.flush()
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"cannot write the graph ({exc}): check free disk space and retry") from None
    triples = len(store)
    del store
    return _counts(extraction, triples)


def write_remote_graph(
    documents: list[Document],
    extraction: Extraction,
    server: Endpoints,
    previous: dict[str, Any] | None,
    staged: Path,
) -> tuple[dict[str, int], dict[str, Any]]:
    """Write the graphs whose triples changed to the graph server; return counts and the manifest's record."""
    dataset = build_dataset(documents, extraction)
    payloads = split_graphs(dataset.serialize(format="nquads", encoding="utf-8"))
    record, written = write_graphs(payloads, server, previous, staged)
    return {**_counts(extraction, sum(p.triples for p in payloads)), "graphs_written": written}, record


def _counts(extraction: Extraction, triples: int) -> dict[str, int]:
    return {
        "triples": triples,
        "entities": len(extraction.entities),
        "services": sum(1 for e in extraction.entities.values() if e.kind == "service"),
        "components": sum(1 for e in extraction.entities.values() if e.kind == "component"),
        "definitions": len(extraction.definitions),
        "limits": len(extraction.limits),
        "relations": len(extraction.relations),
        "comparisons": len(extraction.comparisons),
    }


def _copy_sources(paths: Sequence[str | Path], documents: Sequence[Document], folder: Path) -> None:
    """The notes as ingested, for citations in context; a pipe (``/dev/stdin``) is never read twice."""
    parsed = {document.source: document for document in documents}
    for path, source in discover(paths):
        target = folder / source
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            shutil.copyfile(path, target)
        else:  # a pipe or a device: what was read once, as its lines
            target.write_text("\n".join(parsed[source].lines) + "\n", encoding="utf-8")


__all__ = ["MANIFEST_NAME", "Passage", "build_store", "default_paths", "is_up_to_date"]
