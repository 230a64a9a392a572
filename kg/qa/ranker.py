"""The learned models of the answer path, read from small JSON files fitted by `make train`.

- ``ranker``: gradient-boosted trees (LightGBM lambdarank, exported) scoring (question, unit) rows;
- ``intent``: a linear classifier over the question's words giving the intent probabilities;
- ``abstain``: a linear model over the best unit's evidence giving P(the notes answer it);
- ``verdict``: a linear model over a yes/no question and its best unit giving P(yes).

Only numpy is needed to use them; fitting lives in ``kg/learn``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
WORD_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@dataclass
class Trees:
    """An additive forest of binary trees, stored as padded node arrays (one row per tree)."""

    feature: np.ndarray  # int32 [trees, nodes]; -1 marks a leaf
    threshold: np.ndarray  # float64 [trees, nodes]
    left: np.ndarray  # int32 [trees, nodes]
    right: np.ndarray  # int32 [trees, nodes]
    value: np.ndarray  # float64 [trees, nodes] (leaf values)
    default_left: np.ndarray  # bool [trees, nodes]: where a missing value goes
    names: tuple[str, ...] = ()

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Scores of ``rows`` (samples x features): every tree walked at once for every sample."""
        samples, trees = rows.shape[0], self.feature.shape[0]
        if samples == 0 or trees == 0:
            return np.zeros(samples)
        node = np.zeros((samples, trees), dtype=np.int32)
        tree_index = np.arange(trees)[None, :]
        sample_index = np.arange(samples)[:, None]
        for _ in range(self.feature.shape[1]):
            feature = self.feature[tree_index, node]
            inner = feature >= 0
            if not inner.any():
                break
            values = rows[sample_index, np.maximum(feature, 0)]
            go_left = np.where(
                np.isnan(values), self.default_left[tree_index, node], values <= self.threshold[tree_index, node]
            )
            step = np.where(go_left, self.left[tree_index, node], self.right[tree_index, node])
            node = np.where(inner, step, node)
        return self.value[tree_index, node].sum(axis=1)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trees:
        return cls(
            np.asarray(data["feature"], dtype=np.int32),
            np.asarray(data["threshold"], dtype=np.float64),
            np.asarray(data["left"], dtype=np.int32),
            np.asarray(data["right"], dtype=np.int32),
            np.asarray(data["value"], dtype=np.float64),
            np.asarray(data["default_left"], dtype=bool),
            tuple(data.get("names", ())),
        )


@dataclass
class Linear:
    """A (multinomial) logistic model: ``softmax(x @ coef.T + intercept)``, or a sigmoid for one row."""

    coef: np.ndarray  # [classes or 1, features]
    intercept: np.ndarray  # [classes or 1]
    classes: tuple[str, ...]
    names: tuple[str, ...]  # feature names (or the vocabulary of a word model)
    mean: np.ndarray | None = None  # standardisation of the inputs, when fitted with it
    scale: np.ndarray | None = None
    threshold: float = 0.5

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(rows).astype(np.float64)
        if self.mean is not None and self.scale is not None:
            rows = (rows - self.mean) / self.scale
        logits = rows @ self.coef.T + self.intercept
        if logits.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-logits[:, 0]))
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Linear:
        mean = data.get("mean")
        scale = data.get("scale")
        return cls(
            np.asarray(data["coef"], dtype=np.float64),
            np.asarray(data["intercept"], dtype=np.float64),
            tuple(data["classes"]),
            tuple(data["names"]),
            np.asarray(mean, dtype=np.float64) if mean is not None else None,
            np.asarray(scale, dtype=np.float64) if scale is not None else None,
            float(data.get("threshold", 0.5)),
        )


def question_words(question: str) -> list[str]:
    """The features of a question for the intent model: its words, its opening word and pair, '?'.

    >>> question_words("Whats the max size of an S3 object?")[:3]
    ['whats', 'the', 'max']
    """
    words = WORD_RE.findall(question.lower())
    out = list(words)
    if words:
        out.append(f"^{words[0]}")
    if len(words) > 1:
        out.append(f"^{words[0]}_{words[1]}")
    if question.rstrip().endswith("?"):
        out.append("<?>")
    return out


def word_vector(words: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    row = np.zeros(len(vocabulary))
    for word in words:
        at = vocabulary.get(word)
        if at is not None:
            row[at] = 1.0
    return row


@dataclass
class Models:
    """The four fitted models of the answer path."""

    ranker: Trees
    intent: Linear
    abstain: Linear
    verdict: Linear

    def __post_init__(self) -> None:
        self.vocabulary = {word: i for i, word in enumerate(self.intent.names)}

    def intents(self, question: str) -> np.ndarray:
        return self.intent.probabilities(word_vector(question_words(question), self.vocabulary))[0]

    @classmethod
    def load(cls, folder: str | Path = MODELS_DIR) -> Models:
        return _load(str(folder))

    def save(self, folder: Path) -> None:
        raise NotImplementedError("models are written by kg/learn/fit.py")


@cache
def _load(folder: str) -> Models:
    path = Path(folder)

    def read(name: str) -> dict[str, Any]:
        return json.loads((path / f"{name}.json").read_text(encoding="utf-8"))

    return Models(
        Trees.from_json(read("ranker")),
        Linear.from_json(read("intent")),
        Linear.from_json(read("abstain")),
        Linear.from_json(read("verdict")),
    )
