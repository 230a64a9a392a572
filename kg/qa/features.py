"""What the ranker sees of a (question, unit) pair: one row of numbers per candidate unit.

Features read the notes' structure and the question's words, never a phrasing: how much of the
question's weight (IDF) the unit's text, its context, its title and its best line hold, how much it
says beyond the question's words, which items of a comparison it names, BM25 over the unit, dense
similarity of its passages, the linked entities it names, its grain and shape (a figure with a
unit, a negation, a definition's form, numbered steps, a lead-in), a fact of the graph read from
its lines, the question's intent as the classifier reads it, and how far the unit stands out of the
question's other candidates on the main of these (z-scores).

>>> FEATURES.index("dense_head") >= 0
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.index.tokens import STOPWORDS, tokenize
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
# What joins the two items of a comparison (grammar, not topics).
SIDES_RE = re.compile(r"\s(?:vs\.?|versus|or|and|compared\s+(?:to|with)|than|from|against)\s", re.I)
FLAG_RE = re.compile(r"(?:^|\s)--?[a-z][\w-]*|`[^`]+`|\$\s", re.I)

# Columns also read against the question's other candidates, as z-scores over its candidate units:
# terse or wordy notes shift every unit's value alike; how far a unit stands out of its rivals does not.
# (Ranking, leave-one-corpus-out over 23 corpora: top-1 with the gold words 0.614 -> 0.624, 16 corpora up, 7 down.)
STANDARDISED = (
    "cover_text",
    "cover_context",
    "cover_all",
    "cover_title",
    "cover_line",
    "bm25",
    "dense_head",
    "dense_max",
    "dense_mean",
    "rare_said",
    "section_dense",
    "file_dense",
    "novel",
    "entities_text",
    "missing_idf",
    "bigrams",
    "quantities",
)
FEATURES: tuple[str, ...] = (
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
    "cover_line",
    "cover_line_at",
    "novel",
    "echo",
    "sides",
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
    *(f"{name}_z" for name in STANDARDISED),
)
INDEX = {name: i for i, name in enumerate(FEATURES)}
_RAW = [INDEX[name] for name in STANDARDISED]
_Z = [INDEX[f"{name}_z"] for name in STANDARDISED]


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
    sides: tuple[set[str], set[str]] | None = None  # the two items a comparison names

    def __post_init__(self) -> None:
        if self.sides is None:
            self.sides = sides(self.text)

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    @property
    def top_intent(self) -> str:
        """The likeliest intent."""
        return INTENTS[int(np.argmax(self.intent))]


@dataclass
class Signals:
    """Per-passage and per-line evidence shared by every unit of one question."""

    similarity: np.ndarray  # dense similarity of every passage to the question
    dense_rank: np.ndarray  # rank of every passage by that similarity (0 = best)
    bm25_rank: Mapping[int, int]  # passage -> rank in the BM25 list
    section_best: Mapping[tuple[str, str], float] = field(default_factory=dict)  # best passage of each section
    file_best: Mapping[str, float] = field(default_factory=dict)  # best passage of each file


def sides(text: str) -> tuple[set[str], set[str]] | None:
    """The two items a question sets side by side, as their own content tokens ("sg vs nacl", "x or y")."""
    found = SIDES_RE.search(text)
    if not found:
        return None
    left = [t for t in tokenize(text[: found.start()]) if t not in STOPWORDS][-3:]
    right = [t for t in tokenize(text[found.end() :]) if t not in STOPWORDS][:3]
    left_own, right_own = set(left) - set(right), set(right) - set(left)
    return (left_own, right_own) if left_own and right_own else None


def idf(df: int, n: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


@dataclass
class UnitTable:
    """What the features know of every unit before any question is asked (built once per store).

    Attributes:
        static: One row per unit id with the question-independent columns filled (its grain and
            shape, the figures and negations in it, the graph's facts read from its lines).
        members: The unit's passages, padded with ``-1`` (one row per unit id).
        named: The entities its passages name, and the topics they fall under.
        defines_form: The unit's first line has a definition's form ("X is ...", "X: ...").
        lines: The words of each of the unit's lines, in order.
    """

    static: np.ndarray
    members: np.ndarray
    named: list[frozenset[str]]
    topics: list[frozenset[str]]
    defines_form: np.ndarray
    lines: list[tuple[frozenset[str], ...]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        units: Sequence[Unit],
        passage_entities: Sequence[tuple[set[str], set[str]]],
        facts: Mapping[str, set[tuple[str, int]]],
    ) -> UnitTable:
        size = max((u.id for u in units), default=-1) + 1
        static = np.zeros((size, len(FEATURES)), dtype=np.float32)
        width = max((len(u.passages) for u in units), default=1)
        members = np.full((size, width), -1, dtype=np.int64)
        named: list[frozenset[str]] = [frozenset()] * size
        topics: list[frozenset[str]] = [frozenset()] * size
        defines_form = np.zeros(size, dtype=bool)
        lines: list[tuple[frozenset[str], ...]] = [()] * size
        words_of: dict[str, frozenset[str]] = {}  # the same line recurs in a unit of each grain
        for unit in units:
            lines[unit.id] = tuple(
                words_of.get(line) or words_of.setdefault(line, frozenset(tokenize(line)))
                for line in unit.text.split("\n")
            )
            row = static[unit.id]
            members[unit.id, : len(unit.passages)] = unit.passages
            named[unit.id] = frozenset().union(*(passage_entities[p][0] for p in unit.passages))
            topics[unit.id] = frozenset().union(*(passage_entities[p][1] for p in unit.passages))
            first_line = unit.text.split("\n", 1)[0]
            defines_form[unit.id] = bool(DEFINES_RE.match(first_line))
            span = [(unit.source, line) for line in range(unit.line_start, unit.line_end + 1)]
            values = {
                "members": len(unit.passages),
                "lines": unit.line_end - unit.line_start + 1,
                "words": math.log1p(unit.length),
                "depth": unit.depth,
                "lead_colon": float(first_line.rstrip().endswith(":")),
                "ordered": float(unit.ordered),
                "quantities": len(QUANTITY_RE.findall(unit.text)),
                "numbers": len(NUMBER_RE.findall(unit.text)),
                "negation": len(NEGATION_RE.findall(unit.text)),
                "commands": len(FLAG_RE.findall(unit.text)) + 2.0 * (unit.kind == "code"),
                "fact_limit": float(any(s in facts.get("limit", ()) for s in span)),
                "fact_definition": float(any(s in facts.get("definition", ()) for s in span)),
                "fact_relation": float(any(s in facts.get("relation", ()) for s in span)),
                f"kind_{unit.kind}": 1.0,
            }
            for name, value in values.items():
                row[INDEX[name]] = float(value)
        return cls(static, members, named, topics, defines_form, lines)


def unit_rows(
    asked: Asked,
    units: Sequence[Unit],
    signals: Signals,
    table: UnitTable,
    average_length: float,
    k1: float = 1.2,
    b: float = 0.75,
) -> np.ndarray:
    """The feature matrix of ``units`` (one row each) for the question ``asked``.

    The question-independent columns come from ``table``; the rest are computed for all the
    units at once from which of the question's tokens each unit's fields hold.
    """
    n = len(units)
    ids = np.fromiter((u.id for u in units), dtype=np.int64, count=n)
    rows = table.static[ids].copy()
    if not n:
        return rows
    tokens = list(asked.weights)
    weights = np.array([asked.weights[t] for t in tokens], dtype=np.float64)
    total = asked.total

    def holds(words: Sequence[frozenset[str]]) -> np.ndarray:
        return np.array([[t in w for t in tokens] for w in words], dtype=bool).reshape(n, len(tokens))

    text = holds([u.tokens for u in units])
    context = holds([u.context_tokens for u in units])
    said = text | context
    text_weight = text @ weights
    context_only = (context & ~text) @ weights
    ranked_tokens = sorted((t for t in tokens if t in asked.known), key=lambda t: -asked.weights[t])
    rarest = [tokens.index(t) for t in ranked_tokens[:2]]
    lengths = np.array([u.length for u in units], dtype=np.float64)
    bm25 = (said @ weights) * (k1 + 1) / (1 + k1 * (1 - b + b * lengths / (average_length or 1.0)))

    similarity = np.append(signals.similarity.astype(np.float32), np.float32(np.nan))
    member_sims = similarity[table.members[ids]]  # padding (-1) reads the NaN at the end
    dense_max = np.nanmax(member_sims, axis=1)
    own = dense_max.astype(np.float64)  # a unit of several passages reads as its closest one
    heads = table.members[ids, 0]
    bigrams = set(zip(asked.tokens, asked.tokens[1:], strict=False))
    entities = asked.entities
    asked_words = set(tokens)
    # summed in the question's word order: the same floats in every process (a set's order is not)
    line_cover = [[sum(w for t, w in asked.weights.items() if t in line) for line in table.lines[i]] for i in ids]
    best_line = np.array([max(c, default=0.0) for c in line_cover]) / total
    best_at = [int(np.argmax(c)) / max(1, len(c) - 1) if c else 0.0 for c in line_cover]
    both = asked.sides
    said_sides = [sum(bool(side & (u.tokens | u.context_tokens)) for side in both) / 2 for u in units] if both else 0.0
    novel = np.array([len(u.tokens - asked_words) for u in units], dtype=np.float64)
    columns = {
        "dense_unit_share": own / (own.max() or 1.0),
        "dense_head": member_sims[:, 0],
        "dense_max": dense_max,
        "dense_mean": [signals.similarity[list(u.passages)].mean() for u in units],  # as fitted: float32 sums
        "dense_rank": np.log1p(signals.dense_rank[heads].astype(np.float64)),
        "dense_gap": (float(signals.similarity.max()) if len(signals.similarity) else 0.0) - dense_max,
        "bm25": bm25,
        "bm25_share": bm25 / (bm25.max() or 1.0),
        "bm25_rank": np.log1p([signals.bm25_rank.get(int(h), 100) for h in heads]),
        "cover_text": text_weight / total,
        "cover_context": context_only / total,
        "cover_all": (text_weight + context_only) / total,
        "cover_title": holds([u.title_tokens for u in units]) @ weights / total,
        "cover_first": holds([u.first_tokens for u in units]) @ weights / total,
        "cover_source": holds([u.source_tokens for u in units]) @ weights / total,
        "sides": said_sides,
        "cover_line": best_line,
        "cover_line_at": best_at,
        "novel": np.log1p(novel),
        "echo": [len(u.tokens & asked_words) / (len(u.tokens) or 1) for u in units],
        "missing_idf": np.where(said, 0.0, weights).max(axis=1, initial=0.0) / max(weights, default=1.0),
        "rare_said": said[:, rarest].sum(axis=1) / len(rarest) if rarest else 0.0,
        "bigrams": [len(bigrams & u.bigrams) / len(bigrams) for u in units] if bigrams else 0.0,
        "entities_text": [len(entities & table.named[i]) / len(entities) for i in ids] if entities else 0.0,
        "entities_topic": [len(entities & table.topics[i]) / len(entities) for i in ids] if entities else 0.0,
        "section_dense": [signals.section_best.get((u.source, u.section), 0.0) for u in units],
        "file_dense": [signals.file_best.get(u.source, 0.0) for u in units],
        "dense_unit_rank": np.log1p(_ranks(own)),
        "bm25_unit_rank": np.log1p(_ranks(bm25)),
        "defines": table.defines_form[ids] & (holds([u.lead_tokens for u in units]) @ weights > 0),
        "question_words": len(asked.tokens),
        "question_number": float(bool(NUMBER_RE.search(asked.text))),
    }
    for name, value in columns.items():
        rows[:, INDEX[name]] = value
    rows[:, INDEX["intent_limit"] : INDEX["intent_limit"] + len(INTENTS)] = asked.intent
    rows[:, _Z] = standardised(rows[:, _RAW])
    return rows


def standardised(values: np.ndarray) -> np.ndarray:
    """Each column as z-scores over the rows (a question's candidate units).

    >>> standardised(np.array([[1.0], [3.0]], dtype=np.float32)).ravel().round(3).tolist()
    [-1.0, 1.0]
    """
    return (values - values.mean(axis=0)) / (values.std(axis=0) + np.float32(1e-6))


def _ranks(values: np.ndarray) -> np.ndarray:
    """The rank of each value, best (highest) first, ties in order."""
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return ranks
