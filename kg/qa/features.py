"""What the ranker sees of a (question, unit) pair: one row of numbers per candidate unit.

Features read the notes' structure and the question's words, never a phrasing: how much of the
question's weight (IDF) the unit's text, its context and its title hold, BM25 over the unit, dense
similarity of its passages, the linked entities it names, its grain and shape (a figure with a
unit, a negation, a definition's form, numbered steps, a lead-in), a fact of the graph read from
its lines, and the question's intent as the classifier reads it.

>>> FEATURES.index("dense_head") >= 0
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.qa.units import KINDS, Unit

INTENTS = ("limit", "definition", "comparison", "relationship", "list", "procedure", "yesno", "multihop")
UNIT_PATTERN = (
    r"(?:%|[kmgtp]i?b\b|[kmgtp]b/s|bytes?\b|bits?\b|ms\b|s\b|sec\b|seconds?|minutes?|mins?\b|hours?|"
    r"hrs?\b|days?|weeks?|months?|years?|[a-z]+s\b)"
)
QUANTITY_RE = re.compile(r"\b\d[\d,.]*\s*" + UNIT_PATTERN, re.I)
NUMBER_RE = re.compile(r"\b\d[\d,.]*\b")
NEGATION_RE = re.compile(r"\b(?:not|no|never|cannot|can't|won't|don't|doesn't|isn't|aren't|without|none)\b|n't\b", re.I)
DEFINES_RE = re.compile(r"^[^.:;]{1,60}?(?:\s+(?:is|are|means|refers to|stands for)\b|\s*[:=–—-]\s)", re.I)
FLAG_RE = re.compile(r"(?:^|\s)--?[a-z][\w-]*|`[^`]+`|\$\s", re.I)

FEATURES: tuple[str, ...] = (
    "dense_unit",
    "dense_unit_share",
    "dense_head",
    "dense_max",
    "dense_mean",
    "dense_rank",
    "dense_gap",
    "bm25",
    "bm25_share",
    "bm25_rank",
    "cover_text",
    "cover_context",
    "cover_all",
    "cover_title",
    "cover_source",
    "cover_first",
    "missing_idf",
    "rare_said",
    "bigrams",
    "entities_text",
    "entities_topic",
    "members",
    "lines",
    "words",
    "depth",
    "section_dense",
    "file_dense",
    "dense_unit_rank",
    "bm25_unit_rank",
    "lead_colon",
    "ordered",
    "quantities",
    "numbers",
    "negation",
    "defines",
    "commands",
    "fact_limit",
    "fact_definition",
    "fact_relation",
    "question_words",
    "question_number",
    *(f"kind_{k}" for k in KINDS),
    *(f"intent_{i}" for i in INTENTS),
)
INDEX = {name: i for i, name in enumerate(FEATURES)}


@dataclass
class Asked:
    """A question as the features need it."""

    text: str
    tokens: list[str]  # content tokens, stemmed, in order
    weights: dict[str, float]  # token -> IDF
    entities: set[str] = field(default_factory=set)
    intent: np.ndarray = field(default_factory=lambda: np.zeros(len(INTENTS)))
    known: set[str] = field(default_factory=set)  # tokens the notes use
    evidence: dict[str, float] = field(default_factory=dict)  # question-level signs for abstention

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0


@dataclass
class Signals:
    """Per-passage and per-line evidence shared by every unit of one question."""

    similarity: np.ndarray  # dense similarity of every passage to the question
    unit_similarity: Mapping[int, float]  # dense similarity of candidate units with vectors of their own
    dense_rank: np.ndarray  # rank of every passage by that similarity (0 = best)
    bm25_rank: Mapping[int, int]  # passage -> rank in the BM25 list
    facts: Mapping[str, set[tuple[str, int]]]  # kind -> (source, line) a fact was read from
    section_best: Mapping[tuple[str, str], float] = field(default_factory=dict)  # best passage of each section
    file_best: Mapping[str, float] = field(default_factory=dict)  # best passage of each file


def idf(df: int, n: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def unit_rows(
    asked: Asked,
    units: Sequence[Unit],
    signals: Signals,
    passage_entities: Sequence[tuple[set[str], set[str]]],
    average_length: float,
) -> np.ndarray:
    """The feature matrix of ``units`` (one row each) for the question ``asked``."""
    rows = np.zeros((len(units), len(FEATURES)), dtype=np.float32)
    best_dense = float(signals.similarity.max()) if len(signals.similarity) else 0.0
    bigrams = set(zip(asked.tokens, asked.tokens[1:], strict=False))
    rarest = sorted((t for t in asked.weights if t in asked.known), key=lambda t: -asked.weights[t])[:2]
    max_weight = max(asked.weights.values(), default=1.0)
    bm25 = [_bm25(asked, unit, average_length) for unit in units]
    own = [signals.unit_similarity.get(u.id, float(signals.similarity[list(u.passages)].max())) for u in units]
    top_own = max(own, default=0.0) or 1.0
    own_rank = _ranks(own)
    bm25_unit_rank = _ranks(bm25)
    top_bm25 = max(bm25, default=0.0) or 1.0
    for index, (row, unit, score, dense_unit) in enumerate(zip(rows, units, bm25, own, strict=True)):
        members = unit.passages
        sims = signals.similarity[list(members)]
        head = members[0]
        text_weight = sum(w for t, w in asked.weights.items() if t in unit.tokens)
        context_only = sum(w for t, w in asked.weights.items() if t in unit.context_tokens and t not in unit.tokens)
        missing = [w for t, w in asked.weights.items() if t not in unit.tokens and t not in unit.context_tokens]
        first_line = unit.text.split("\n", 1)[0]
        named = set().union(*(passage_entities[p][0] for p in members))
        topics = set().union(*(passage_entities[p][1] for p in members))
        span = [(unit.source, line) for line in range(unit.line_start, unit.line_end + 1)]
        values = {
            "dense_unit": dense_unit,
            "dense_unit_share": dense_unit / top_own,
            "dense_head": sims[0],
            "dense_max": sims.max(),
            "dense_mean": sims.mean(),
            "dense_rank": math.log1p(float(signals.dense_rank[head])),
            "dense_gap": best_dense - sims.max(),
            "bm25": score,
            "bm25_share": score / top_bm25,
            "bm25_rank": math.log1p(signals.bm25_rank.get(head, 100)),
            "cover_text": text_weight / asked.total,
            "cover_context": context_only / asked.total,
            "cover_all": (text_weight + context_only) / asked.total,
            "cover_title": sum(w for t, w in asked.weights.items() if t in unit.title_tokens) / asked.total,
            "cover_first": _cover(asked, unit.first_tokens),
            "cover_source": _cover(asked, unit.source_tokens),
            "missing_idf": max(missing, default=0.0) / max_weight,
            "rare_said": sum(t in unit.tokens or t in unit.context_tokens for t in rarest) / len(rarest)
            if rarest
            else 0.0,
            "bigrams": len(bigrams & unit.bigrams) / len(bigrams) if bigrams else 0.0,
            "entities_text": len(asked.entities & named) / len(asked.entities) if asked.entities else 0.0,
            "entities_topic": len(asked.entities & topics) / len(asked.entities) if asked.entities else 0.0,
            "members": len(members),
            "lines": unit.line_end - unit.line_start + 1,
            "words": math.log1p(unit.length),
            "depth": unit.depth,
            "section_dense": signals.section_best.get((unit.source, unit.section), 0.0),
            "file_dense": signals.file_best.get(unit.source, 0.0),
            "dense_unit_rank": math.log1p(own_rank[index]),
            "bm25_unit_rank": math.log1p(bm25_unit_rank[index]),
            "lead_colon": float(first_line.rstrip().endswith(":")),
            "ordered": float(unit.ordered),
            "quantities": len(QUANTITY_RE.findall(unit.text)),
            "numbers": len(NUMBER_RE.findall(unit.text)),
            "negation": len(NEGATION_RE.findall(unit.text)),
            "defines": float(bool(DEFINES_RE.match(first_line)) and _cover(asked, unit.lead_tokens) > 0),
            "commands": len(FLAG_RE.findall(unit.text)) + 2.0 * (unit.kind == "code"),
            "fact_limit": float(any(s in signals.facts.get("limit", ()) for s in span)),
            "fact_definition": float(any(s in signals.facts.get("definition", ()) for s in span)),
            "fact_relation": float(any(s in signals.facts.get("relation", ()) for s in span)),
            "question_words": len(asked.tokens),
            "question_number": float(bool(NUMBER_RE.search(asked.text))),
            f"kind_{unit.kind}": 1.0,
        }
        for name, value in values.items():
            row[INDEX[name]] = float(value)
        row[INDEX["intent_limit"] : INDEX["intent_limit"] + len(INTENTS)] = asked.intent
    return rows


def _ranks(values: Sequence[float]) -> list[int]:
    """The rank of each value, best (highest) first."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks


def _cover(asked: Asked, words: frozenset[str]) -> float:
    return sum(w for t, w in asked.weights.items() if t in words) / asked.total


def _bm25(asked: Asked, unit: Unit, average_length: float, k1: float = 1.2, b: float = 0.75) -> float:
    """BM25 of the unit's text and context for the question's tokens (each counted once)."""
    norm = k1 * (1 - b + b * unit.length / (average_length or 1.0))
    score = 0.0
    for token, weight in asked.weights.items():
        if token in unit.tokens or token in unit.context_tokens:
            score += weight * (k1 + 1) / (1 + norm)
    return score
