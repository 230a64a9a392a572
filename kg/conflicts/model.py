"""What a contradiction is: statements of one subject and attribute that disagree, each citing its lines.

Both detectors (``values`` and ``polarity``) yield :class:`Pair` objects, two statements that cannot
both be true with a confidence; :func:`group_pairs` joins pairs that share a statement into one
:class:`Conflict` (three lines about S3 objects' default access are one conflict with three statements).

>>> a = Statement("Objects are private.", "private", "n.md", 3, 3)
>>> b = Statement("Objects are public.", "public", "n.md", 9, 9)
>>> [c.to_json()["statements"][1]["line_start"] for c in group_pairs([Pair("S3 object", "access", a, b, 0.8)])]
[9]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Statement:
    """One side of a contradiction: the words of the notes, the value they give and where they are."""

    text: str
    value: str
    source: str
    line_start: int
    line_end: int

    @property
    def cite(self) -> str:
        lines = f"{self.line_start}" if self.line_start == self.line_end else f"{self.line_start}-{self.line_end}"
        return f"{self.source}:{lines}"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "value": self.value,
            "source": self.source,
            "line_start": self.line_start,
            "line_end": self.line_end,
        }


@dataclass(frozen=True, slots=True)
class Pair:
    """Two statements that contradict each other, as one detector found them.

    Attributes:
        subject: The label of the entity both statements are about.
        attribute: What they disagree on, in the notes' words.
        first: The earlier statement (by source, then line).
        second: The later one.
        confidence: 0-1, how sure the detector is (ranks the output).
        kind: ``value`` (two figures), ``negation`` (a statement and its negation) or ``state`` (two
            values of one default state).
    """

    subject: str
    attribute: str
    first: Statement
    second: Statement
    confidence: float
    kind: str = "value"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Statements of the notes about one subject and attribute that cannot all be true."""

    subject: str
    attribute: str
    statements: tuple[Statement, ...]
    confidence: float
    kind: str

    def to_json(self) -> dict[str, Any]:
        """The contract's object: ``{"subject", "attribute", "statements": [...]}``."""
        return {
            "subject": self.subject,
            "attribute": self.attribute,
            "statements": [s.to_json() for s in self.statements],
        }

    def to_text(self) -> str:
        """One block: the subject and attribute, then each statement with its citation."""
        head = f"{self.subject}: {self.attribute}  ({self.kind}, confidence {self.confidence:.2f})"
        lines = [head]
        for statement in self.statements:
            lines.append(f"  {statement.cite}  [{statement.value}]  {statement.text}")
        return "\n".join(lines)


def _key(statement: Statement) -> tuple[str, int, int, str]:
    return (statement.source, statement.line_start, statement.line_end, statement.value)


def group_pairs(pairs: Iterable[Pair]) -> list[Conflict]:
    """Join pairs of one subject and attribute that share a statement; best conflicts first.

    A group's confidence is that of its surest pair; its statements are in source and line order.
    """
    parent: dict[tuple[str, str, tuple[str, int, int, str]], tuple[str, str, tuple[str, int, int, str]]] = {}

    def find(node: tuple[str, str, tuple[str, int, int, str]]) -> tuple[str, str, tuple[str, int, int, str]]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    pairs = list(pairs)
    statements: dict[tuple[str, int, int, str], Statement] = {}
    for pair in pairs:
        a = (pair.subject, pair.attribute, _key(pair.first))
        b = (pair.subject, pair.attribute, _key(pair.second))
        statements[_key(pair.first)] = pair.first
        statements[_key(pair.second)] = pair.second
        parent[find(a)] = find(b)
    members: dict[tuple[str, str, tuple[str, int, int, str]], set[tuple[str, int, int, str]]] = {}
    best: dict[tuple[str, str, tuple[str, int, int, str]], Pair] = {}
    for pair in pairs:
        root = find((pair.subject, pair.attribute, _key(pair.first)))
        members.setdefault(root, set()).update({_key(pair.first), _key(pair.second)})
        if root not in best or pair.confidence > best[root].confidence:
            best[root] = pair
    conflicts = [
        Conflict(
            subject=best[root].subject,
            attribute=best[root].attribute,
            statements=tuple(statements[k] for k in sorted(keys)),
            confidence=round(best[root].confidence, 3),
            kind=best[root].kind,
        )
        for root, keys in members.items()
    ]
    conflicts.sort(key=lambda c: (-c.confidence, c.subject.lower(), c.statements[0].source, c.statements[0].line_start))
    return conflicts
