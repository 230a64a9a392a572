"""BM25 over passages (bm25s), saved in the store beside the dense index."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from kg.index.tokens import tokenize

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import: its index lines are not ours to print


class SparseIndex:
    """BM25 ranking of passage texts.

    >>> index = SparseIndex.build(["max object size 5 TB", "security groups are stateful"])
    >>> index.search("how big can an object be", 1)[0][0]
    0
    """

    def __init__(self, model: bm25s.BM25, vocabulary: set[str], size: int | None = None) -> None:
        self._model = model
        self._vocabulary = vocabulary
        self.size = int(model.scores["num_docs"]) if size is None else size

    @classmethod
    def build(cls, texts: Sequence[str]) -> SparseIndex:
        # notes of headings only have no passages: the index then holds one placeholder, never returned
        corpus = [tokenize(text) or ["_empty_"] for text in texts] or [["_empty_"]]
        model = bm25s.BM25()
        model.index(corpus, show_progress=False)
        vocabulary = {token for tokens in corpus for token in tokens}
        return cls(model, vocabulary, len(texts))

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self._vocabulary]
        if not tokens or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)[: self.size]

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        scores = self.scores(query)
        if not scores.any():
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def batch_search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]:
        return [self.search(query, k) for query in queries]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._model.save(str(folder), show_progress=False)
        (folder / "vocabulary.json").write_text(json.dumps(sorted(self._vocabulary)), encoding="utf-8")
        (folder / "size.json").write_text(json.dumps(self.size), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SparseIndex:
        model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        vocabulary = set(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")))
        size_file = folder / "size.json"
        size = int(json.loads(size_file.read_text(encoding="utf-8"))) if size_file.exists() else None
        return cls(model, vocabulary, size)
