"""Fit the relation check (``kg/models/relation.json``): is a proposed relation stated by its lines?

    python -m kg.learn.relations          (part of `make train`)

Every relation the cue patterns propose in the labelled corpora is a row of
``ingest.extract.relation_check.FEATURES``; its label is the fact gold's (``benchmarks/gold/*-facts.json``,
inside its scope: right when it matches a required gold relation, wrong when it matches none,
left out when it matches an optional one) or, elsewhere, the hand check of
``benchmarks/gold/relation-checks.json``. A logistic model over the standardised rows is fitted
on every labelled corpus and shipped; models fitted without each gold corpus score that corpus
(leave-one-corpus-out), printed as relation precision and recall against its gold.

The corpora whose fact gold is being written by others (Kubernetes, Docker) are never read here.
Deterministic: the same rows give the same file.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.learn.corpora import ROOT, corpus

GOLD_DIR = ROOT / "benchmarks" / "gold"
CHECKS = GOLD_DIR / "relation-checks.json"
GOLD_FILES = {"aws": "aws-facts.json", "azure": "azure-facts.json"}
LABELLED = ("aws", "azure", "gcp", "aws-extra", "azure2", "azure3", "terraform")
LOCO_DIR = ROOT / "benchmarks" / "results" / "models-loco"
C = 1.0  # the logistic model's usual default; not tuned


@dataclass
class Candidate:
    corpus: str
    row: dict[str, Any]  # the relation as `kg facts --json` gives it (entity ids as subject/object)
    features: dict[str, float]
    label: int | None  # 1 stated, 0 not, None unlabelled or borderline


def candidates(name: str) -> list[Candidate]:
    """Every relation the patterns propose in corpus ``name``, unchecked, with its label."""
    from ingest.extract import build_pipeline, extract
    from kg.builder import parse_all

    documents = parse_all(corpus(name).files)
    extraction = extract(documents, nlp=build_pipeline(), check=False)
    labels = {e.id: e.label for e in extraction.entities.values()}
    out = []
    for fact in extraction.relations:
        row = {
            "subject": fact.subject_id,
            "subject_label": labels.get(fact.subject_id, fact.subject_id),
            "predicate": fact.predicate,
            "object": fact.object_id,
            "object_label": labels.get(fact.object_id, fact.object_id),
            "text": fact.text,
            "source": fact.prov.source,
            "line_start": fact.prov.line_start,
            "line_end": fact.prov.line_end,
        }
        out.append(Candidate(name, row, dict(fact.features), None))
    _label(name, out)
    return out


def _label(name: str, found: list[Candidate]) -> None:
    from benchmarks.facts_eval import _in_scope, _local, _resolve, _service_of

    checks = {
        (c["line"], c["subject"], c["predicate"], c["object"]): c["correct"]
        for c in json.loads(CHECKS.read_text(encoding="utf-8"))["checks"]
        if c["corpus"] == name
    }
    gold = json.loads((GOLD_DIR / GOLD_FILES[name]).read_text(encoding="utf-8")) if name in GOLD_FILES else None
    for candidate in found:
        row = candidate.row
        if gold is not None and _in_scope(row["line_start"], gold["scope"]):
            candidate.label = 0
            for relation in gold["relations"]:
                if not row["line_start"] <= relation["line"] <= row["line_end"]:
                    continue
                if relation["predicate"] != row["predicate"]:
                    continue
                subject_ids = {i for i in (_resolve(relation["subject"]), _resolve(relation["subject_service"])) if i}
                object_ids = {i for i in (_resolve(relation["object"]), _resolve(relation["object_service"])) if i}
                s_id, o_id = _local(row["subject"]), _local(row["object"])
                if ({s_id, _service_of(s_id)} & subject_ids) and ({o_id, _service_of(o_id)} & object_ids):
                    candidate.label = None if relation["optional"] else 1
                    if candidate.label == 1:
                        break
            continue
        key = (row["line_start"], row["subject_label"], row["predicate"], row["object_label"])
        correct = checks.get(key)
        candidate.label = None if correct is None else int(correct)


def fit(rows: Sequence[Candidate]) -> Any:
    """The logistic model over the labelled candidates' standardised features."""
    from sklearn.linear_model import LogisticRegression

    from ingest.extract.relation_check import FEATURES, RelationModel

    used = [c for c in rows if c.label is not None]
    x = np.array([[c.features.get(n, 0.0) for n in FEATURES] for c in used])
    y = np.array([c.label for c in used])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit((x - mean) / scale, y)
    return RelationModel(
        tuple(FEATURES),
        tuple(float(v) for v in model.coef_[0]),
        float(model.intercept_[0]),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
    )


def gold_figures(name: str, rows: Sequence[Candidate], model: Any) -> dict[str, Any]:
    """Relation precision and recall of corpus ``name`` against its gold, keeping what ``model`` accepts."""
    from benchmarks.facts_eval import score_relations

    gold = json.loads((GOLD_DIR / GOLD_FILES[name]).read_text(encoding="utf-8"))
    kept = [c.row for c in rows if model is None or model.accepts(c.features)]
    score = score_relations(gold, {"relations": kept})
    return {"precision": round(score.precision, 3), "recall": round(score.recall, 3), "tp": score.tp, "fp": score.fp}


def checked_figures(rows: Sequence[Candidate], model: Any) -> dict[str, Any]:
    """Over the labelled candidates: the share of kept ones that are right, and of right ones kept."""
    labelled = [c for c in rows if c.label is not None]
    kept = [c for c in labelled if model is None or model.accepts(c.features)]
    right = sum(c.label == 1 for c in labelled)
    kept_right = sum(c.label == 1 for c in kept)
    return {
        "labelled": len(labelled),
        "precision": round(kept_right / len(kept), 3) if kept else 0.0,
        "kept_of_right": round(kept_right / right, 3) if right else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.__main__ import table
    from ingest.extract.relation_check import MODEL_FILE

    parser = argparse.ArgumentParser(prog="python -m kg.learn.relations")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where the shipped model goes")
    args = parser.parse_args(argv)
    rows = {name: candidates(name) for name in LABELLED}
    everything = [c for found in rows.values() for c in found]
    shipped = fit(everything)
    shipped.save(args.out)
    figures = []
    for name in LABELLED:
        held_out = fit([c for c in everything if c.corpus != name])
        if name in GOLD_FILES:
            held_out.save(LOCO_DIR / name / "relation.json")
        for label, model in (("no check", None), ("leave-one-corpus-out", held_out), ("shipped (in sample)", shipped)):
            row: dict[str, Any] = {"corpus": name, "model": label, **checked_figures(rows[name], model)}
            if name in GOLD_FILES:
                gold = gold_figures(name, rows[name], model)
                row.update({f"gold_{k}": v for k, v in gold.items()})
            figures.append(row)
    table("Relation check: hand-checked and gold relations kept (leave-one-corpus-out)", figures)
    print(f"\nrelation model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
