"""Hybrid passage retrieval: BM25 and MiniLM ranks fused by RRF, boosted by the question's entities.

A passage gains ``entity_boost`` when it names, or its headings and bullet ancestry are about, an
entity the question links to (half of it for a component of such a service), and ``fact_boost``
when a fact the question matched was read from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kg import settings
from kg.index.dense import DenseIndex
from kg.index.fusion import reciprocal_rank_fusion
from kg.index.sparse import SparseIndex
from kg.passages import Passage
from kg.types import Encoder


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with its fused score and its dense similarity to the question."""

    passage: Passage
    score: float
    similarity: float


class HybridRetriever:
    """Rank passages for questions.

    Args:
        passages: The store's passages (ids are positions).
        sparse: BM25 over the passages.
        dense: Passage vectors.
        encoder: Encodes questions like the passages were encoded.
    """

    def __init__(self, passages: Sequence[Passage], sparse: SparseIndex, dense: DenseIndex, encoder: Encoder) -> None:
        self.passages = passages
        self.sparse = sparse
        self.dense = dense
        self.encoder = encoder
        self.k = int(settings.get("retrieve_k"))
        self.rrf_k = int(settings.get("rrf_k"))
        self.entity_boost = float(settings.get("entity_boost"))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.encode(list(texts))

    def search(
        self,
        query: str,
        *,
        vector: np.ndarray | None = None,
        entities: Sequence[str] = (),
        services: Mapping[str, str] | None = None,
        fact_passages: Mapping[int, float] | None = None,
        k: int | None = None,
    ) -> list[Hit]:
        """Passages for one question, best first.

        Args:
            query: The question (typos corrected).
            vector: Its encoding (computed when None).
            entities: Linked entity ids.
            services: Entity id -> its service id, for partial boosts.
            fact_passages: Passage id -> boost, for passages that facts were read from.
            k: How many hits to return.
        """
        if vector is None:
            vector = self.encode([query])[0]
        k = k or self.k
        sparse = self.sparse.search(query, self.k)
        dense = self.dense.search(vector, self.k)
        similarity = dict(dense)
        boosts = self._boosts(entities, services or {}, fact_passages or {}, {i for i, _ in sparse} | set(similarity))
        fused = reciprocal_rank_fusion([sparse, dense], k=self.rrf_k, boosts=boosts)
        hits = []
        for passage_id, score in fused[:k]:
            if passage_id not in similarity:
                similarity[passage_id] = float(np.dot(self.dense.reconstruct(passage_id), vector))
            hits.append(Hit(self.passages[passage_id], score, similarity[passage_id]))
        return hits

    def similarity(self, passage_id: int, vector: np.ndarray) -> float:
        """The dense similarity of one passage to ``vector``."""
        return float(np.dot(self.dense.reconstruct(passage_id), vector))

    def lookup(self, query: str, vector: np.ndarray, k: int) -> list[Hit]:
        """Passages with ``query``'s words by BM25 alone (a name: "read replicas rds"), with their dense
        similarity to ``vector`` (the question's), so they rank beside the question's own hits."""
        return [Hit(self.passages[i], 0.0, self.similarity(i, vector)) for i, _ in self.sparse.search(query, k)]

    def batch_search(self, queries: Sequence[str], k: int | None = None) -> list[list[Hit]]:
        """Plain hybrid search for many questions at once (one encoder call)."""
        vectors = self.encode(queries) if queries else np.zeros((0, self.encoder.dimension), dtype=np.float32)
        return [self.search(q, vector=v, k=k) for q, v in zip(queries, vectors, strict=True)]

    def _boosts(
        self,
        entities: Sequence[str],
        services: Mapping[str, str],
        fact_passages: Mapping[int, float],
        candidates: set[int],
    ) -> dict[int, float]:
        boosts: dict[int, float] = dict(fact_passages)
        if not entities:
            return boosts
        # Boosts are in units of a first-rank RRF contribution.
        unit = 1.0 / (self.rrf_k + 1)
        wanted = set(entities)
        wanted_services = {services.get(e, e) for e in entities}
        for passage_id in candidates | set(fact_passages):
            passage = self.passages[passage_id]
            named = set(passage.entities) | set(passage.topics)
            if named & wanted:
                boosts[passage_id] = boosts.get(passage_id, 0.0) + self.entity_boost * unit
            elif named & wanted_services:
                boosts[passage_id] = boosts.get(passage_id, 0.0) + 0.5 * self.entity_boost * unit
        return boosts
