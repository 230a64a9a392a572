"""Fit the models of the answer path, leave-one-corpus-out, and write them as JSON.

    python -m kg.learn            (what `make train` runs)

1. intent: a multinomial logistic model over the question's words, the vocabulary limited to
   words asked in at least two corpora (so no corpus's topic words decide an intent);
2. ranker: LightGBM lambdarank over the candidate units' features, trees exported to JSON;
3. abstain: LightGBM (binary) over the ranked units' evidence, fitted on rankings made by rankers
   that never saw the corpus; its threshold is set on probabilities that are also cross-fitted
   (each corpus scored by a model fitted without it) for at most 3% false abstentions;
4. verdict: a logistic model over the yes/no evidence of the graded-best unit;
5. select: LightGBM lambdarank over each question's candidate answers (``kg/qa/select.py``), as
   rankers fitted without the question's corpus rank and lay them out, labelled by the gold answer.

Every step is deterministic (fixed seeds, one thread), so `make train` rewrites the same files.
Models fitted without each corpus go to ``benchmarks/results/models-loco/<corpus>`` for the bench.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kg.learn.corpora import ROOT
from kg.learn.dataset import Choices, Example
from kg.qa.compose import ABSTAIN_FEATURES, VERDICT_FEATURES
from kg.qa.features import FEATURES, INTENTS
from kg.qa.ranker import Classifier, Linear, Models, Trees, question_words, word_vector
from kg.qa.select import SELECT_FEATURES

log = logging.getLogger(__name__)

LOCO_DIR = ROOT / "benchmarks" / "results" / "models-loco"
MAX_FALSE_ABSTENTION = 0.03
# LightGBM settings both tree models share: deterministic, one thread
TREE_PARAMS: dict[str, Any] = {
    "learning_rate": 0.05,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "seed": 7,
    "verbosity": -1,
}
ABSTAIN_PARAMS: dict[str, Any] = {**TREE_PARAMS, "objective": "binary", "num_leaves": 7}
ABSTAIN_ROUNDS = 200
RANKER_PARAMS: dict[str, Any] = {
    **TREE_PARAMS,
    "objective": "lambdarank",
    "metric": "ndcg",
    "ndcg_eval_at": [1, 3],
    "num_leaves": 15,
}
SELECT_PARAMS: dict[str, Any] = {**RANKER_PARAMS, "ndcg_eval_at": [1]}
SELECT_ROUNDS = 200  # (prototype, tune sets' LOCO selection: 100, 200, 400 rounds within 0.3 points of each other)
ROUNDS = (
    500  # chosen leave-one-corpus-out on the tune sets (250: 0.671, 500: 0.686, 800: 0.674 top-1 with the gold words)
)


def fit_intent(questions: Sequence[tuple[str, str, str]]) -> Linear:
    """Intent from the words of (corpus, question, intent) triples."""
    from sklearn.linear_model import LogisticRegression

    corpora_of: dict[str, set[str]] = {}
    for corpus, text, _ in questions:
        for word in set(question_words(text)):
            corpora_of.setdefault(word, set()).add(corpus)
    vocabulary = sorted(w for w, found in corpora_of.items() if len(found) >= 2)
    index = {w: i for i, w in enumerate(vocabulary)}
    rows = np.array([word_vector(question_words(text), index) for _, text, _ in questions])
    labels = np.array([INTENTS.index(intent) for _, _, intent in questions])
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(rows, labels)
    coef = np.zeros((len(INTENTS), len(vocabulary)))
    intercept = np.full(len(INTENTS), -30.0)  # an intent no question had
    for row, label in enumerate(model.classes_):
        coef[label], intercept[label] = model.coef_[row], model.intercept_[row]
    return Linear(coef, intercept, INTENTS, tuple(vocabulary))


def fit_select(choices: Sequence[Choices]) -> Trees:
    """Which candidate answer to show, learned from the questions where some are right and some not."""
    import lightgbm

    used = [c for c in choices if 0 < c.right.sum() < len(c.right)]
    data = lightgbm.Dataset(
        np.vstack([c.rows for c in used]),
        np.concatenate([c.right for c in used]),
        group=[len(c.right) for c in used],
        feature_name=list(SELECT_FEATURES),
    )
    booster = lightgbm.train(SELECT_PARAMS, data, num_boost_round=SELECT_ROUNDS)
    return trees_of(booster.dump_model(), SELECT_FEATURES)


def fit_ranker(examples: Sequence[Example]) -> Trees:
    import lightgbm

    used = [e for e in examples if e.answerable and len(e.grades) and e.grades.max() > 0]
    rows = np.vstack([e.rows for e in used])
    labels = np.concatenate([e.grades for e in used])
    groups = [len(e.grades) for e in used]
    # Each corpus weighs about the same, whatever its number of questions (the bundled notes have most).
    per_corpus: dict[str, int] = {}
    for example in used:
        per_corpus[example.corpus] = per_corpus.get(example.corpus, 0) + 1
    mean = len(used) / len(per_corpus)
    weights = np.concatenate([np.full(len(e.grades), np.sqrt(mean / per_corpus[e.corpus])) for e in used])
    data = lightgbm.Dataset(
        rows, labels, weight=weights, group=groups, feature_name=list(FEATURES), free_raw_data=False
    )
    booster = lightgbm.train(RANKER_PARAMS, data, num_boost_round=ROUNDS)
    return trees_of(booster.dump_model())


def _flatten(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """One tree's nodes, parents before children, leaves pointing at themselves."""
    nodes: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> int:
        at = len(nodes)
        nodes.append({})
        if "leaf_value" in node or "split_feature" not in node:
            nodes[at] = {
                "feature": -1,
                "threshold": 0.0,
                "left": at,
                "right": at,
                "value": float(node.get("leaf_value", 0.0)),
                "default_left": True,
            }
            return at
        left = walk(node["left_child"])
        right = walk(node["right_child"])
        nodes[at] = {
            "feature": int(node["split_feature"]),
            "threshold": float(node["threshold"]),
            "left": left,
            "right": right,
            "value": 0.0,
            "default_left": bool(node["default_left"]),
        }
        return at

    walk(tree)
    return nodes


def fit_abstain(rows: np.ndarray, labels: np.ndarray, corpora: np.ndarray) -> Classifier:
    """P(the notes answer it) from abstention rows; the threshold from corpus-held-out probabilities.

    (Leave-one-corpus-out on the tune sets, nine corpora, at most 2% false abstentions: the logistic
    model over ten signs abstained on 0.18 of the unanswerable questions, these trees on 0.34.
    Thirteen corpora, at most 3%: 0.29 without and 0.45 with the signs of what the question asks
    for and the best units lack (a figure, steps, members; false abstentions 0.030 and 0.031);
    0.48 (0.027) with the items of a comparison the best units name.)
    """
    import lightgbm

    def fitted(chosen: np.ndarray) -> Trees:
        data = lightgbm.Dataset(rows[chosen], labels[chosen], feature_name=list(ABSTAIN_FEATURES))
        return trees_of(
            lightgbm.train(ABSTAIN_PARAMS, data, num_boost_round=ABSTAIN_ROUNDS).dump_model(), ABSTAIN_FEATURES
        )

    model = Classifier(fitted(np.ones(len(labels), dtype=bool)), ("abstain", "answer"))
    held_out = np.zeros(len(labels))
    names = sorted(set(corpora.tolist()))
    for name in names if len(names) > 1 else ():
        mine = corpora == name
        held_out[mine] = Classifier(fitted(~mine), model.classes).probabilities(rows[mine])
    model.threshold = abstain_threshold(
        held_out if len(names) > 1 else model.probabilities(rows), labels.astype(bool), corpora
    )
    return model


def trees_of(dump: dict[str, Any], names: Sequence[str] = FEATURES) -> Trees:
    """LightGBM's dumped trees as padded node arrays."""
    flat = [_flatten(info["tree_structure"]) for info in dump["tree_info"]]
    width = max((len(n) for n in flat), default=1)

    def column(key: str, pad: Any, dtype: Any) -> np.ndarray:
        rows = [[n[key] for n in nodes] + [pad] * (width - len(nodes)) for nodes in flat]
        return np.asarray(rows, dtype=dtype).reshape(len(flat), width)

    return Trees(
        column("feature", -1, np.int32),
        column("threshold", 0.0, np.float64),
        column("left", 0, np.int32),
        column("right", 0, np.int32),
        column("value", 0.0, np.float64),
        column("default_left", True, bool),
        tuple(names),
    )


def fit_logistic(rows: np.ndarray, labels: np.ndarray, names: Sequence[str], classes: tuple[str, ...]) -> Linear:
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((rows - mean) / scale, labels)
    return Linear(model.coef_.copy(), model.intercept_.copy(), classes, tuple(names), mean, scale)


def abstain_threshold(probabilities: np.ndarray, answerable: np.ndarray, corpora: np.ndarray | None = None) -> float:
    """The highest cut that abstains on at most ``MAX_FALSE_ABSTENTION`` of the answerable questions,
    of each corpus on average: every corpus weighs the same, so the one with most questions does not
    set the cut for notes written otherwise.

    (Leave-one-corpus-out on the tune sets, thirteen corpora, it changes little there: abstention
    0.483 pooled, 0.491 balanced, false abstentions 0.027 both; it guards notes unlike the rest.)
    """
    groups = (
        np.zeros(len(probabilities), dtype=np.int64) if corpora is None else np.unique(corpora, return_inverse=True)[1]
    )
    answered = [np.sort(probabilities[answerable & (groups == g)]) for g in np.unique(groups)]
    answered = [a for a in answered if len(a)]
    if not answered:
        return 0.5
    cuts = np.unique(np.concatenate(answered))
    false = np.mean([np.searchsorted(a, cuts, side="left") / len(a) for a in answered], axis=0)
    return float(cuts[false <= MAX_FALSE_ABSTENTION + 1e-12].max())


def to_json(model: Trees | Linear | Classifier) -> dict[str, Any]:
    if isinstance(model, Classifier):
        return {"trees": to_json(model.trees), "classes": list(model.classes), "threshold": model.threshold}
    if isinstance(model, Trees):
        return {
            "names": list(model.names),
            "feature": model.feature.tolist(),
            "threshold": model.threshold.tolist(),
            "left": model.left.tolist(),
            "right": model.right.tolist(),
            "value": model.value.tolist(),
            "default_left": model.default_left.tolist(),
        }
    out: dict[str, Any] = {
        "classes": list(model.classes),
        "names": list(model.names),
        "coef": model.coef.tolist(),
        "intercept": model.intercept.tolist(),
        "threshold": model.threshold,
    }
    if model.mean is not None and model.scale is not None:
        out["mean"], out["scale"] = model.mean.tolist(), model.scale.tolist()
    return out


def save(models: Models, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("ranker", "intent", "abstain", "verdict", "select"):
        if getattr(models, name) is None:
            continue
        body = json.dumps(to_json(getattr(models, name)), separators=(",", ":"), sort_keys=True)
        (folder / f"{name}.json").write_text(body + "\n", encoding="utf-8")


def fit_all(
    examples: Sequence[Example],
    intent: Linear,
    abstain_examples: Sequence[tuple[np.ndarray, bool, str]],
    ranker: Trees | None = None,
) -> Models:
    """The models from examples (abstention rows cross-fitted by the caller; the ranker fitted here
    unless given). The selection model is fitted afterwards, on answers these models lay out."""
    ranker = ranker if ranker is not None else fit_ranker(examples)
    rows = np.array([r for r, _, _ in abstain_examples])
    labels = np.array([int(a) for _, a, _ in abstain_examples])
    abstain = fit_abstain(rows, labels, np.array([c for _, _, c in abstain_examples]))
    voted = [e for e in examples if e.verdict >= 0 and e.verdict_row is not None]
    verdict_rows = np.array([e.verdict_row for e in voted])
    verdict = fit_logistic(verdict_rows, np.array([e.verdict for e in voted]), VERDICT_FEATURES, ("no", "yes"))
    return Models(ranker, intent, abstain, verdict)


def abstain_rows(examples: Sequence[Example], ranker: Trees) -> list[tuple[np.ndarray, bool, str]]:
    """Each question's abstention evidence, its units ranked by ``ranker``."""
    from kg.qa.compose import abstain_row

    out = []
    for example in examples:
        if not len(example.grades):
            continue
        scores = ranker.predict(example.rows)
        order = np.argsort(-scores, kind="stable")
        row = abstain_row(scores[order], example.rows[order], example.intent_p, example.evidence)
        out.append((row, example.answerable, example.corpus))
    return out
