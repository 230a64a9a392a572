"""Whether a sentence really links a relation's two ends through its predicate: features and a learned check.

The cue patterns of ``relations`` propose candidates; this module describes each candidate by how
the dependency parse joins its ends (the path between the two names, whether it passes through the
cue, the ends' roles, voice, negation, "either ... or", lists of objects) and by where it was read
(a sentence, a list announced by its parent, a name's suffix). A logistic model fitted by
`make train` on hand-checked relations of several corpora (``kg/learn/relations.py``) weighs them;
candidates it finds more likely wrong than right are dropped.

Only the JSON file ``kg/models/relation.json`` and numpy are needed here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.tokens import Doc, Token

MODEL_FILE = Path(__file__).resolve().parent.parent.parent / "kg" / "models" / "relation.json"
PREDICATES = (
    "storesDataIn",
    "deliversTo",
    "integratesWith",
    "triggers",
    "runsOn",
    "compatibleWith",
    "alternativeTo",
    "replicatesTo",
    "monitors",
    "readsFrom",
    "uses",
    "partOf",
)
ORIGINS = ("sentence", "list", "suffix")
FEATURES: tuple[str, ...] = (
    *(f"predicate_{p}" for p in PREDICATES),
    *(f"origin_{o}" for o in ORIGINS),
    "parsed",  # a parse of the sentence was available
    "subject_from_context",  # the subject is the block's topic, not written in the sentence
    "object_from_context",  # the object is written in other blocks (sub-bullets) or is the topic
    "tree_distance",  # dependency edges between the two ends (scaled, capped)
    "cue_on_path",  # the cue's word lies on the path between the ends
    "verbs_on_path",  # verbs on that path other than the cue's
    "cross_sentence",  # the ends stand in different sentences
    "subject_is_parse_subject",  # the subject is a nominal subject in the parse
    "subject_is_agent",  # the subject is the "by" agent of a passive
    "subject_in_prep",  # the subject is a prepositional object ("the number of EC2 instances")
    "verb_has_other_subject",  # the cue's verb has a nominal subject that is not the subject end
    "object_is_direct",  # the object is the cue's direct object or its preposition's object
    "object_in_list",  # the object is a conjunct after the first
    "object_or_list",  # the object's coordination is with "or"
    "either_or",  # "either ... or" in the clause
    "negated",  # a negation on the cue's verb or on the path
    "passive_parse",  # the cue's verb is passive in the parse
    "passive_cue",  # the cue is read as passive ("monitored using")
    "voice_mismatch",  # the parse's voice and the cue's disagree
    "subject_modifies",  # the subject's name only qualifies another noun
    "object_modifies",  # the object's name only qualifies another noun
    "gap_subject",  # characters between the subject and the cue (scaled)
    "gap_object",  # characters between the cue and the object (scaled)
    "same_service",  # both ends belong to one service
    "subject_belongs_to_object",  # the catalog or the notes make the subject a part of the object
    "subject_is_service",
    "object_is_service",
    "long_block",  # the block's length in tokens (scaled, capped)
    "list_from_heading",  # a list announced by a heading ("3 types of ...")
    "list_item_named_first",  # the list item opens with the thing's name
    "list_of_types",  # the list's lead announces kinds of a thing ("3 types of ...")
    "list_after_cue",  # the list's lead ends with the relation's words ("VPC consists of")
)


@dataclass(frozen=True, slots=True)
class Ends:
    """Character spans of a candidate's parts in the sentence; -1 when not written there."""

    subject_start: int
    subject_end: int
    object_start: int
    object_end: int
    cue_start: int
    cue_end: int


def base_features(predicate: str, origin: str) -> dict[str, float]:
    features = dict.fromkeys(FEATURES, 0.0)
    features[f"predicate_{predicate}"] = 1.0
    features[f"origin_{origin}"] = 1.0
    return features


def sentence_features(
    doc: Doc | None, text: str, ends: Ends, predicate: str, *, passive_cue: bool, origin: str = "sentence"
) -> dict[str, float]:
    """What the parse says about a candidate read in ``text`` (parsed as ``doc`` when given)."""
    features = base_features(predicate, origin)
    features["subject_from_context"] = float(ends.subject_start < 0)
    features["object_from_context"] = float(ends.object_start < 0)
    features["passive_cue"] = float(passive_cue)
    if ends.subject_start >= 0:
        features["gap_subject"] = min(abs(ends.cue_start - ends.subject_end), 140) / 70
    if ends.object_start >= 0:
        features["gap_object"] = min(abs(ends.object_start - ends.cue_end), 140) / 70
    if doc is None:
        return features
    features["parsed"] = 1.0
    features["long_block"] = min(len(doc), 200) / 100
    cue = _token_at(doc, ends.cue_start)
    verb = _verb_of(cue)
    subject = _end_root(doc, ends.subject_start, ends.subject_end)
    obj = _end_root(doc, ends.object_start, ends.object_end)
    if verb is not None:
        features["negated"] = float(any(c.dep_ == "neg" for c in verb.children))
        features["passive_parse"] = float(any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children))
        features["voice_mismatch"] = float(features["passive_parse"] != features["passive_cue"])
        others = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if others and (subject is None or all(_climb(subject).i != o.i for o in others)):
            features["verb_has_other_subject"] = 1.0
    if subject is not None:
        top = _climb(subject)
        features["subject_is_parse_subject"] = float(top.dep_ in {"nsubj", "nsubjpass"})
        features["subject_is_agent"] = float(top.dep_ == "pobj" and top.head.lower_ == "by")
        features["subject_in_prep"] = float(top.dep_ == "pobj" and top.head.lower_ != "by")
        features["subject_modifies"] = float(_modifies(doc, ends.subject_start, ends.subject_end))
    if obj is not None:
        top = _climb(obj)
        features["object_is_direct"] = float(
            top.dep_ in {"dobj", "attr", "oprd"} or (top.dep_ == "pobj" and verb is not None and top.head.head == verb)
        )
        features["object_in_list"] = float(top.dep_ == "conj")
        features["object_or_list"] = float(_coordinated_by(top, "or"))
        features["object_modifies"] = float(_modifies(doc, ends.object_start, ends.object_end))
    if subject is not None and obj is not None:
        path = _path(_climb(subject), _climb(obj))
        features["tree_distance"] = min(len(path) - 1, 12) / 6
        on_cue = {t.i for t in (cue, verb) if t is not None}
        features["cue_on_path"] = float(any(t.i in on_cue for t in path))
        features["verbs_on_path"] = min(
            sum(1 for t in path if t.pos_ in {"VERB", "AUX"} and (verb is None or t.i != verb.i)), 3
        )
        features["cross_sentence"] = float(_climb(subject).sent.start != _climb(obj).sent.start)
        features["negated"] = max(features["negated"], float(any(c.dep_ == "neg" for t in path for c in t.children)))
    clause = doc[cue.sent.start : cue.sent.end] if cue is not None else doc[:]
    features["either_or"] = float(any(t.lower_ == "either" for t in clause) and any(t.lower_ == "or" for t in clause))
    return features


def _token_at(doc: Doc, char: int) -> Token | None:
    if char < 0:
        return None
    return next((t for t in doc if t.idx + len(t.text) > char), None)


def _verb_of(token: Token | None) -> Token | None:
    """The verb a cue word belongs to (itself, or the verb it hangs from)."""
    current = token
    for _ in range(3):
        if current is None:
            return None
        if current.pos_ in {"VERB", "AUX"}:
            return current
        if current.head.i == current.i:
            return None
        current = current.head
    return None


def _end_root(doc: Doc, start: int, end: int) -> Token | None:
    if start < 0:
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _climb(token: Token) -> Token:
    """Out of compounds and names: "S3" in "S3 bucket" stands where "bucket" stands."""
    current = token
    for _ in range(4):
        if current.dep_ in {"compound", "amod", "nmod", "poss"} and current.head.i != current.i:
            current = current.head
        else:
            break
    return current


def _modifies(doc: Doc, start: int, end: int) -> bool:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    root = span.root
    return (
        root.dep_ in {"compound", "amod", "nmod", "poss"}
        and not span.start <= root.head.i < span.end
        and root.head.pos_ in {"NOUN", "PROPN"}
    )


def _coordinated_by(token: Token, word: str) -> bool:
    """Whether ``token`` is in a coordination whose conjunction is ``word``."""
    first = token
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    members = [first, *(t for t in first.subtree if t.dep_ == "conj")]
    return any(c.dep_ == "cc" and c.lower_ == word for m in members for c in m.children)


def _path(a: Token, b: Token) -> list[Token]:
    """The tokens on the dependency path from ``a`` to ``b`` (both included)."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    index_b = {t.i: n for n, t in enumerate(up_b)}
    for n, token in enumerate(up_a):
        if token.i in index_b:
            return up_a[: n + 1] + list(reversed(up_b[: index_b[token.i]]))
    return up_a + list(reversed(up_b))  # different sentences: through both roots


@dataclass(frozen=True)
class RelationModel:
    """A logistic model over ``FEATURES``: P(the candidate is stated by its sentence)."""

    names: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float = 0.5

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept
        for name, weight, mean, scale in zip(self.names, self.coef, self.mean, self.scale, strict=True):
            z += weight * (features.get(name, 0.0) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def accepts(self, features: dict[str, float]) -> bool:
        return self.probability(features) >= self.threshold

    def to_json(self) -> dict[str, object]:
        return {
            "names": list(self.names),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> RelationModel:
        def floats(key: str) -> tuple[float, ...]:
            values = data[key]
            assert isinstance(values, list)
            return tuple(float(v) for v in values)

        names = data["names"]
        assert isinstance(names, list)
        return cls(
            tuple(str(n) for n in names),
            floats("coef"),
            float(str(data["intercept"])),
            floats("mean"),
            floats("scale"),
            float(str(data.get("threshold", 0.5))),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")


@cache
def shipped_model() -> RelationModel | None:
    """The model `make train` ships, or None before it was ever fitted (every candidate kept)."""
    if not MODEL_FILE.exists():
        return None
    return RelationModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
