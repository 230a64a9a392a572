"""Contradictions: facts the notes state two ways (`kg conflicts`, the app's Contradictions page).

Two detectors read the store (the graph, the passages and their vectors), never lists of phrases:

- :mod:`kg.conflicts.values`: limits of the graph with one subject and attribute and different values;
- :mod:`kg.conflicts.polarity`: a sentence and its negation, or two values of one default state,
  paired by subject entity, predicate and the passages' vectors.

Each finding cites both (or all) statements by source and lines; a wrong conflict is worse than a
missing one, so every rule errs towards silence. The findings are ranked by confidence.

>>> from kg.conflicts.model import Statement, Pair
>>> a, b = Statement("x is on", "on", "n.md", 1, 1), Statement("x is off", "off", "n.md", 5, 5)
>>> conflicts_json(group_pairs([Pair("X", "state", a, b, 0.9)]))[0]["statements"][1]["value"]
'off'
"""

from __future__ import annotations

import logging
from typing import Any

from kg.conflicts.model import Conflict, Pair, Statement, group_pairs
from kg.conflicts.notes import NotesView
from kg.conflicts.polarity import polarity_pairs
from kg.conflicts.values import value_pairs

__all__ = ["Conflict", "NotesView", "Pair", "Statement", "conflicts_json", "find_conflicts", "group_pairs"]

log = logging.getLogger(__name__)


def find_conflicts(view: NotesView) -> list[Conflict]:
    """Every contradiction the detectors find in one store, surest first."""
    pairs: list[Pair] = value_pairs(view)
    pairs += polarity_pairs(view)
    log.debug("%d conflicting pairs", len(pairs))
    return group_pairs(pairs)


def store_view(store: Any) -> NotesView:
    """The detectors' view of an opened :class:`kg.store.KnowledgeStore`."""
    return NotesView(store.graph, store.passages, store.dense.reconstruct_all(), store.source_lines)


def conflicts_json(conflicts: list[Conflict]) -> list[dict[str, Any]]:
    """The `kg conflicts --json` document: a list of ``{"subject", "attribute", "statements"}``."""
    return [c.to_json() for c in conflicts]
