"""The answer object of `kg ask` and its two renderings (the JSON contract, and text for a terminal)."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ANSWER_CHARS = 300  # the first 300 characters must carry the answer


@dataclass(slots=True)
class Citation:
    source: str
    line_start: int
    line_end: int
    section: str
    text: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "section": self.section,
            "text": self.text,
            "score": round(float(self.score), 4),
        }


@dataclass(slots=True)
class FactRow:
    subject: str
    predicate: str
    object: str
    source: str
    line_start: int
    line_end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "predicate": self.predicate,
            "object": self.object,
            "source": self.source,
            "line_start": self.line_start,
            "line_end": self.line_end,
        }


@dataclass(slots=True)
class Answer:
    """An answer with its citations, the facts it used, and the SPARQL it ran.

    ``message`` explains an abstention (or a caveat); it is shown in the text rendering and the
    app, and kept out of the JSON contract, where an abstention has an empty ``answer``.
    """

    question: str
    answer: str = ""
    abstained: bool = False
    citations: list[Citation] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)
    sparql: list[str] = field(default_factory=list)
    message: str = ""
    intent: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": "" if self.abstained else self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "facts": [f.to_json() for f in self.facts],
            "sparql": list(self.sparql),
        }

    def to_text(self) -> str:
        lines = []
        if self.abstained:
            lines.append(self.message or "The notes do not answer this question.")
            if self.citations:
                lines.append("\nRelated, but not an answer:")
        else:
            lines.append(textwrap.fill(self.answer, width=100))
            if self.citations:
                lines.append("\nSources:")
        for citation in self.citations:
            lines.append(f"  {citation.source}:{citation.line_start}-{citation.line_end}  [{citation.section}]")
            lines.append(textwrap.indent(textwrap.shorten(citation.text, 300), "      "))
        return "\n".join(lines)


def format_number(value: Decimal | float | int) -> str:
    """``Decimal('3600')`` → ``3,600``; ``99.999999999`` stays as written."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return format(number.normalize(), "f")


UNIT_NAMES = {"count": "", "percent": "%", "prefix length": ""}


def format_quantity(value: Any, unit: str, value_max: Any = None) -> str:
    """``5, "TB"`` → ``5 TB``; a range → ``1–3,600 seconds``; a percentage → ``99.99%``."""
    low = format_number(value)
    high = format_number(value_max) if value_max is not None else None
    suffix = UNIT_NAMES.get(unit, unit)
    if unit == "percent":
        return f"{low}%" if high is None else f"{low}–{high}%"
    text = low if high is None else f"{low} to {high}"
    if high is None and low == "1" and suffix.endswith("s") and suffix.islower():
        suffix = suffix[:-1]  # "1 hour", not "1 hours"
    return f"{text} {suffix}".strip()


KIND_WORDS = {
    "max": "maximum",
    "min": "minimum",
    "default": "default",
    "range": "allowed range",
    "exact": "",
    "rate": "rate",
    "percent": "",
}


def sentence_around(text: str, needle: str, limit: int = 220) -> str:
    """The sentence of ``text`` that contains ``needle`` (shortened to about ``limit`` characters)."""
    low = needle.lower()
    # in a block of lines ("Key: value" runs, table rows), the line that states it
    text = next((line for line in text.split("\n") if low and low in line.lower()), text)
    text = " ".join(text.split())
    sentences = re.split(r"(?<=[.!?;])\s+", text)
    found = [i for i, s in enumerate(sentences) if low and low in s.lower()]
    if not found:
        return shorten(text, limit)
    # Prefer the sentence the needle opens (its subject) over one that mentions it in passing.
    opening = [i for i in found if sentences[i].lower().find(low) <= 15]
    index = (opening or found)[0]
    return around(" ".join(sentences[index:]), needle, limit)


def around(text: str, needle: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters so that ``needle`` stays in: a long sentence that
    states a figure near its end keeps the words that lead to it ("… up to the last 5 minutes.")."""
    at = text.lower().find(needle.lower()) if needle else -1
    if at < 0 or at + len(needle) <= limit - 10:
        return shorten(text, limit)
    start = text.rfind(" ", 0, max(0, at - (limit - len(needle) - 40)))
    return "…" + shorten(text[start + 1 :], limit)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut).rstrip(",;: ") + "…"
