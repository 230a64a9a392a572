"""The answer path: read the question, retrieve, rank answer units with the learned ranker, compose.

    question ──▶ spelling, entity links, intent (learned) ──▶ BM25 + dense over passages
             ──▶ candidate units (passages, sentences, lists, lead-ins, sections)
             ──▶ features ──▶ ranker ──▶ abstain? (learned)
             ──▶ candidate answers over the best units ──▶ select (learned) ──▶ lead + quoted lines

Usage (with a store built by `kg ingest`)::

    engine = Engine.open(".kg-store")
    engine.ask("what's the max size of an s3 object?").answer
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg import settings
from kg.build import sparql_prefixes
from kg.errors import KGError
from kg.index.dense import default_encoder, ordinary_words
from kg.index.tokens import tokenize
from kg.qa import compose, templates
from kg.qa.answer import Answer, Citation, FactRow
from kg.qa.features import INTENTS, Asked, Signals, UnitTable, idf, unit_rows
from kg.qa.link import Lexicon, Link, Linker
from kg.qa.ranker import Models
from kg.qa.spelling import Speller
from kg.qa.units import Heading, Unit, build_units
from kg.store import KnowledgeStore
from kg.types import Encoder

log = logging.getLogger(__name__)

P = sparql_prefixes()
ENTITIES_QUERY = (
    P
    + """
SELECT ?entity ?label (GROUP_CONCAT(DISTINCT ?alias; separator="\\u001f") AS ?aliases)
WHERE { ?entity a nkg:Entity ; skos:prefLabel ?label . OPTIONAL { ?entity skos:altLabel ?alias } }
GROUP BY ?entity ?label
"""
)
HEADINGS_QUERY = (
    P
    + """
SELECT ?source ?path ?title ?line WHERE {
  ?section a nkg:Section ; nkg:source ?source ; nkg:sectionPath ?path ; dcterms:title ?title ; nkg:lineStart ?line .
}
"""
)
FACT_LINES_QUERY = (
    P
    + """
SELECT ?kind ?source ?start ?end WHERE {
  VALUES (?class ?kind) { (nkg:Limit "limit") (nkg:Definition "definition") (nkg:Relationship "relation") }
  ?fact a ?class ; nkg:source ?source ; nkg:lineStart ?start ; nkg:lineEnd ?end .
}
"""
)


@dataclass
class Ranked:
    """The candidate units of one question, best first, with their ranker scores and feature rows."""

    asked: Asked
    units: list[Unit]
    scores: np.ndarray
    rows: np.ndarray
    links: list[Link]


class Engine:
    """Answers questions from one store. Load once, ask many times.

    Args:
        store: The opened store.
        encoder: The question encoder (default: the store's model, all-MiniLM-L6-v2).
        models: The fitted models (default: the ones shipped in ``kg/models``).
    """

    def __init__(self, store: KnowledgeStore, encoder: Encoder | None = None, models: Models | None = None) -> None:
        self.store = store
        self.graph = store.graph
        self.passages = store.passages
        self.encoder = encoder or default_encoder()
        if len(store.passages) and store.manifest.model != self.encoder.name:
            raise KGError(
                f"the store at {store.folder} was built with the model {store.manifest.model!r}, "
                f"not {self.encoder.name!r}: run `kg ingest` again"
            )
        self.models = models
        self.top_k = int(settings.get("top_k"))
        self.retrieve_k = int(settings.get("retrieve_k"))
        self.vectors = store.dense.reconstruct_all() if len(self.passages) else np.zeros((0, 1), dtype=np.float32)
        headings = [
            Heading(r["source"], r["path"], r["title"], int(r["line"])) for r in self.graph.select(HEADINGS_QUERY)
        ]
        self.units = build_units(self.passages, headings, store.source_lines)
        self.units_of: dict[int, list[int]] = {}
        for unit in self.units[len(self.passages) :]:
            for member in unit.passages:
                self.units_of.setdefault(member, []).append(unit.id)
        sections: dict[tuple[str, str], list[int]] = {}
        files: dict[str, list[int]] = {}
        for passage in self.passages:
            sections.setdefault((passage.source, passage.section), []).append(passage.id)
            files.setdefault(passage.source, []).append(passage.id)
        self.section_passages = {k: np.array(v) for k, v in sections.items()}
        self.file_passages = {k: np.array(v) for k, v in files.items()}
        self.frequency: dict[str, int] = {}
        for passage in self.passages:
            for token in set(tokenize(passage.index_text())):
                self.frequency[token] = self.frequency.get(token, 0) + 1
        self.average_length = float(np.mean([u.length for u in self.units])) if self.units else 1.0
        fact_lines: dict[str, set[tuple[str, int]]] = {}
        for row in self.graph.select(FACT_LINES_QUERY):
            lines = fact_lines.setdefault(row["kind"], set())
            lines.update((row["source"], n) for n in range(int(row["start"]), int(row["end"]) + 1))
        passage_entities = [(set(p.entities), set(p.topics)) for p in self.passages]
        self.unit_table = UnitTable.build(self.units, passage_entities, fact_lines)
        entities = self.graph.select(ENTITIES_QUERY)
        vocabulary = {t for p in self.passages for t in re.findall(r"[a-z0-9]+", p.index_text().lower())}
        self.lexicon = Lexicon.build(
            (
                (r["entity"].rsplit("/", 1)[-1], r["label"], [a for a in r.get("aliases", "").split("\x1f") if a])
                for r in entities
            ),
            vocabulary,
        )
        self.linker = Linker(self.lexicon)
        names = {w for form in self.lexicon.catalog_forms for w in form.split()} - vocabulary
        self.speller = Speller(vocabulary, self.frequency, names)
        self._facts: dict[str, list[FactRow]] = {}  # per source, read once (facts_at)

    @classmethod
    def open(cls, folder: str | Path, encoder: Encoder | None = None, models: Models | None = None) -> Engine:
        """Open the store at ``folder`` and load what answering needs (models once)."""
        return cls(KnowledgeStore(folder), encoder, models)

    # -- public ----------------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        """Answer one question."""
        return self.ask_many([question])[0]

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        """Answer many questions, encoding them in one batch."""
        models = self.models or Models.load()
        texts = [self.speller.correct(" ".join(q.split())) for q in questions]
        vectors = self.encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        out = []
        for asked_as, text, vector in zip(questions, texts, vectors, strict=True):
            ranked = self.rank(text, vector, models)
            out.append(compose.answer(self, asked_as, ranked, models))
        return out

    # -- steps -----------------------------------------------------------------------------------

    def analyse(self, text: str, models: Models | None, intent: np.ndarray | None = None) -> tuple[Asked, list[Link]]:
        """The question's content tokens with their weights, its linked entities and intent."""
        links = self.linker.link(text)
        tokens = tokenize(text)
        n = max(1, len(self.passages))
        weights = {t: idf(self.frequency.get(t, 0), n) for t in dict.fromkeys(tokens)}
        if intent is None:
            intent = models.intents(text) if models is not None else np.zeros(len(INTENTS))
        entities = {link.entity_id for link in links if link.in_notes}
        known = {t for t in weights if self.frequency.get(t)}
        unknown = [t for t in weights if t not in known]
        # unknown words the encoder knows as ordinary English (a paraphrase) or not (a name the notes lack)
        missing = {w for w in re.findall(r"[a-z]+", text.lower()) if any(t in unknown for t in tokenize(w))}
        ordinary = ordinary_words()
        evidence = {
            "unknown": sum(weights[t] for t in unknown) / (sum(weights.values()) or 1.0),
            "unknown_long": float(sum(len(t) >= 5 for t in unknown)),
            "unknown_short": float(sum(len(t) < 5 for t in unknown)),
            "absent_names": float(sum(1 for link in links if not link.in_notes)),
            "unknown_ordinary": float(sum(w in ordinary for w in missing)),
            "unknown_rare": float(sum(w not in ordinary for w in missing)),
        }
        return Asked(text, tokens, weights, entities, intent, known, evidence), links

    def rank(self, text: str, vector: np.ndarray, models: Models | None, *, intent: np.ndarray | None = None) -> Ranked:
        """The candidate units of a question with their features, best first (when ``models`` are given)."""
        asked, links = self.analyse(text, models, intent)
        units, signals = self.candidates(asked, vector)
        rows = unit_rows(asked, units, signals, self.unit_table, self.average_length)
        if models is not None and len(units):
            scores = models.ranker.predict(rows)
            order = np.argsort(-scores, kind="stable")
            units = [units[i] for i in order]
            rows, scores = rows[order], scores[order]
        else:
            scores = np.zeros(len(units))
        return Ranked(asked, units, scores, rows, links)

    def candidates(self, asked: Asked, vector: np.ndarray) -> tuple[list[Unit], Signals]:
        """Units built on the passages BM25 and the dense index bring, and the evidence to score them."""
        if not len(self.passages):
            return [], Signals(np.zeros(0), np.zeros(0, dtype=np.int64), {})
        similarity = self.vectors @ np.asarray(vector, dtype=np.float32)
        # how far the closest passage stands out from these notes as a whole (terse notes score low throughout)
        spread = float(similarity.std()) or 1.0
        asked.evidence["dense_z"] = float((similarity.max() - similarity.mean()) / spread)
        order = np.argsort(-similarity, kind="stable")
        dense_rank = np.empty(len(order), dtype=np.int64)
        dense_rank[order] = np.arange(len(order))
        sparse = self.store.sparse.search(asked.text, self.retrieve_k) if asked.tokens else []
        bm25_rank = {pid: rank for rank, (pid, _) in enumerate(sparse)}
        chosen = dict.fromkeys([*(int(i) for i in order[: self.retrieve_k]), *bm25_rank])
        unit_ids = dict.fromkeys(chosen)
        for passage in chosen:
            unit_ids.update(dict.fromkeys(self.units_of.get(passage, [])))
        units = [self.units[i] for i in unit_ids]
        section_best: dict[tuple[str, str], float] = {}
        file_best: dict[str, float] = {}
        for unit in units:
            key = (unit.source, unit.section)
            if key not in section_best:
                section_best[key] = float(similarity[self.section_passages[key]].max())
            if unit.source not in file_best:
                file_best[unit.source] = float(similarity[self.file_passages[unit.source]].max())
        signals = Signals(similarity, dense_rank, bm25_rank, section_best, file_best)
        return units, signals

    # -- citations and facts -----------------------------------------------------------------------

    def citations(self, units: Sequence[Unit], scores: Sequence[float]) -> list[Citation]:
        """The best distinct spans (at most 12 lines each), best first."""
        out: list[Citation] = []
        taken: set[tuple[str, int]] = set()
        for unit, score in zip(units, scores, strict=False):
            end = min(unit.line_end, unit.line_start + 11)
            lines = {(unit.source, n) for n in range(unit.line_start, end + 1)}
            if lines <= taken:
                continue
            taken |= lines
            text = "\n".join(self.passages[p].text for p in unit.passages) if unit.kind != "sentence" else unit.text
            section = self.passages[unit.head].section
            out.append(Citation(unit.source, unit.line_start, end, section, text, float(score)))
            if len(out) >= self.top_k:
                break
        return out

    def facts_at(self, unit: Unit, log_to: list[str]) -> list[FactRow]:
        """Facts of the graph read from the unit's lines (limits, relations, definitions).

        The facts of a file are read from the graph once (the query without its line filter) and
        kept; the query logged is the one with the filter, which gives the same rows.
        """
        source = templates.literal(unit.source)
        line_filter = templates.LINE_FILTER.format(start=unit.line_start, end=unit.line_end)
        query = templates.FACTS_AT.format(source=source, line_filter=line_filter)
        log_to.append(templates.with_prefixes(query.replace(templates.P, "")))
        if unit.source not in self._facts:
            rows = self.graph.select(templates.FACTS_AT.format(source=source, line_filter=""))
            self._facts[unit.source] = [
                FactRow(
                    r["subject"],
                    r["predicate"],
                    str(r["object"]),
                    r["source"],
                    int(r["line_start"]),
                    int(r["line_end"]),
                )
                for r in rows
            ]
        return [f for f in self._facts[unit.source] if f.line_start <= unit.line_end and f.line_end >= unit.line_start]
