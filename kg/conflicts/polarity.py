"""Polarity conflicts: a statement and its negation, or two values of one default state.

Every sentence of the store's passages (bullets, paragraphs, quotes, ``Key: value`` lines) is parsed
into claims (:mod:`kg.conflicts.claims`); a claim's subject is linked to an entity the passage names
(or is about), by the head noun of the subject ("every *object*" under S3 is the S3 object). Two
claims pair up when they have the same subject entity, the same narrowing of it, the same predicate
and arguments, the same modal verb and "by default" alike, and come from passages whose stored
vectors are alike (cosine at least ``MIN_COSINE``), in different blocks and not items of one list:

- negation: one is negated and the other is not ("X can be deleted" / "X cannot be deleted");
- state: both say what the subject is *by default* with different adjectives ("world-readable" /
  "private"), neither negated, and no sentence of the notes gives the subject both adjectives at once
  ("private and encrypted" says the two go together).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.conflicts.claims import Claim, sentence_claims
from kg.conflicts.model import Pair, Statement
from kg.conflicts.notes import SENTENCE_KINDS, EntityName, NotesView, parse, singular
from kg.passages import Passage

MIN_COSINE = 0.5


@dataclass(frozen=True, slots=True)
class LinkedClaim:
    """A claim with its subject entity and where the notes make it."""

    claim: Claim
    entity: EntityName
    narrowing: frozenset[str]
    passage: Passage
    statement: Statement


def link_subject(claim: Claim, passage: Passage, view: NotesView) -> EntityName | None:
    """The entity a claim's subject names: one of the passage's entities or topics whose name ends in
    the subject's head noun; all of the name's words must be in the subject unless the passage
    itself names the entity (then "every object" under S3 is the S3 object). None when unsure."""
    head = singular(claim.subject_words[-1])
    words = {singular(w) for w in claim.subject_words}
    best: dict[str, int] = {}
    for key in dict.fromkeys([*passage.entities, *passage.topics]):
        entity = view.entities.get(key)
        if entity is None:
            continue
        for name in entity.names:
            if not name or name[-1] != head:
                continue
            if set(name) <= words:
                best[key] = max(best.get(key, 0), 2)
            elif key in passage.entities:
                best[key] = max(best.get(key, 0), 1)
    if not best:
        return None
    top = max(best.values())
    chosen = [key for key, score in best.items() if score == top]
    return view.entities[chosen[0]] if len(chosen) == 1 else None


def read_claims(view: NotesView) -> list[LinkedClaim]:
    """The linked claims of every sentence passage of the store (each distinct text parsed once)."""
    passages: list[Passage] = []
    seen: set[tuple[str, int, str]] = set()
    for passage in view.passages:
        if passage.kind not in SENTENCE_KINDS or not (passage.entities or passage.topics):
            continue
        key = (passage.source, passage.line_start, passage.text)
        if key not in seen:
            seen.add(key)
            passages.append(passage)
    out: list[LinkedClaim] = []
    for passage, doc in zip(passages, parse([p.text for p in passages]), strict=True):
        for sent in doc.sents:
            for claim in sentence_claims(sent):
                entity = link_subject(claim, passage, view)
                if entity is None:
                    continue
                start, end = view.lines_of(passage, claim.sentence)
                shown = claim.state_text or claim.value
                if claim.negated and claim.state_text:
                    shown = claim.value
                out.append(
                    LinkedClaim(
                        claim=claim,
                        entity=entity,
                        narrowing=claim.narrowing - entity.words,
                        passage=passage,
                        statement=Statement(claim.sentence, shown, passage.source, start, end),
                    )
                )
    return out


def _comparable(a: LinkedClaim, b: LinkedClaim, view: NotesView) -> float | None:
    """The cosine of two claims' passages when they may be compared at all, else None."""
    if a.entity.iri != b.entity.iri or a.narrowing != b.narrowing:
        return None
    if a.claim.modal != b.claim.modal or a.claim.by_default != b.claim.by_default:
        return None
    if a.statement.source == b.statement.source and a.statement.line_start == b.statement.line_start:
        return None
    if view.side_by_side(a.passage, b.passage):
        return None
    cosine = view.cosine(a.passage, b.passage)
    return cosine if cosine >= MIN_COSINE or view.vectors is None else None


def _ordered(a: LinkedClaim, b: LinkedClaim) -> tuple[LinkedClaim, LinkedClaim]:
    key_a = (a.statement.source, a.statement.line_start)
    key_b = (b.statement.source, b.statement.line_start)
    return (a, b) if key_a <= key_b else (b, a)


def negation_pairs(claims: Iterable[LinkedClaim], view: NotesView) -> list[Pair]:
    """A claim and its negation: same subject, predicate and arguments, one negated."""
    groups: dict[tuple[object, ...], list[LinkedClaim]] = {}
    for item in claims:
        claim = item.claim
        if not (claim.arguments or claim.state):
            continue  # "X is not" says too little to be denied
        key = (item.entity.iri, claim.predicate, claim.state, claim.arguments)
        groups.setdefault(key, []).append(item)
    pairs: list[Pair] = []
    for members in groups.values():
        for a in (m for m in members if m.claim.negated):
            for b in (m for m in members if not m.claim.negated):
                cosine = _comparable(a, b, view)
                if cosine is None:
                    continue
                first, second = _ordered(a, b)
                attribute = b.claim.value  # the positive statement names what is affirmed and denied
                pairs.append(
                    Pair(a.entity.label, attribute, first.statement, second.statement, 0.55 + 0.4 * cosine, "negation")
                )
    return pairs


def state_pairs(claims: Iterable[LinkedClaim], view: NotesView) -> list[Pair]:
    """Two adjectives for what one subject is by default, which the notes never give it together."""
    claims = list(claims)
    together: set[tuple[str, frozenset[str]]] = set()
    for item in claims:
        states = item.claim.co_states
        if len(states) > 1:
            together.update((item.entity.iri, frozenset({x, y})) for x in states for y in states if x != y)
    defaults = [
        c for c in claims if c.claim.state and c.claim.by_default and not c.claim.negated and c.claim.predicate == "be"
    ]
    pairs: list[Pair] = []
    for i, a in enumerate(defaults):
        for b in defaults[i + 1 :]:
            if a.claim.state == b.claim.state or a.claim.arguments != b.claim.arguments:
                continue
            if (a.entity.iri, frozenset({a.claim.state, b.claim.state})) in together:
                continue
            cosine = _comparable(a, b, view)
            if cosine is None:
                continue
            first, second = _ordered(a, b)
            pairs.append(
                Pair(
                    a.entity.label, "state by default", first.statement, second.statement, 0.45 + 0.4 * cosine, "state"
                )
            )
    return pairs


def polarity_pairs(view: NotesView) -> list[Pair]:
    """Negation and default-state conflicts of the store's sentences."""
    claims = read_claims(view)
    return negation_pairs(claims, view) + state_pairs(claims, view)
