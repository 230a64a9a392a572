"""`make train`: fit the answer path's models on every corpus's tune questions, and per left-out corpus.

    python -m kg.learn [--cached]

``--cached`` reuses the examples of the last run (``benchmarks/results/train-examples.pkl``) and
only refits. After the rankers and the abstention and yes/no models, each corpus's tune questions
are answered by its leave-one-corpus-out models and every candidate answer is marked right or not
against the gold: the selection model learns from those. The shipped models go to ``kg/models``;
the leave-one-corpus-out ones to ``benchmarks/results/models-loco/<corpus>``; a table of
leave-one-corpus-out ranking figures is printed.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from kg.learn.corpora import CORPORA, ROOT
from kg.learn.dataset import Choices, Example, choices_for, examples_for, load_questions
from kg.learn.fit import (
    LOCO_DIR,
    abstain_rows,
    fit_all,
    fit_intent,
    fit_ranker,
    fit_select,
    save,
)
from kg.qa.features import INTENTS
from kg.qa.ranker import MODELS_DIR, Linear, Models, question_words, word_vector

CACHE = ROOT / "benchmarks" / "results" / "train-examples.pkl"


def intent_probabilities(model: Linear):  # type: ignore[no-untyped-def]
    index = {w: i for i, w in enumerate(model.names)}

    def run(texts: Sequence[str]) -> np.ndarray:
        return model.probabilities(np.array([word_vector(question_words(t), index) for t in texts]))

    return run


def ranking_figures(examples: Sequence[Example], models: dict[str, Models]) -> list[dict[str, object]]:
    rows = []
    for corpus in CORPORA:
        chosen = [e for e in examples if e.corpus == corpus.name and e.answerable and len(e.grades)]
        if not chosen:
            continue
        top1 = top3 = words1 = reach = 0
        for example in chosen:
            order = np.argsort(-models[corpus.name].ranker.predict(example.rows), kind="stable")
            grades = example.grades[order]
            top1 += int(grades[0] > 0)
            words1 += int(grades[0] >= 2)
            top3 += int((grades[:3] > 0).any())
            reach += int(grades.max() >= 2)
        n = len(chosen)
        rows.append(
            {
                "corpus": corpus.name,
                "questions": n,
                "top1_any": round(top1 / n, 3),
                "top1_words": round(words1 / n, 3),
                "top3_any": round(top3 / n, 3),
                "words_reachable": round(reach / n, 3),
            }
        )
    return rows


_EXAMPLES: list[Example] = []  # what the forked workers fit on


def _ranker_without(name: str) -> Any:
    return fit_ranker([e for e in _EXAMPLES if e.corpus != name])


_CHOICES: dict[str, list[Choices]] = {}  # candidate answers per corpus, for the forked workers


def _select_without(name: str) -> Any:
    return fit_select([c for other, found in _CHOICES.items() if other != name for c in found])


def _models_without(job: tuple[str, Linear, list[Any], Any]) -> Models:
    name, intent, rows, ranker = job
    return fit_all([e for e in _EXAMPLES if e.corpus != name], intent, rows, ranker)


def _in_parallel(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """``function`` over ``items`` on every core. Workers are forked (they share the examples) and
    every fit runs on one thread with fixed seeds, so the results are those of a loop."""
    workers = min(len(items), os.cpu_count() or 1)
    if workers <= 1:
        return [function(item) for item in items]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(function, items))


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.__main__ import table

    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m kg.learn")
    parser.add_argument("--cached", action="store_true", help="reuse the examples of the last run")
    args = parser.parse_args(argv)
    questions = {c.name: load_questions(c) for c in CORPORA}
    triples = [(c, q["question"], q["intent"]) for c, qs in questions.items() for q in qs if q["intent"] in INTENTS]
    intents = {c.name: fit_intent([t for t in triples if t[0] != c.name]) for c in CORPORA}
    if args.cached and CACHE.exists():
        examples: list[Example] = pickle.loads(CACHE.read_bytes())
    else:
        examples = []
        for corpus in CORPORA:
            examples += examples_for(corpus, intent_probabilities(intents[corpus.name]), questions[corpus.name])
            print(f"{corpus.name}: {len(questions[corpus.name])} questions", flush=True)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(examples))
    global _EXAMPLES
    _EXAMPLES = examples
    names = [c.name for c in CORPORA]
    rankers = dict(zip(names, _in_parallel(_ranker_without, names), strict=True))
    crossed = {c.name: abstain_rows([e for e in examples if e.corpus == c.name], rankers[c.name]) for c in CORPORA}
    shipped = fit_all(examples, fit_intent(triples), [r for rows in crossed.values() for r in rows])
    jobs = [
        (name, intents[name], [r for other, found in crossed.items() if other != name for r in found], rankers[name])
        for name in names
    ]
    loco = dict(zip(names, _in_parallel(_models_without, jobs), strict=True))
    # the candidate answers of each corpus as its own leave-one-corpus-out models lay them out
    choices = {}
    for corpus in CORPORA:
        choices[corpus.name] = choices_for(corpus, loco[corpus.name], questions[corpus.name])
        print(f"{corpus.name}: {len(choices[corpus.name])} questions' candidate answers", flush=True)
    global _CHOICES
    _CHOICES = choices
    for name, select in zip(names, _in_parallel(_select_without, names), strict=True):
        loco[name].select = select
        save(loco[name], LOCO_DIR / name)
    shipped.select = fit_select([c for found in choices.values() for c in found])
    save(shipped, MODELS_DIR)
    table(
        "Ranking, leave-one-corpus-out (tune questions; grade>0 spans a gold line or holds gold words;"
        " top1_words: grade>=2, the gold words or some of them on a gold line)",
        ranking_figures(examples, loco),
    )
    print(f"\nabstain threshold {shipped.abstain.threshold:.3f}; models written to {MODELS_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
