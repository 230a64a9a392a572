"""Training examples: each tune question's candidate units, their features, and how good each is.

A unit's grade is ``2 * (its text holds the gold strings) + (it spans a gold line)``: 3 is the
answer at the cited place, 2 the same words elsewhere, 1 the right lines without the words asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.learn.corpora import ROOT, Corpus, question_file

if TYPE_CHECKING:
    from kg.qa.ranker import Models

STORES = ROOT / "benchmarks" / "results" / "stores"
VERDICTS = {"yes", "no"}


@dataclass
class Example:
    """One question with its candidate units (rows of features) and their grades."""

    corpus: str
    id: str
    question: str
    intent: str
    answerable: bool
    rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    grades: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    verdict: int = -1  # 1 yes, 0 no, -1 not a yes/no question
    verdict_row: np.ndarray | None = None  # the yes/no evidence of its best graded unit
    intent_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    evidence: dict[str, float] = field(default_factory=dict)


@dataclass
class Choices:
    """One question's candidate answers: what each shows (rows) and whether it holds the gold answer."""

    corpus: str
    id: str
    rows: np.ndarray
    right: np.ndarray


def load_questions(corpus: Corpus) -> list[dict[str, Any]]:
    """The tune questions of a corpus (never its held-aside or unseen ones)."""
    out = []
    for stem in corpus.tune:
        for line in question_file(stem).read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line)
                if question.get("split", "tune") == "tune":
                    out.append(question)
    return out


def store_for(corpus: Corpus, folder: Path = STORES) -> Path:
    """The corpus's store, built when missing or out of date."""
    from kg.builder import build_store, is_up_to_date

    store = folder / corpus.name
    if not is_up_to_date(corpus.files, store):
        build_store(corpus.files, store)
    return store


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def grade(question: dict[str, Any], source: str, start: int, end: int, rendered: str, gold_source: str) -> int:
    """How good a unit is as the answer to ``question`` (0-3): 2 for the gold words in its render,
    1 for some of them where the question needs several (a comparison's two sides, a list's members),
    1 for a gold line within its span.

    (The part credit, answer accuracy on the tune sets of 23 corpora with LOCO models refit: 0.6575 ->
    0.6634; relationship 0.716 -> 0.743, definition 0.757 -> 0.770, yes/no 0.678 -> 0.693,
    procedure 0.520 -> 0.507. Without it a unit holding one side of a comparison weighed no more
    than one holding neither.)
    """
    golds = [squash(g) for g in question["gold_answer"] if g.strip().lower() not in VERDICTS]
    got = squash(rendered[:280])
    if golds:
        words = (
            all(g in got for g in golds)
            if question.get("answer_mode", "any") == "all"
            else any(g in got for g in golds)
        )
    else:
        words = False
    partial = not words and len(golds) > 1 and any(g in got for g in golds)
    lines = source == gold_source and any(start <= n <= end for n in question["gold_lines"])
    return 2 * int(words) + int(partial) + int(lines)


def examples_for(
    corpus: Corpus,
    intents: Callable[[list[str]], np.ndarray],
    questions: Iterable[dict[str, Any]] | None = None,
    store: Path | None = None,
) -> list[Example]:
    """The examples of one corpus, with intent probabilities from ``intents`` (fitted without it)."""
    from kg.learn.corpora import gold_source
    from kg.qa.compose import render, verdict_row
    from kg.qa.engine import Engine

    chosen = list(questions if questions is not None else load_questions(corpus))
    engine = Engine.open(store or store_for(corpus))
    texts = [engine.speller.correct(" ".join(q["question"].split())) for q in chosen]
    vectors = engine.encoder.encode(texts)
    probabilities = intents(texts)
    out = []
    for question, text, vector, intent in zip(chosen, texts, vectors, probabilities, strict=True):
        ranked = engine.rank(text, vector, None, intent=intent)
        source = gold_source(question, corpus)
        grades = np.array(
            [
                grade(question, u.source, u.line_start, u.line_end, render(engine, u, ranked.asked.weights), source)
                for u in ranked.units
            ],
            dtype=np.int32,
        )
        example = Example(
            corpus.name,
            question["id"],
            question["question"],
            question["intent"],
            bool(question["answerable"]),
            ranked.rows,
            grades,
            intent_p=np.asarray(intent),
            evidence=ranked.asked.evidence,
        )
        golds = [g.strip().lower() for g in question["gold_answer"]]
        if question["intent"] == "yesno" and golds and golds[0] in VERDICTS and len(grades) and grades.max() > 0:
            example.verdict = int(golds[0] == "yes")
            ranked.rows = ranked.rows[[int(np.argmax(grades))]]
            example.verdict_row = verdict_row(ranked, ranked.units[int(np.argmax(grades))])
        out.append(example)
    engine.store.close()
    return out


def choices_for(corpus: Corpus, models: Models, questions: Iterable[dict[str, Any]] | None = None) -> list[Choices]:
    """The candidate answers to each answerable question of a corpus, as ``models`` (fitted without it)
    rank and lay them out, each marked right when its text holds the gold answer as the bench reads it."""
    from benchmarks.qa_eval import answer_correct
    from kg.qa.answer import ANSWER_CHARS
    from kg.qa.compose import candidate_answers
    from kg.qa.engine import Engine
    from kg.qa.select import select_row

    chosen = [q for q in (questions if questions is not None else load_questions(corpus)) if q["answerable"]]
    engine = Engine.open(store_for(corpus), models=models)
    texts = [engine.speller.correct(" ".join(q["question"].split())) for q in chosen]
    out = []
    for question, text, vector in zip(chosen, texts, engine.encoder.encode(texts), strict=True):
        ranked = engine.rank(text, vector, models)
        if not ranked.units:
            continue
        found, say = candidate_answers(engine, ranked, models)
        rows = np.array([select_row(ranked, shown, say) for shown in found])
        right = np.array([answer_correct(question, shown.text[:ANSWER_CHARS]) for shown in found], dtype=np.int32)
        out.append(Choices(corpus.name, question["id"], rows, right))
    engine.store.close()
    return out
