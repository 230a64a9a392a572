"""The learned models of the answer path, read from small JSON files fitted by `make train`.

- ``ranker``: gradient-boosted trees (LightGBM lambdarank, exported) scoring (question, unit) rows;
- ``intent``: a linear classifier over the question's words giving the intent probabilities;
- ``abstain``: gradient-boosted trees over the ranked units' evidence giving P(the notes answer it);
- ``verdict``: a linear model over a yes/no question and its best unit giving P(yes);
- ``select``: gradient-boosted trees (lambdarank) scoring candidate answers as the reader sees them
  (``kg/qa/select.py``); absent, the composer's own pick is the answer.

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

    def __post_init__(self) -> None:
        # Flat copies for the walk: node ``n`` of tree ``t`` is at ``t * width + n``; a leaf's
        # children are itself, so a sample that reached its leaf stays there. Trees are walked
        # shallowest first, so step ``k`` only moves the trees deeper than ``k``.
        trees, width = self.feature.shape
        depths = np.array([_depth(self.feature[t], self.left[t], self.right[t]) for t in range(trees)], dtype=np.int64)
        self._order = np.argsort(depths, kind="stable")
        self._restore = np.argsort(self._order, kind="stable")  # back to the trees' own order to sum
        # step k moves the trees deeper than k: those from this position on
        self._starts = [
            int(np.searchsorted(depths[self._order], k, side="right")) for k in range(depths.max(initial=0))
        ]
        offset = np.repeat(np.arange(trees, dtype=np.int64) * width, width)
        self._roots = self._order[None, :] * width
        self._feature = np.maximum(self.feature.ravel(), 0).astype(np.int64)
        self._threshold = self.threshold.ravel()
        self._left = self.left.ravel().astype(np.int64) + offset
        self._right = self.right.ravel().astype(np.int64) + offset
        self._default_left = self.default_left.ravel()
        self._value = self.value.ravel()

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Scores of ``rows`` (samples x features): every tree walked at once for every sample."""
        samples, trees = rows.shape[0], self.feature.shape[0]
        if samples == 0 or trees == 0:
            return np.zeros(samples)
        flat = np.ascontiguousarray(rows).ravel()
        first = (np.arange(samples, dtype=np.int64) * rows.shape[1])[:, None]
        missing = bool(np.isnan(flat).any())
        node = np.repeat(self._roots, samples, axis=0)
        for start in self._starts:
            at = node[:, start:]
            values = flat[first + self._feature[at]]
            go_left = values <= self._threshold[at]
            if missing:
                go_left = np.where(np.isnan(values), self._default_left[at], go_left)
            node[:, start:] = np.where(go_left, self._left[at], self._right[at])
        return np.ascontiguousarray(self._value[node][:, self._restore]).sum(axis=1)

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
class Classifier:
    """Boosted trees for a yes/no call: ``sigmoid(trees)`` is P(yes), compared with ``threshold``."""

    trees: Trees
    classes: tuple[str, ...]
    threshold: float = 0.5

    @property
    def names(self) -> tuple[str, ...]:
        return self.trees.names

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.trees.predict(np.atleast_2d(rows))))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Classifier:
        return cls(Trees.from_json(data["trees"]), tuple(data["classes"]), float(data["threshold"]))


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


def _depth(feature: np.ndarray, left: np.ndarray, right: np.ndarray, node: int = 0) -> int:
    """Splits on the longest path from ``node`` down to a leaf."""
    if feature[node] < 0:
        return 0
    return 1 + max(_depth(feature, left, right, int(left[node])), _depth(feature, left, right, int(right[node])))


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
    """The fitted models of the answer path."""

    ranker: Trees
    intent: Linear
    abstain: Classifier
    verdict: Linear
    select: Trees | None = None

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
        Classifier.from_json(read("abstain")),
        Linear.from_json(read("verdict")),
        Trees.from_json(read("select")) if (path / "select.json").exists() else None,
    )
