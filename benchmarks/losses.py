"""Where answers are lost, on the tune sets: `python -m benchmarks.losses [CORPUS ...]`.

Each answerable tune question is asked with the models fitted without its corpus and abstention
off, and put in the first bucket that holds:

    right          the answer's first 300 characters hold the gold words
    not shown      the top unit holds them, the answer does not show them (the render's loss)
    unit 2-3       the second or third unit holds them (the ranker's near miss)
    unit 4-10      one of the next seven does
    candidate      a later candidate does
    nowhere        no candidate holds them (retrieval, or gold words split over several units)

Unseen sets are never read here: their failures stay unlooked-at.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from benchmarks import qa_eval
from kg.learn.corpora import CORPORA
from kg.learn.dataset import load_questions, store_for
from kg.learn.fit import LOCO_DIR

BUCKETS = ("right", "not shown", "unit 2-3", "unit 4-10", "candidate", "nowhere")


def losses(name: str) -> dict[str, Any]:
    """The share of the corpus's answerable tune questions in each bucket."""
    from kg.qa import compose
    from kg.qa.engine import Engine
    from kg.qa.ranker import Models

    corpus = next(c for c in CORPORA if c.name == name)
    models = Models.load(LOCO_DIR / name)
    models.abstain.threshold = -1.0  # every question answered: abstention is measured apart
    engine = Engine.open(store_for(corpus), models=models)
    questions = [q for q in load_questions(corpus) if q["answerable"]]
    texts = [engine.speller.correct(" ".join(q["question"].split())) for q in questions]
    counts: Counter[str] = Counter()
    for question, text, vector in zip(questions, texts, engine.encoder.encode(texts), strict=True):
        ranked = engine.rank(text, vector, models)
        shown = compose.answer(engine, question["question"], ranked, models).answer[: qa_eval.ANSWER_CHARS]
        holds = [qa_eval.answer_correct(question, unit.text) for unit in ranked.units]
        if qa_eval.answer_correct(question, shown):
            counts["right"] += 1
        elif holds[:1] == [True]:
            counts["not shown"] += 1
        elif any(holds[1:3]):
            counts["unit 2-3"] += 1
        elif any(holds[3:10]):
            counts["unit 4-10"] += 1
        elif any(holds):
            counts["candidate"] += 1
        else:
            counts["nowhere"] += 1
    engine.store.close()
    total = max(1, len(questions))
    return {"corpus": name, "questions": len(questions), **{b: round(counts[b] / total, 3) for b in BUCKETS}}


def main(argv: list[str] | None = None) -> int:
    from benchmarks.__main__ import table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.losses")
    parser.add_argument("corpora", nargs="*", help="corpus names (default: every corpus with tune sets)")
    args = parser.parse_args(argv)
    names = args.corpora or [c.name for c in CORPORA]
    rows = [losses(name) for name in names]
    rows.append(
        {
            "corpus": "mean",
            "questions": sum(r["questions"] for r in rows),
            **{b: round(sum(r[b] for r in rows) / len(rows), 3) for b in BUCKETS},
        }
    )
    table("Where answers are lost (tune sets, leave-one-corpus-out models, abstention off)", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
