"""Relationships between two entities, from cue patterns checked against the dependency parse.

A cue ("is stored in", "delivers ... to", "integrates with", "instead of", ...) fixes the predicate;
the subject is the entity before it in the same clause (or, when the clause names no thing of its
own, the thing the block's headings and bullet ancestry are about); the objects are the entity
after the cue and the entities coordinated with it ("to Amazon SQS or SNS or AWS Lambda" gives three
statements). Passive cues ("monitored using CloudWatch", "An IAM policy must be used") swap the
ends. Both ends must be entities, and different.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from ingest.extract.entities import BlockContext, EntityIndex
from ingest.extract.relation_check import Ends, sentence_features
from ingest.facts import Mention, RelationFact


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue pattern: the predicate it states and how its ends are found.

    Attributes:
        predicate: The relation property.
        pattern: Regex of the cue words (between subject and object).
        passive: The entity after the cue is the subject ("monitored using CloudWatch").
        object_before: The object stands before the cue, the subject is the topic
            ("An IAM policy must be used to ...").
        reverse: The entity after the cue is the part, the one before the whole ("containers for").
        explicit_subject: The subject must be written in the clause (no topic fallback).
        verb: The cue's first token must be tagged as a verb (for words that are nouns too: "use").
        subject_inside: The subject is written inside the cue ("create a new EBS volume from").
        noun: The cue is a noun phrase that may itself be an entity's name ("health checks for");
            other cues starting inside a name are words of that name ("DynamoDB Streams makes ... to").
    """

    predicate: str
    pattern: re.Pattern[str]
    passive: bool = False
    object_before: bool = False
    reverse: bool = False
    explicit_subject: bool = False
    verb: bool = False
    subject_inside: bool = False
    noun: bool = False


def _cue(predicate: str, pattern: str, **flags: bool) -> Cue:
    return Cue(predicate, re.compile(pattern, re.IGNORECASE), **flags)


CUES: tuple[Cue, ...] = (
    _cue(
        "storesDataIn",
        r"\b(?:is|are|be|been|being|gets?)?\s*(?:durably\s+|internally\s+|automatically\s+)*"
        r"(?:stored|kept|saved|archived|persisted|backed\s+up|written)\s+(?:\w+\s+){0,3}?(?:in|into|on|to)\b",
    ),
    _cue(
        "storesDataIn",
        r"\b(?:stores?|storing|saves?|archives?|persists?)\b(?:\s+[\w-]+){0,4}?\s+(?:in|into|on|to|across)\b",
    ),
    _cue("storesDataIn", r"\b(?:is|are)\s+(?:\w+\s+)?(?:moved|transferred|uploaded|offloaded)\s+to\b"),
    _cue(
        "deliversTo",
        r"\b(?:deliver(?:s|ed|ing)?|send(?:s|ing)?|sent|publish(?:es|ed|ing)?|push(?:es|ed)?|"
        r"forward(?:s|ed|ing)?|stream(?:s|ed)?|notif(?:y|ies|ied))\b(?:\s+[\w’'-]+){0,6}?\s+(?:to|via)\b",
    ),
    _cue("deliversTo", r"\bwrites?\s+(?:\w+\s+){0,3}?(?:out\s+)?to\b"),
    _cue("integratesWith", r"\bintegrat(?:es?|ed|ing|ion)\s+(?:well\s+|seamlessly\s+|natively\s+)?with\b"),
    _cue("integratesWith", r"\b(?:works?|working)\s+(?:seamlessly\s+|well\s+)?with\b"),
    _cue("triggers", r"\b(?:trigger(?:s|ed|ing)?|invok(?:es?|ed|ing))\b(?!\s+by\b)", verb=True),
    _cue("triggers", r"\b(?:triggered|invoked|started|fired)\s+by\b", passive=True, explicit_subject=True),
    _cue(
        "runsOn",
        r"\b(?:runs?|running|hosted|deployed|built|powered)\s+(?:\w+\s+){0,2}?(?:on|using|upon)\b",
        explicit_subject=True,
    ),
    _cue("compatibleWith", r"\bcompatible\s+with\b"),
    _cue("alternativeTo", r"\b(?:instead\s+of|alternative\s+to|rather\s+than|in\s+place\s+of)\b"),
    _cue("replicatesTo", r"\breplicat(?:es?|ed|ing)\b(?:\s+[\w-]+){0,5}?\s+(?:to|across|into)\b"),
    _cue("replicatesTo", r"\b(?:is|are)\s+copied\s+to\b"),
    _cue("monitors", r"\bmonitor(?:s|ing)?\b", verb=True),
    _cue("monitors", r"\b(?:monitored|measured|tracked)\s+(?:by|using|with|through)\b", passive=True),
    _cue(
        "monitors",
        r"\b(?:health[- ]checks?|health\s+probes?)\b(?:\s+[\w-]+){0,6}?\s+(?:for|of|on|against)\b",
        explicit_subject=True,
        noun=True,
    ),
    _cue(
        "readsFrom",
        r"\b(?:loads?|loading|reads?|reading|imports?|importing|pulls?|ingests?)\b"
        r"(?:\s+[\w-]+){0,5}?\s+from\b",
    ),
    _cue(
        "readsFrom",
        r"\b(?:create|creates|created|restore|restores|restored)\s+(?:[\w-]+\s+){1,5}?from\b",
        subject_inside=True,
    ),
    _cue("uses", r"\b(?:uses?|utili[sz]es?|leverages?)\b", verb=True, explicit_subject=True),
    _cue("uses", r"\busing\b", explicit_subject=True),
    _cue("uses", r"\b(?:is|are|be|been)\s+used\s+(?:to|for|as)\b", object_before=True),
    _cue("partOf", r"\b(?:consists?\s+of|comprised\s+of|composed\s+of|made\s+up\s+of)\b"),
    _cue(
        "partOf",
        r"\b(?:is|are)\s+(?:an?\s+|the\s+)?(?:segment|part|portion|subset|component)s?\s+of\b",
        reverse=True,
    ),
    _cue("partOf", r"\b(?:containers?|collections?)\s+(?:for|of)\b"),  # "a table is a collection of items"
)
COMPATIBLE_SUFFIX = re.compile(r"^-compatible\b", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"[.;!?](?:\s|$)|\bwhile\b|\bwhereas\b|\bbut\b|\bunless\b|\bhowever\b|\bexcept\b", re.I)
COORDINATION = re.compile(
    r"^(?:\s*(?:,|and|or|&|/|as well as|,\s*and|,\s*or)\s*)+(?:(?:to|from|in|into|on|with)\s+)?(?:the\s+|an?\s+)?$",
    re.I,
)
LIST_ITEM_GAP = re.compile(r"^\s*,\s*[\w./-]+(?:\s+[\w./-]+){0,2}\s*(?=,|\s+and\b|\s+or\b)", re.IGNORECASE)
GENERIC_HEAD_NOUNS = frozenset("way option method ability need choice mechanism approach means".split())
PRONOUN_OR_AUX = re.compile(
    r"^(?:\s*(?:it|they|this|these|that|which|then|can|could|may|might|must|will|also|is|are|be|been|"
    r"automatically|optionally|directly|only|simply|just|you|we)\b)*\s*$",
    re.IGNORECASE,
)
DATA_WORDS = frozenset("data log file backup snapshot content copy record message notification".split())
PERSON_RE = re.compile(r"\b(?:you|we|they|i|he|she|customers?|users?|one)\b", re.IGNORECASE)
MAX_GAP = 70  # characters between an end and its cue
NEAR_GAP = 30  # beyond this, a subject must be the parser's subject of the cue


@dataclass(slots=True)
class _End:
    entity_id: str
    text: str
    start: int = -1  # where it is written in the text; -1 for the block's topic
    end: int = -1


def relations_for_text(
    text: str,
    context: BlockContext,
    mentions: list[Mention],
    index: EntityIndex,
    doc: Doc | None = None,
    child_mentions: list[Mention] | None = None,
) -> list[RelationFact]:
    """Relationship statements in ``text``; ``child_mentions`` are the entities of nested bullets,
    the objects of an item that ends with its cue ("VPC consists of" followed by sub-bullets)."""
    facts: list[RelationFact] = []
    prov = context.prov()
    for cue in CUES:
        for match in cue.pattern.finditer(text):
            if cue.verb and not _is_verb(doc, match.start()):
                continue
            if not cue.noun and any(m.start <= match.start() < m.end for m in mentions):
                continue  # the cue word is part of a name ("DynamoDB Streams makes it easy to")
            clause_start, clause_end = _clause(text, match.start(), match.end())
            if cue.object_before:
                objects = _objects_before(match.start(), clause_start, mentions)
                subject = _End(context.topic, index.label_of(context.topic)) if context.topic else None
            elif cue.subject_inside:
                inside = [m for m in mentions if match.start() <= m.start and m.end <= match.end()]
                subject = _End(inside[0].entity_id, inside[0].text, inside[0].start, inside[0].end) if inside else None
                objects = _objects(text, match.end(), clause_end, mentions, doc)
            else:
                subject = _subject(text, match.start(), clause_start, mentions, context, index, doc, cue)
                objects = _objects(text, match.end(), clause_end, mentions, doc)
                if not objects and cue.predicate == "monitors" and cue.verb and context.topic:
                    objects = [_End(context.topic, index.label_of(context.topic))]  # "to monitor the capacity"
            if not objects and child_mentions and not text[match.end() :].strip(" :.-"):
                objects = [_End(m.entity_id, m.text) for m in child_mentions]  # written in other blocks
            if subject is None or not objects:
                continue
            # "the queue's DelaySeconds attribute": the object is the attribute, not the queue
            objects = [o for o in objects if o.start < 0 or not re.match(r"[’']s\b", text[o.end :])]
            if cue.predicate == "alternativeTo" and (
                _modifier(subject, text, doc) or any(_modifier(o, text, doc) for o in objects)
            ):
                continue  # "bucket resource instead of an IAM principal" contrasts other things
            subjects = [subject, *_coordinated_before(subject, text, mentions, match.start())]
            for subj, obj in itertools.product(subjects, objects):
                source, target = (obj, subj) if cue.passive else (subj, obj)
                if cue.predicate == "partOf" and not cue.reverse:
                    source, target = target, source
                if source.entity_id == target.entity_id or _same_service(
                    index, source.entity_id, target.entity_id, cue.predicate
                ):
                    continue
                if index.kind_of(source.entity_id) in {"tool", "engine"} or index.kind_of(target.entity_id) in {
                    "tool",
                    "engine",
                }:
                    continue
                ends = Ends(subj.start, subj.end, obj.start, obj.end, match.start(), match.end())
                features = sentence_features(doc, text, ends, cue.predicate, passive_cue=cue.passive)
                facts.append(RelationFact(source.entity_id, cue.predicate, target.entity_id, text, prov, features))
    facts += _compatible_suffix(text, context, mentions, index, doc)
    facts += _component_suffix(text, context, mentions, doc)
    return _dedupe(facts)


def _is_verb(doc: Doc | None, start: int) -> bool:
    if doc is None:
        return True
    token = next((t for t in doc if t.idx >= start), None)
    return token is not None and token.pos_ in {"VERB", "AUX"}


def _same_service(index: EntityIndex, a: str, b: str, predicate: str) -> bool:
    """A component and its own service are not "related" by a cue in passing (except partOf)."""
    if predicate == "partOf":
        return False
    if predicate == "storesDataIn" and index.service_of(b) == a and _container(index.label_of(b)):
        return False  # "Azure Backup stores recovery points in a Recovery Services vault"
    return index.service_of(a) == b or index.service_of(b) == a


CONTAINER_NOUNS = frozenset(
    "vault bucket container account table share disk volume database repository store queue topic stream".split()
)


def _container(label: str) -> bool:
    words = label.lower().split()
    return bool(words) and _singular(words[-1]) in CONTAINER_NOUNS


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for match in CLAUSE_BREAK.finditer(text, 0, start):
        left = match.end()
    right_match = CLAUSE_BREAK.search(text, end)
    right = right_match.start() if right_match else len(text)
    return left, right


def _subject(
    text: str,
    cue_start: int,
    clause_start: int,
    mentions: list[Mention],
    context: BlockContext,
    index: EntityIndex,
    doc: Doc | None,
    cue: Cue,
) -> _End | None:
    before = [m for m in mentions if clause_start <= m.start and m.end <= cue_start and cue_start - m.end <= MAX_GAP]
    if _person_subject(cue_start, doc):
        return None  # "Object size > 100 MB - you should use multipart upload": the subject is "you"
    if before:
        syntactic = _syntactic_subject(before, cue_start, doc)
        chosen = syntactic or before[-1]
        if syntactic is None and cue_start - chosen.end > NEAR_GAP and doc is not None:
            return None
        if syntactic is None and PERSON_RE.search(text[chosen.end : cue_start]):
            return None  # "Object size > 100 MB - you should use ...": the subject is "you"
        return _End(chosen.entity_id, chosen.text, chosen.start, chosen.end)
    if cue.explicit_subject or not context.topic:
        return None
    topic = _End(context.topic, index.label_of(context.topic))
    if cue.passive:
        return topic  # "... can be monitored using CloudWatch": what is monitored is the topic
    head = text[clause_start:cue_start]
    # No entity before the cue: the clause is about the topic when it names no other thing
    # ("is stored in S3", "allows to store ... to S3", "Snapshot data is stored in S3" under
    # EBS Snapshots), told by the parser's nouns when there is a parse.
    if PRONOUN_OR_AUX.match(head) or re.search(r"\b(?:it|they|which)\s*(?:\w+\s+){0,2}$", head, re.I):
        return topic
    nouns = _head_nouns(head, clause_start, doc)
    if not nouns or _starts_with_verb(head, clause_start, doc) or all(n in GENERIC_HEAD_NOUNS for n in nouns):
        return topic  # "captures API calls and delivers log files to ...", "fastest way to load data from"
    if (
        cue.predicate == "deliversTo"
        and index.kind_of(context.topic) == "service"
        and all(n in {"message", "notification", "event", "alert"} for n in nouns)
    ):
        return topic  # "messages are delivered to subscribers ..." under SNS (not under a queue's setting)
    topic_words = {_singular(w) for w in re.findall(r"[a-z0-9]+", index.label_of(context.topic).lower())}
    if all(w in topic_words or w in DATA_WORDS for w in nouns) and (
        any(w in topic_words for w in nouns) or all(w in DATA_WORDS - {"message"} for w in nouns)
    ):
        return topic
    return None


def _starts_with_verb(head: str, offset: int, doc: Doc | None) -> bool:
    """A bullet fragment that opens with its verb ("receives stream data and stores it in S3")."""
    if doc is None or offset != 0:
        return False
    first = next((t for t in doc if not t.is_space and not t.is_punct), None)
    return first is not None and first.pos_ == "VERB" and first.text[:1].islower()


def _head_nouns(head: str, offset: int, doc: Doc | None) -> list[str]:
    """Nouns of the clause text before a cue (from the parse when there is one)."""
    if doc is None:
        return [
            _singular(w)
            for w in re.findall(r"[a-z0-9]+", head.lower())
            if w not in {"is", "are", "be", "the", "a", "an", "all", "any", "can", "may", "and", "of"}
        ]
    end = offset + len(head)
    return [_singular(t.lower_) for t in doc if offset <= t.idx < end and t.pos_ in {"NOUN", "PROPN"}]


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 and not word.endswith("ss") else word


def _cue_verb(cue_start: int, doc: Doc | None) -> Token | None:
    if doc is None:
        return None
    cue_token = next((t for t in doc if t.idx >= cue_start), None)
    if cue_token is None:
        return None
    return cue_token if cue_token.pos_ in {"VERB", "AUX"} else cue_token.head


def _person_subject(cue_start: int, doc: Doc | None) -> bool:
    """The parser's subject of the cue's verb is a person ("you must use ...")."""
    verb = _cue_verb(cue_start, doc)
    return verb is not None and any(
        child.dep_ in {"nsubj", "nsubjpass"} and PERSON_RE.fullmatch(child.text) for child in verb.children
    )


def _modifier(end: _End, text: str, doc: Doc | None) -> bool:
    """The name only qualifies another noun ("an IAM principal", "the queue's attribute")."""
    if end.start < 0:
        return False
    if re.match(r"[’']s\b", text[end.end :]):
        return True
    if doc is None:
        return False
    span = doc.char_span(end.start, end.end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    return root.dep_ in {"compound", "amod"} and root.head.i >= span.end and root.head.pos_ in {"NOUN", "PROPN"}


def _head(mention: Mention, doc: Doc | None) -> Token | None:
    """The token a name stands on in the parse: its root, climbing out of compounds ("S3" in "S3 bucket")."""
    if doc is None:
        return None
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return None
    root = span.root
    while root.dep_ == "compound" and root.head != root:
        root = root.head
    return root


def _syntactic_subject(candidates: list[Mention], cue_start: int, doc: Doc | None) -> Mention | None:
    """The candidate the parser marks as subject (nsubj/nsubjpass) of the cue's verb, if any."""
    verb = _cue_verb(cue_start, doc)
    if verb is None:
        return None
    for mention in reversed(candidates):
        root = _head(mention, doc)
        if root is not None and root.dep_ in {"nsubj", "nsubjpass"} and root.head in (verb, verb.head):
            return mention
    return None


def _is_subject(mention: Mention, doc: Doc | None) -> bool:
    root = _head(mention, doc)
    return root is not None and root.dep_ in {"nsubj", "nsubjpass"}


def _objects(text: str, cue_end: int, clause_end: int, mentions: list[Mention], doc: Doc | None = None) -> list[_End]:
    after = [m for m in mentions if cue_end <= m.start < clause_end]
    if not after or after[0].start - cue_end > MAX_GAP:
        return []
    chosen = [after[0]]
    for previous, current in itertools.pairwise(after):
        if previous is not chosen[-1]:
            break
        between = text[previous.end : current.start]
        if COORDINATION.match(between) or _list_gap(between):
            chosen.append(current)
    for i, mention in enumerate(chosen[1:], 1):
        if _is_subject(mention, doc):  # "to S3, Kinesis Firehose sends ...": a new clause begins
            chosen = chosen[:i]
            break
    return [_End(m.entity_id, m.text, m.start, m.end) for m in chosen]


def _coordinated_before(subject: _End, text: str, mentions: list[Mention], cue_start: int) -> list[_End]:
    """Names joined to the subject before the cue ("Log Analytics workspaces and Application Insights
    are part of ..."): the ones after it up to the cue and the ones before it."""
    if subject.start < 0:
        return []
    ordered = [m for m in mentions if m.end <= cue_start]
    at = next((i for i, m in enumerate(ordered) if m.start == subject.start), None)
    if at is None:
        return []
    joined: list[_End] = []
    for step in (1, -1):
        i = at
        while 0 <= i + step < len(ordered):
            a, b = sorted((ordered[i], ordered[i + step]), key=lambda m: m.start)
            if not COORDINATION.match(text[a.end : b.start]) or not text[a.end : b.start].strip():
                break
            i += step
            joined.append(_End(ordered[i].entity_id, ordered[i].text, ordered[i].start, ordered[i].end))
    return joined


def _list_gap(between: str) -> bool:
    """Other list items between two entities of one list ("SQS, HTTP, HTTPS, email, and Lambda")."""
    rest = between
    steps = 0
    while steps < 8:
        match = LIST_ITEM_GAP.match(rest)
        if not match:
            break
        rest = rest[match.end() :]
        steps += 1
    return steps > 0 and bool(COORDINATION.match(rest))


def _objects_before(cue_start: int, clause_start: int, mentions: list[Mention]) -> list[_End]:
    before = [m for m in mentions if clause_start <= m.start and m.end <= cue_start and cue_start - m.end <= 40]
    return [_End(before[-1].entity_id, before[-1].text, before[-1].start, before[-1].end)] if before else []


def _compatible_suffix(
    text: str, context: BlockContext, mentions: list[Mention], index: EntityIndex, doc: Doc | None
) -> list[RelationFact]:
    """ "Aurora ... is MySQL-compatible": compatibleWith(Aurora, MySQL)."""
    facts = []
    for mention in mentions:
        if COMPATIBLE_SUFFIX.match(text[mention.end :]):
            clause_start, _ = _clause(text, mention.start, mention.end)
            others = [m for m in mentions if clause_start <= m.start and m.end <= mention.start]
            subject = (
                _End(others[-1].entity_id, others[-1].text, others[-1].start, others[-1].end)
                if others
                else (_End(context.topic, index.label_of(context.topic)) if context.topic else None)
            )
            if subject and subject.entity_id != mention.entity_id:
                ends = Ends(subject.start, subject.end, mention.start, mention.end, mention.end, mention.end + 11)
                features = sentence_features(doc, text, ends, "compatibleWith", passive_cue=False, origin="suffix")
                facts.append(
                    RelationFact(subject.entity_id, "compatibleWith", mention.entity_id, text, context.prov(), features)
                )
    return facts


COMPONENT_SUFFIX = re.compile(r"^\s+(?:component|building\s+block|sub-?resource)s?\b", re.IGNORECASE)
IS_A_BETWEEN = re.compile(r"^\s+(?:is|are)\s+(?:(?:an?|the|one\s+of\s+the)\s+)?[\w\s,-]{0,80}$", re.IGNORECASE)


def _component_suffix(text: str, context: BlockContext, mentions: list[Mention], doc: Doc | None) -> list[RelationFact]:
    """ "IGW is a horizontally scaled ... VPC component": partOf(IGW, VPC)."""
    facts = []
    for i, mention in enumerate(mentions):
        if not COMPONENT_SUFFIX.match(text[mention.end :]):
            continue
        for part in reversed(mentions[:i]):
            if IS_A_BETWEEN.match(text[part.end : mention.start]) and part.entity_id != mention.entity_id:
                suffix = COMPONENT_SUFFIX.match(text[mention.end :])
                cue_end = mention.end + (suffix.end() if suffix else 0)
                ends = Ends(part.start, part.end, mention.start, mention.end, mention.end, cue_end)
                features = sentence_features(doc, text, ends, "partOf", passive_cue=False, origin="suffix")
                facts.append(RelationFact(part.entity_id, "partOf", mention.entity_id, text, context.prov(), features))
                break
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
