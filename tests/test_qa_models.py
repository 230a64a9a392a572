"""The learned models: the shipped files, their evaluation in numpy, and fitting that repeats itself."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kg.learn.dataset import Choices, Example, grade
from kg.learn.fit import (
    ABSTAIN_PARAMS,
    ABSTAIN_ROUNDS,
    MAX_FALSE_ABSTENTION,
    abstain_threshold,
    fit_abstain,
    fit_intent,
    fit_ranker,
    fit_select,
    to_json,
    trees_of,
)
from kg.qa.compose import ABSTAIN_FEATURES, VERDICT_FEATURES
from kg.qa.features import FEATURES, INTENTS
from kg.qa.ranker import MODELS_DIR, Classifier, Linear, Models, question_words
from kg.qa.select import SELECT_FEATURES


@pytest.mark.parametrize("folder", [MODELS_DIR])
def test_models_shipped_match_the_code(folder) -> None:  # type: ignore[no-untyped-def]
    """A feature added without `make train` would be scored by a model that never saw it."""
    models = Models.load(folder)
    assert models.ranker.names == FEATURES
    assert models.abstain.names == ABSTAIN_FEATURES and models.verdict.names == VERDICT_FEATURES
    assert models.intent.classes == INTENTS and 0.0 < models.abstain.threshold < 1.0
    assert models.select is not None and models.select.names == SELECT_FEATURES


def _examples(seed: int, n: int = 40) -> list[Example]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        rows = rng.random((12, len(FEATURES))).astype(np.float32)
        grades = (rows[:, 0] > 0.8).astype(np.int32) * 2 + (rows[:, 1] > 0.7).astype(np.int32)
        out.append(Example("c" + str(i % 3), f"q{i}", "q", "limit", True, rows, grades))
    return out


@pytest.mark.parametrize("seed", [3])
def test_models_trees_score_as_lightgbm_does(seed: int) -> None:
    import lightgbm

    examples = _examples(seed)
    rows = np.vstack([e.rows for e in examples])
    labels = np.concatenate([e.grades for e in examples])
    booster = lightgbm.train(
        {"objective": "lambdarank", "num_leaves": 7, "min_data_in_leaf": 5, "verbosity": -1, "num_threads": 1},
        lightgbm.Dataset(rows, labels, group=[len(e.grades) for e in examples]),
        num_boost_round=20,
    )
    probe = np.random.default_rng(seed + 1).random((50, len(FEATURES)))
    probe[0, 3] = np.nan  # a missing value takes the side the tree learnt
    assert np.allclose(trees_of(booster.dump_model()).predict(probe), booster.predict(probe), atol=1e-9)


@pytest.mark.parametrize("seed", [11])
def test_models_abstain_trees_give_lightgbm_probabilities(seed: int) -> None:
    """The shipped abstention model is LightGBM's, evaluated in numpy; its cut is set on held-out corpora."""
    import lightgbm

    rng = np.random.default_rng(seed)
    rows = rng.random((300, len(ABSTAIN_FEATURES)))
    labels = (rows[:, 0] + 0.3 * rng.random(300) > 0.4).astype(int)
    corpora = np.array(["a", "b", "c"] * 100)
    model = fit_abstain(rows, labels, corpora)
    booster = lightgbm.train(
        ABSTAIN_PARAMS, lightgbm.Dataset(rows, labels, feature_name=list(ABSTAIN_FEATURES)), ABSTAIN_ROUNDS
    )
    assert np.allclose(model.probabilities(rows), booster.predict(rows), atol=1e-9)
    assert model.names == ABSTAIN_FEATURES and 0.0 < model.threshold < 1.0
    saved = json.dumps(to_json(model))
    assert json.dumps(to_json(fit_abstain(rows, labels, corpora))) == saved
    loaded = Classifier.from_json(json.loads(saved))
    assert loaded.threshold == model.threshold and np.array_equal(loaded.probabilities(rows), model.probabilities(rows))


# (corpus, question, intent): "x" is asked in corpus "a" only, "vs" and "what" in both.
INTENT_QUESTIONS = [
    ("a", "what is x", "definition"),
    ("b", "what is y", "definition"),
    ("a", "x vs y", "comparison"),
    ("b", "y vs z", "comparison"),
    ("a", "max size of x", "limit"),
    ("b", "max size of y", "limit"),
]


@pytest.mark.parametrize("seed", [5])
def test_models_fitting_repeats_bit_for_bit(seed: int) -> None:
    first = json.dumps(to_json(fit_ranker(_examples(seed))))
    assert json.dumps(to_json(fit_ranker(_examples(seed)))) == first
    questions = INTENT_QUESTIONS
    assert json.dumps(to_json(fit_intent(questions))) == json.dumps(to_json(fit_intent(questions)))


@pytest.mark.parametrize(("question", "intent"), [("what is x", "definition"), ("x vs y", "comparison")])
def test_models_intent_words_seen_in_two_corpora(question: str, intent: str) -> None:
    questions = INTENT_QUESTIONS
    model = fit_intent(questions)
    assert "x" not in model.names and "vs" in model.names  # "x" was asked in one corpus only
    models = Models(trees_of({"tree_info": []}), model, model, model)
    assert INTENTS[int(np.argmax(models.intents(question)))] == intent


@pytest.mark.parametrize("allowed", [MAX_FALSE_ABSTENTION])
def test_models_abstain_threshold_keeps_false_abstentions_low(allowed: float) -> None:
    rng = np.random.default_rng(0)
    probabilities = rng.random(400)
    answerable = rng.random(400) < 0.8
    cut = abstain_threshold(probabilities, answerable)
    assert (probabilities[answerable] < cut).mean() <= allowed
    assert (probabilities[answerable] < np.nextafter(cut, 1.0)).mean() > allowed  # the highest such cut


def test_models_abstain_threshold_weighs_each_corpus_the_same() -> None:
    # a large corpus whose answerable questions score high, a small one whose score low
    rng = np.random.default_rng(1)
    probabilities = np.r_[rng.uniform(0.5, 1.0, 900), rng.uniform(0.0, 0.6, 100)]
    corpora = np.array(["large"] * 900 + ["small"] * 100)
    answerable = np.ones(1000, dtype=bool)
    pooled = abstain_threshold(probabilities, answerable)
    balanced = abstain_threshold(probabilities, answerable, corpora)
    small = corpora == "small"
    assert (probabilities[small] < pooled).mean() > 2 * MAX_FALSE_ABSTENTION  # pooled: the small corpus pays
    rates = [(probabilities[corpora == c] < balanced).mean() for c in ("large", "small")]
    assert np.mean(rates) <= MAX_FALSE_ABSTENTION


@pytest.mark.parametrize(
    ("row", "expected"),
    [(np.array([[0.0, 0.0]]), 0.5), (np.array([[1.0, 0.0]]), 1 / (1 + np.exp(-2.0)))],
)
def test_models_linear_is_logistic(row: np.ndarray, expected: float) -> None:
    model = Linear(np.array([[2.0, 1.0]]), np.array([0.0]), ("no", "yes"), ("a", "b"))
    assert model.probabilities(row)[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("rendered", "lines", "expected"),
    [("5 TB: Max object size = 5TB", (70, 70), 3), ("Max 100 buckets", (70, 70), 1), ("5TB elsewhere", (9, 9), 2)],
)
def test_learn_grade(rendered: str, lines: tuple[int, int], expected: int) -> None:
    question = {"gold_answer": ["5TB", "5 TB"], "answer_mode": "any", "gold_lines": [70]}
    assert grade(question, "aws.txt", *lines, rendered, "aws.txt") == expected


@pytest.mark.parametrize(
    ("rendered", "lines", "expected"),
    [("SG: stateful | NACL: stateless", (9, 9), 2), ("SG: stateful", (9, 9), 1), ("SG: stateful", (70, 70), 2)],
)
def test_learn_grade_gives_part_credit_when_every_gold_is_needed(
    rendered: str, lines: tuple[int, int], expected: int
) -> None:
    question = {"gold_answer": ["stateful", "stateless"], "answer_mode": "all", "gold_lines": [70]}
    assert grade(question, "aws.txt", *lines, rendered, "aws.txt") == expected


@pytest.mark.parametrize(
    ("question", "words"), [("Whats the max?", ["whats", "the", "max", "^whats", "^whats_the", "<?>"])]
)
def test_models_question_words(question: str, words: list[str]) -> None:
    assert question_words(question) == words


@pytest.mark.parametrize("seed", [5])
def test_models_select_learns_which_candidate_answer_is_right(seed: int) -> None:
    """Fitted on questions whose candidates differ, the selection model ranks the right candidate first;
    questions where every candidate is right (or none) teach nothing and are left out."""
    rng = np.random.default_rng(seed)
    choices = []
    for i in range(120):
        rows = rng.random((5, len(SELECT_FEATURES)))
        right = np.zeros(5, dtype=np.int32)
        right[int(np.argmax(rows[:, SELECT_FEATURES.index("said")]))] = 1  # the one saying most is right
        choices.append(Choices("c", f"q{i}", rows, right))
    choices.append(Choices("c", "all", rng.random((5, len(SELECT_FEATURES))), np.ones(5, dtype=np.int32)))
    model = fit_select(choices)
    picked = [int(np.argmax(model.predict(c.rows))) == int(np.argmax(c.right)) for c in choices[:-1]]
    assert model.names == SELECT_FEATURES and np.mean(picked) > 0.9
