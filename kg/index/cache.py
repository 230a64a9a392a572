"""Embedding cache: vectors keyed by (model, exact text), kept in the store so no text is encoded twice.

Each generation writes the vectors of its texts to ``index/cache/``; the next ingest reads the
current generation's cache (pinned, so a concurrent reader never loses it) and encodes only texts
it has not seen. Missing texts are encoded in one pass ordered by length (padding costs least).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kg.types import Encoder

CACHE_DIR = "index/cache"
CHUNK = 256  # texts per encoder call (a progress step)


def text_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x1f{text}".encode()).hexdigest()


class EmbeddingCache:
    """Vectors by ``text_key``.

    >>> cache = EmbeddingCache("m", 2)
    >>> cache.add(["a"], np.ones((1, 2), dtype=np.float32))
    >>> cache.missing(["a", "b"])
    ['b']
    """

    def __init__(self, model: str, dimension: int) -> None:
        self.model = model
        self.dimension = dimension
        self.vectors: dict[str, np.ndarray] = {}

    def missing(self, texts: Iterable[str]) -> list[str]:
        return [t for t in dict.fromkeys(texts) if text_key(self.model, t) not in self.vectors]

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        for text, vector in zip(texts, vectors, strict=True):
            self.vectors[text_key(self.model, text)] = np.asarray(vector, dtype=np.float32)

    def encode(
        self,
        texts: Sequence[str],
        encoder: Callable[[], Encoder],
        progress: Callable[[Iterable[Any], int, str], Iterable[Any]] | None = None,
    ) -> tuple[np.ndarray, int]:
        """Vectors of ``texts`` (rows in order), encoding only the new ones; returns (vectors, encoded)."""
        new = sorted(self.missing(texts), key=len)
        if new:
            active = encoder()
            chunks = [new[i : i + CHUNK] for i in range(0, len(new), CHUNK)]
            for chunk in progress(chunks, len(chunks), "encode") if progress else chunks:
                self.add(chunk, active.encode(chunk, batch_size=64))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), len(new)
        return np.stack([self.vectors[text_key(self.model, t)] for t in texts]), len(new)

    def save(self, folder: Path, keep: Iterable[str]) -> None:
        """Write the vectors of ``keep`` (the texts of this generation)."""
        keys = list(dict.fromkeys(text_key(self.model, t) for t in keep))
        folder.mkdir(parents=True, exist_ok=True)
        matrix = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, self.dimension), np.float32)
        np.save(folder / "vectors.npy", matrix)
        (folder / "keys.json").write_text(json.dumps({"model": self.model, "keys": keys}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, model: str, dimension: int) -> EmbeddingCache:
        """The cache in ``folder`` (empty when absent, unreadable or of another model)."""
        cache = cls(model, dimension)
        try:
            meta = json.loads((folder / "keys.json").read_text(encoding="utf-8"))
            matrix = np.load(folder / "vectors.npy")
        except (OSError, ValueError):
            return cache
        if meta.get("model") == model and len(meta.get("keys", [])) == len(matrix) and matrix.ndim == 2:
            cache.vectors = dict(zip(meta["keys"], matrix, strict=True))
        return cache
