"""Claims: what one sentence of the notes asserts of an entity, read from spaCy's dependency parse.

A claim is a subject entity, a predicate (the verb's lemma, or "be" with its complement), the
predicate's arguments (the content lemmas of its objects and prepositional phrases), its polarity
(a ``neg`` dependent, or "no" before the subject or object) and the qualifiers that make two claims
about different cases: "by default", a modal verb, the words that narrow the subject ("the *default*
SG", "any instance *that you launch into a private subnet*"). A sentence whose predicate carries a
condition ("if ...", "when ...") or whose subject is not universal ("some", "most") makes no claim.

>>> from kg.conflicts.notes import parse
>>> claim = sentence_claims(next(parse(["Buckets have no file system hierarchy."])[0].sents))[0]
>>> claim.predicate, sorted(claim.arguments), claim.negated
('have', ['file', 'hierarchy', 'system'], True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Determiners that make a subject less than all of its kind: "some objects are public" is no rule.
PARTIAL_DETERMINERS = frozenset("some many most few several certain other another".split())
# Dependents that narrow a subject to some of its kind.
NARROWING_DEPS = frozenset({"amod", "compound", "nmod", "poss", "relcl", "acl", "prep", "npadvmod"})
# Dependents of a predicate that are not its arguments.
NOT_ARGUMENT_DEPS = frozenset(
    {"nsubj", "nsubjpass", "csubj", "expl", "aux", "auxpass", "neg", "punct", "cc", "conj", "advcl", "mark", "det"}
)
ARGUMENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})


@dataclass(frozen=True, slots=True)
class Claim:
    """What one sentence says of one subject.

    Attributes:
        subject_words: Singular lowercase words of the subject's head (to link it to an entity).
        narrowing: Content lemmas that narrow the subject to part of its kind.
        predicate: Lemma of the main verb ("be" for a copula).
        state: For "X is ADJ": the adjective's lemma (e.g. "private"); else "".
        arguments: Content lemmas of the predicate's objects, complements and prepositional phrases.
        negated: The sentence denies the predicate.
        by_default: The sentence states a default ("by default").
        modal: Lemma of a modal verb ("can", "must"), or "".
        value: The predicate as written, negation included ("is not able to communicate ...").
        sentence: The sentence.
        start: Character offset of the sentence in the parsed text.
    """

    subject_words: tuple[str, ...]
    narrowing: frozenset[str]
    predicate: str
    state: str
    arguments: frozenset[str]
    negated: bool
    by_default: bool
    modal: str
    value: str
    sentence: str
    start: int
    state_text: str = ""
    co_states: frozenset[str] = field(default_factory=frozenset)


def _lemma(token: Any) -> str:
    return str(token.lemma_).lower()


def _is_default(token: Any) -> bool:
    """True for the "default" of "by default", also when parsed as "by [default private]"."""
    if token.lower_ != "default":
        return False
    head = token.head
    return head.lower_ == "by" or (head.head.lower_ == "by" and head.dep_ == "pobj")


def _complement(root: Any) -> Any | None:
    """The adjective or noun a copula predicates ("is private", "are by default private")."""
    for child in root.children:
        if child.dep_ in {"acomp", "attr", "oprd"}:
            return child
    for child in root.children:  # "are by default private": the adjective hangs under the preposition
        if child.dep_ == "prep" and any(_is_default(t) for t in child.subtree):
            adjectives = [t for t in child.subtree if t.pos_ == "ADJ"]
            if len(adjectives) == 1:
                return adjectives[0]
    return None


def _subject(predicate: Any) -> Any | None:
    subjects = [c for c in predicate.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if subjects:
        return subjects[0]
    if predicate.dep_ == "conj" and predicate.head is not predicate:  # "... and can only be accessed"
        return _subject(predicate.head)
    return None


def _narrowing(head: Any) -> frozenset[str]:
    words: set[str] = set()
    for child in head.children:
        if child.dep_ in NARROWING_DEPS:
            words.update(_lemma(t) for t in child.subtree if t.pos_ in ARGUMENT_POS and not t.is_stop)
    return frozenset(words)


def _arguments(predicate: Any, skip: set[int]) -> frozenset[str]:
    words: set[str] = set()
    for child in predicate.children:
        if child.dep_ in NOT_ARGUMENT_DEPS or child.i in skip:
            continue
        for token in child.subtree:
            if token.i in skip or _is_default(token) or (token.lower_ == "by" and _is_default_phrase(token)):
                continue
            if token.pos_ in ARGUMENT_POS and not token.is_stop and token.dep_ not in {"advcl", "conj"}:
                words.add(_lemma(token))
    return frozenset(words)


def _is_default_phrase(token: Any) -> bool:
    return any(_is_default(t) for t in token.children) or any(
        _is_default(g) for c in token.children for g in c.children
    )


def _negated(predicate: Any, subject: Any, complement: Any | None) -> bool:
    if any(c.dep_ == "neg" for c in predicate.children):
        return True
    if complement is not None and any(c.dep_ == "neg" for c in complement.children):
        return True
    for noun in [subject, *[c for c in predicate.children if c.dep_ in {"dobj", "attr"}]]:
        if any(c.dep_ == "det" and c.lower_ == "no" for c in noun.children):
            return True
    return False


def _value_text(predicate: Any, subject: Any) -> str:
    """The predicate as written: its words minus the subject, the conditions and other clauses."""
    drop = {t.i for t in subject.subtree}
    for child in predicate.children:
        if child.dep_ in {"conj", "cc", "advcl", "punct"} or (child.dep_ == "prep" and _is_default_phrase(child)):
            drop.update(t.i for t in child.subtree)
    kept = [t for t in predicate.subtree if t.i not in drop]
    return " ".join(t.text for t in kept).replace(" - ", "-").strip(" ,;:")


def _co_states(root: Any, complement: Any | None) -> frozenset[str]:
    """Adjectives predicated together ("private and encrypted"): states the notes hold compatible."""
    if complement is None:
        return frozenset()
    return frozenset(_lemma(t) for t in [complement, *complement.conjuncts] if t.pos_ == "ADJ")


def compounds(head: Any) -> tuple[str, ...]:
    """The lowercase words compounded into a noun ("S3" of "S3 objects")."""
    return tuple(str(t.text).lower() for t in head.subtree if t.dep_ == "compound")


def sentence_claims(sent: Any) -> list[Claim]:
    """The claims of one parsed sentence (one per predicate with a subject; none under a condition)."""
    claims: list[Claim] = []
    root = sent.root
    predicates = [root, *[c for c in root.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}]]
    for predicate in predicates:
        if predicate.pos_ not in {"VERB", "AUX"}:
            continue
        if any(c.dep_ == "advcl" and any(m.dep_ == "mark" for m in c.children) for c in predicate.children):
            continue  # "if X, Y": a rule for a case, not a claim
        subject = _subject(predicate)
        if subject is None or subject.pos_ in {"PRON", "DET", "NUM", "PUNCT"}:
            continue  # a name the tagger misreads ("DynamoDB" as a verb) is still a subject; "it" is not
        if any(c.dep_ == "det" and c.lower_ in PARTIAL_DETERMINERS for c in subject.children):
            continue
        complement = _complement(predicate) if _lemma(predicate) == "be" else None
        state = _lemma(complement) if complement is not None and complement.pos_ == "ADJ" else ""
        skip = {complement.i} if complement is not None and state else set()
        state_text = ""
        if complement is not None and state:  # "world-readable": the words joined to the adjective are the state
            skip.update(t.i for t in complement.children if t.dep_ in {"npadvmod", "advmod", "punct"})
            parts = [t for t in complement.subtree if t.i <= complement.i and t.dep_ != "neg" and not _is_default(t)]
            state_text = "".join(t.text_with_ws for t in parts).strip()
        modal = next((_lemma(c) for c in predicate.children if c.tag_ == "MD"), "")
        by_default = any(_is_default(t) for t in sent)
        heads = [subject, *subject.conjuncts]
        for head in heads:
            claims.append(
                Claim(
                    subject_words=(*compounds(head), str(head.text).lower()),
                    narrowing=_narrowing(head),
                    predicate=_lemma(predicate),
                    state=state,
                    arguments=_arguments(predicate, skip)
                    | (_arguments(complement, skip) if complement is not None and state else frozenset()),
                    negated=_negated(predicate, subject, complement),
                    by_default=by_default,
                    modal=modal,
                    value=_value_text(predicate, subject),
                    sentence=sent.text.strip(),
                    start=sent.start_char,
                    state_text=state_text,
                    co_states=_co_states(predicate, complement),
                )
            )
    return claims
