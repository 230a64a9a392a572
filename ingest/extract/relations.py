"""Relationships between two entities, from cue patterns checked against the dependency parse.

A cue ("is stored in", "delivers ... to", "integrates with", "instead of", ...) fixes the predicate;
the subject is the entity before it in the same clause (or, when the sentence has none, the thing
the block's headings and bullet ancestry are about); the objects are the entity after the cue and
the entities coordinated with it ("to Amazon SQS or SNS or AWS Lambda" gives three statements).
A passive "measured by CloudWatch" swaps the ends. Both ends must be entities, and different.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from ingest.extract.entities import BlockContext, EntityIndex
from ingest.facts import Mention, RelationFact

# (predicate, cue regex, passive) - the cue's span must lie between subject and object.
CUES: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (predicate, re.compile(pattern, re.IGNORECASE), passive)
    for predicate, pattern, passive in (
        ("storesDataIn", r"\b(?:is|are|be|been|being|get|gets)?\s*(?:durably\s+|internally\s+|automatically\s+)*"
         r"(?:stored|kept|saved|archived|persisted|backed\s+up|written)\s+(?:\w+\s+){0,3}?(?:in|into|on|to)\b", False),
        ("storesDataIn", r"\b(?:stores?|storing|saves?|archives?|persists?)\b(?:\s+[\w-]+){0,4}?\s+(?:in|into|on|to)\b", False),
        ("deliversTo", r"\b(?:deliver(?:s|ed|ing)?|send(?:s|ing)?|sent|publish(?:es|ed|ing)?|push(?:es|ed)?|"
         r"forward(?:s|ed|ing)?|stream(?:s|ed)?|notif(?:y|ies|ied))\b(?:\s+[\w’'-]+){0,6}?\s+(?:to|via)\b", False),
        ("deliversTo", r"\bwrites?\s+(?:\w+\s+){0,3}?(?:out\s+)?to\b", False),
        ("integratesWith", r"\bintegrat(?:es?|ed|ing|ion)\s+(?:well\s+|seamlessly\s+|natively\s+)?with\b", False),
        ("integratesWith", r"\b(?:works?|working)\s+(?:seamlessly\s+|well\s+)?with\b", False),
        ("triggers", r"\b(?:trigger(?:s|ed|ing)?|invok(?:es?|ed|ing))\b", False),
        ("runsOn", r"\b(?:runs?|running|hosted|deployed|built|based|launched|powered)\s+(?:\w+\s+){0,2}?"
         r"(?:on|using|upon|by)\b", False),
        ("compatibleWith", r"\bcompatible\s+with\b", False),
        ("alternativeTo", r"\b(?:instead\s+of|alternative\s+to|rather\s+than|in\s+place\s+of)\b", False),
        ("replicatesTo", r"\breplicat(?:es?|ed|ing)\b(?:\s+[\w-]+){0,5}?\s+(?:to|across|into)\b", False),
        ("replicatesTo", r"\b(?:is|are)\s+copied\s+to\b", False),
        ("monitors", r"\bmonitor(?:s|ing)?\b", False),
        ("monitors", r"\b(?:monitored|measured|tracked)\s+by\b", True),
        ("readsFrom", r"\b(?:loads?|loading|reads?|reading|imports?|importing|pulls?|ingests?)\b"
         r"(?:\s+[\w-]+){0,5}?\s+from\b", False),
        ("uses", r"\b(?:uses?|utili[sz]es?|leverages?)\b", False),
        ("partOf", r"\b(?:consists?\s+of|comprised\s+of|composed\s+of|made\s+up\s+of)\b", False),
    )
)
COMPATIBLE_SUFFIX = re.compile(r"^-compatible\b", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"[.;!?](?:\s|$)|\bwhile\b|\bwhereas\b|\bbut\b|\bunless\b|\bhowever\b|\bexcept\b", re.I)
COORDINATION = re.compile(r"^(?:\s*(?:,|and|or|&|/|as well as|,\s*and|,\s*or)\s*)+(?:the\s+|an?\s+)?$", re.I)
MAX_GAP = 70  # characters between an end and its cue


@dataclass(slots=True)
class _End:
    entity_id: str
    text: str


def relations_for_text(
    text: str, context: BlockContext, mentions: list[Mention], index: EntityIndex, doc: Doc | None = None,
    child_mentions: list[Mention] | None = None,
) -> list[RelationFact]:
    """Relationship statements in ``text``; ``child_mentions`` are the entities of nested bullets,
    the objects of an item that ends with its cue ("VPC consists of" followed by sub-bullets)."""
    facts: list[RelationFact] = []
    prov = context.prov()
    for predicate, pattern, passive in CUES:
        for cue in pattern.finditer(text):
            clause_start, clause_end = _clause(text, cue.start(), cue.end())
            subject = _subject(text, cue.start(), clause_start, mentions, context, index, doc)
            objects = _objects(text, cue.end(), clause_end, mentions)
            if not objects and child_mentions and not text[cue.end() :].strip(" :.-"):
                objects = [_End(m.entity_id, m.text) for m in child_mentions]
            if predicate == "compatibleWith" and not objects:
                continue
            if subject is None or not objects:
                continue
            for obj in objects:
                source, target = (obj, subject) if passive else (subject, obj)
                if predicate == "partOf":
                    source, target = target, source
                if source.entity_id == target.entity_id or _related(index, source.entity_id, target.entity_id,
                                                                    predicate):
                    continue
                facts.append(RelationFact(source.entity_id, predicate, target.entity_id, text, prov))
    facts += _compatible_suffix(text, context, mentions, index, doc)
    return _dedupe(facts)


def _related(index: EntityIndex, a: str, b: str, predicate: str) -> bool:
    """A component and its own service are not "related" by a cue in passing (except partOf)."""
    if predicate == "partOf":
        return False
    return index.service_of(a) == b or index.service_of(b) == a


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for match in CLAUSE_BREAK.finditer(text, 0, start):
        left = match.end()
    right_match = CLAUSE_BREAK.search(text, end)
    right = right_match.start() if right_match else len(text)
    return left, right


def _subject(
    text: str, cue_start: int, clause_start: int, mentions: list[Mention], context: BlockContext,
    index: EntityIndex, doc: Doc | None,
) -> _End | None:
    before = [m for m in mentions if clause_start <= m.start and m.end <= cue_start and cue_start - m.end <= MAX_GAP]
    if before:
        syntactic = _syntactic_subject(before, cue_start, doc)
        chosen = syntactic or before[-1]
        return _End(chosen.entity_id, chosen.text)
    head = text[clause_start:cue_start]
    # No entity before the cue: a clause that starts with the verb or a pronoun is about the topic.
    if context.topic and (not head.strip() or re.match(r"^\s*(?:it|they|this|these|which|can|may|also|is|are)\b",
                                                        head, re.I) or len(head.split()) <= 4):
        return _End(context.topic, index.label_of(context.topic))
    return None


def _syntactic_subject(candidates: list[Mention], cue_start: int, doc: Doc | None) -> Mention | None:
    """Prefer the candidate the parser marks as subject (nsubj/nsubjpass) of the cue's verb."""
    if doc is None:
        return None
    cue_token = next((t for t in doc if t.idx >= cue_start), None)
    if cue_token is None:
        return None
    verb = cue_token if cue_token.pos_ in {"VERB", "AUX"} else cue_token.head
    for mention in reversed(candidates):
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is not None and span.root.dep_ in {"nsubj", "nsubjpass"} and span.root.head == verb:
            return mention
    return None


def _objects(text: str, cue_end: int, clause_end: int, mentions: list[Mention]) -> list[_End]:
    after = [m for m in mentions if cue_end <= m.start < clause_end]
    if not after or after[0].start - cue_end > MAX_GAP:
        return []
    chosen = [after[0]]
    for previous, current in zip(after, after[1:], strict=False):
        if previous is not chosen[-1]:
            break
        between = text[previous.end : current.start]
        if COORDINATION.match(between) or re.fullmatch(r"\s*,?\s*(?:and|or)?\s*[\w ]{0,12}?,?\s*(?:and|or)?\s*", between):
            chosen.append(current)
    return [_End(m.entity_id, m.text) for m in chosen]


def _compatible_suffix(
    text: str, context: BlockContext, mentions: list[Mention], index: EntityIndex, doc: Doc | None
) -> list[RelationFact]:
    """"Aurora ... is MySQL-compatible": compatibleWith(Aurora, MySQL)."""
    facts = []
    for mention in mentions:
        if COMPATIBLE_SUFFIX.match(text[mention.end :]):
            clause_start, _ = _clause(text, mention.start, mention.end)
            others = [m for m in mentions if clause_start <= m.start and m.end <= mention.start]
            subject = _End(others[-1].entity_id, others[-1].text) if others else (
                _End(context.topic, index.label_of(context.topic)) if context.topic else None
            )
            if subject and subject.entity_id != mention.entity_id:
                facts.append(RelationFact(subject.entity_id, "compatibleWith", mention.entity_id, text, context.prov()))
    return facts


def _dedupe(facts: list[RelationFact]) -> list[RelationFact]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for fact in facts:
        key = (fact.subject_id, fact.predicate, fact.object_id)
        if key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept
