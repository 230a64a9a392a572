"""Which answer to show: candidate answers over the ranked units, scored by a learned model.

The composer (``kg/qa/compose.py``) proposes a few answers: its own pick (a unit for each part of the
question, or for each side of a comparison, then the next readings) and each of the best units
leading, followed by the next readings that fit. Each is laid out as the reader would see it (the
lead, the parts in turn, 300 characters) and described here by what that text shows: how much of
the question's weight it says, whether both sides of a comparison or a figure are in it, how far
down the ranking its first unit sits, how much of its parts was cut. The selection model
(LightGBM lambdarank over the candidates of each question, fitted by ``make train`` on the tune
questions' gold answers, leave-one-corpus-out) scores them; the answer is the best.

(Answer accuracy, tune sets of 23 corpora, 2,885 answerable questions, ranker and selection model
both fitted without the corpus they answer: the composer's pick 0.663; the selected answer with the
5, 8 or 12 best units leading 0.685, 0.690, 0.693, when some candidate is right for 0.825, 0.856,
0.879 of the questions.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kg.index.tokens import tokenize
from kg.qa.features import INTENTS, QUANTITY_RE
from kg.qa.units import KINDS, Unit

if TYPE_CHECKING:
    from kg.qa.engine import Ranked

SELECT_FEATURES = (
    "first_rank",  # where the answer's first unit sits in the ranking
    "first_score",
    "first_gap",  # its ranker score below the best unit's
    "mean_score",
    "min_score",
    "parts",  # units shown
    "units",  # units chosen (some may find no room)
    "said",  # share of the question's IDF weight the shown text says
    "said_first",  # ... its first part alone
    "sides_shown",  # sides of a comparison the shown text names (0-2)
    "sides_first",
    "has_sides",
    "quantity",  # a figure with its unit in the shown text
    "quantity_first",
    "lead",  # a lead (figure, Yes/No) was found
    "shown_share",  # characters shown of all the chosen units' renders
    "length",
    "first_length",
    "cut",  # parts cut short
    "first_cut",
    "focused",  # the first part starts at its best line, not its head
    "first_kind",
    "first_lines",
    *(f"intent_{name}" for name in INTENTS),
)


@dataclass(slots=True)
class Shown:
    """A candidate answer as the reader would see it."""

    units: list[Unit]
    parts: list[str]  # each shown unit's text, cut to the room it had
    lead: str  # the figure or "Yes"/"No" said first ("" for none)
    text: str  # the answer


def select_row(ranked: Ranked, shown: Shown, say: Callable[[Unit], str]) -> np.ndarray:
    """What a candidate answer shows, as the selection model reads it."""
    weights = ranked.asked.weights
    total = sum(weights.values()) or 1.0
    words = frozenset(tokenize(shown.text))
    first = frozenset(tokenize(shown.parts[0])) if shown.parts else frozenset()
    position = {u.id: i for i, u in enumerate(ranked.units)}
    units = shown.units[: max(1, len(shown.parts))]
    ranks = [position.get(u.id, len(ranked.units)) for u in units]
    scores = [float(ranked.scores[r]) if r < len(ranked.scores) else 0.0 for r in ranks]
    sides = ranked.asked.sides
    rendered = sum(len(" ".join(say(u).split())) for u in shown.units)
    values = {
        "first_rank": ranks[0],
        "first_score": scores[0],
        "first_gap": scores[0] - float(ranked.scores[0]),
        "mean_score": float(np.mean(scores)),
        "min_score": min(scores),
        "parts": len(shown.parts),
        "units": len(shown.units),
        "said": sum(w for t, w in weights.items() if t in words) / total,
        "said_first": sum(w for t, w in weights.items() if t in first) / total,
        "sides_shown": sum(bool(side & words) for side in sides) if sides else 0,
        "sides_first": sum(bool(side & first) for side in sides) if sides else 0,
        "has_sides": float(bool(sides)),
        "quantity": float(bool(QUANTITY_RE.search(shown.text))),
        "quantity_first": float(bool(shown.parts and QUANTITY_RE.search(shown.parts[0]))),
        "lead": float(bool(shown.lead)),
        "shown_share": len(shown.text) / max(1, rendered),
        "length": len(shown.text),
        "first_length": len(shown.parts[0]) if shown.parts else 0,
        "cut": sum(p.endswith("…") for p in shown.parts),
        "first_cut": float(bool(shown.parts) and shown.parts[0].endswith("…")),
        "focused": float(bool(shown.parts) and shown.parts[0].startswith("…")),
        "first_kind": KINDS.index(units[0].kind),
        "first_lines": units[0].line_end - units[0].line_start + 1,
        **{f"intent_{name}": float(p) for name, p in zip(INTENTS, ranked.asked.intent, strict=True)},
    }
    return np.array([values[name] for name in SELECT_FEATURES], dtype=np.float64)
