"""The parts of a store both detectors read: entity names, passages with their vectors, the parser.

:class:`NotesView` answers the questions a detector asks about two statements: which passage holds
each, how alike the passages are (cosine of the stored MiniLM vectors), whether they are parts of
one block or items of one list (cases the notes set side by side, not claims against each other),
and which physical lines a sentence of a passage sits on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from kg import facts
from kg.passages import Passage
from kg.types import GraphStore

# Passages that state things in sentences (tables and code are read through the graph's facts).
SENTENCE_KINDS = frozenset({"bullet", "paragraph", "quote", "keyvalue"})
WORD_RE = re.compile(r"[\w][\w'’.-]*")
CAPS_RE = re.compile(r"\b[A-Z]{2,}(?:'[A-Z]+)?\b")


LABEL_RE = re.compile(r"^\s*(?P<label>[^:\n]{1,60}?)\s*(?::|\s[-–—]\s)\s*\S")


def item_label(text: str) -> str:
    """The name an item gives itself before a colon or a dash, lowercase ("" when it gives none).

    >>> item_label("Public : route table directs the traffic"), item_label("GRS (geo) - 6 copies")
    ('public', 'grs (geo)')
    >>> item_label("Max object size = 5 TB")
    ''
    """
    match = LABEL_RE.match(text)
    if not match or len(match.group("label").split()) > 6:
        return ""
    return match.group("label").strip().lower()


def singular(word: str) -> str:
    """A crude singular, enough to match "objects" with "object" and "policies" with "policy".

    >>> [singular(w) for w in ("Objects", "policies", "access", "S3")]
    ['object', 'policy', 'access', 's3']
    """
    low = word.lower()
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 2:
        return low[:-1]
    return low


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def calm(text: str) -> str:
    """Function words written in capitals for emphasis, lowercased (same length, so offsets hold):
    the parser reads "CANNOT be deleted" as a proper noun, "cannot be deleted" as a negation.

    >>> calm("Default SG CANNOT be deleted; the VPC DOES NOT change.")
    'Default SG cannot be deleted; the VPC does not change.'
    """
    stop = _stop_words()
    return CAPS_RE.sub(lambda m: m.group(0).lower() if m.group(0).lower() in stop else m.group(0), text)


@lru_cache(maxsize=1)
def load_parser() -> Any:
    """spaCy's English model with only its own components (tagger, parser, lemmatizer), loaded once."""
    from ingest.extract import load_base_pipeline

    nlp = load_base_pipeline()
    return nlp


def parse(texts: Sequence[str]) -> list[Any]:
    """Parse texts with the base pipeline (ingest's components, when added to it, are left out)."""
    nlp = load_parser()
    base = {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"}
    others = [name for name in nlp.pipe_names if name not in base]
    return list(nlp.pipe([calm(t) for t in texts], batch_size=64, disable=others))


@dataclass(frozen=True, slots=True)
class EntityName:
    """An entity as the detectors match it: its label and every name's words, singular and lowercase."""

    iri: str
    label: str
    names: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> frozenset[str]:
        return frozenset(w for name in self.names for w in name)


class NotesView:
    """Read-only access to one store's entities, passages and passage vectors.

    Args:
        graph: The store's graph.
        passages: The store's passages (ids are rows of ``vectors``).
        vectors: One L2-normalised vector per passage, or None (then every cosine is 0).
        source_lines: Returns the lines of an ingested file, to cite a sentence by its own lines.
    """

    def __init__(
        self,
        graph: GraphStore,
        passages: Sequence[Passage],
        vectors: np.ndarray | None = None,
        source_lines: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.graph = graph
        self.passages = list(passages)
        self.vectors = vectors if vectors is not None and len(vectors) == len(self.passages) else None
        self._source_lines = source_lines
        self._by_source: dict[str, list[Passage]] = {}
        for passage in self.passages:
            self._by_source.setdefault(passage.source, []).append(passage)

    @cached_property
    def entities(self) -> dict[str, EntityName]:
        """Every entity of the graph by its id (the last segment of its IRI)."""
        out: dict[str, EntityName] = {}
        for row in facts.services(self.graph):
            names = {tuple(singular(w) for w in WORD_RE.findall(n)) for n in [row["label"], *row["aliases"]]}
            key = row["iri"].rsplit("/", 1)[-1]
            out[key] = EntityName(row["iri"], row["label"], tuple(sorted(n for n in names if n)))
        return out

    def passage_at(self, source: str, line_start: int, line_end: int, text: str = "") -> Passage | None:
        """The narrowest passage of ``source`` that covers the lines (the one holding ``text`` first)."""
        covering = [p for p in self._by_source.get(source, []) if p.line_start <= line_start and line_end <= p.line_end]
        if text:
            holding = [p for p in covering if text in p.text]
            covering = holding or covering
        return min(covering, key=lambda p: (p.line_end - p.line_start, p.id), default=None)

    def cosine(self, a: Passage | None, b: Passage | None) -> float:
        """Cosine of two passages' stored vectors (0 without vectors)."""
        if a is None or b is None or self.vectors is None:
            return 0.0
        return float(np.dot(self.vectors[a.id], self.vectors[b.id]))

    @staticmethod
    def side_by_side(a: Passage | None, b: Passage | None) -> bool:
        """True for cases the notes set side by side, which they mean to differ, rather than two
        claims about one thing: two parts of one block; two items of one list; items nested under
        different items of one section ("Consumption plan > timeout 5 minutes", "Premium plan >
        timeout 30 minutes"); items of one section that name themselves differently ("Public: ...",
        "Private: ...", "LRS - 11 nines", "GRS - 16 nines")."""
        if a is None or b is None or a.source != b.source:
            return False
        if a.block_id == b.block_id or a.id == b.id:
            return True
        if a.parent is not None and a.parent == b.parent:
            return True
        if a.section != b.section:
            return False
        if a.parent is not None and b.parent is not None:
            return True
        label_a, label_b = item_label(a.text), item_label(b.text)
        return bool(label_a and label_b and label_a != label_b)

    def lines_of(self, passage: Passage, sentence: str) -> tuple[int, int]:
        """The physical lines of ``passage`` that hold ``sentence`` (the passage's span when unsure)."""
        if passage.line_start == passage.line_end or self._source_lines is None:
            return passage.line_start, passage.line_end
        try:
            lines = self._source_lines(passage.source)
        except Exception:  # a store without its notes: cite the passage
            return passage.line_start, passage.line_end
        words = WORD_RE.findall(sentence)
        head, tail = " ".join(words[:5]), " ".join(words[-3:])
        start = end = 0
        for number in range(passage.line_start, min(passage.line_end, len(lines)) + 1):
            line = " ".join(WORD_RE.findall(lines[number - 1]))
            if not start and head and head in line:
                start = number
            if start and tail and tail in line:
                end = number
                break
        if start and end:
            return start, end
        return passage.line_start, passage.line_end
