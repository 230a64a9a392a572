"""Composing answers per intent from facts (SPARQL rows) and retrieved passages.

Every answer is extractive: a short lead built from a fact's fields, then the notes' own words.
A composer returns ``None`` when the facts and passages do not support an answer; the engine then
abstains instead of offering a near miss.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ingest.quantities import find_quantities
from kg.index.tokens import STOPWORDS, tokenize
from kg.passages import Passage
from kg.qa.answer import KIND_WORDS, FactRow, around, format_quantity, sentence_around, shorten
from kg.qa.intent import Intent
from kg.qa.retrieve import Hit

# Words of a question that say what kind of answer is wanted, not what it is about.
FRAME_WORDS = frozenset(
    tokenize(
        """max maximum min minimum limit limits default how many much big large long small largest biggest
        smallest longest number count can could does what which where when who why is are the of in on for
        per allowed up to at most least value values range vs versus difference between compare explain define
        definition describe tell list steps step way need mean meaning type types kind kinds option options
        happen happens get go there much one thing things put make aws amazon azure microsoft gcp google cloud
        set setup up do steps procedure process often frequently frequency highest lowest shortest upper quota
        quotas ceiling cap possible"""
    )
)
NUMBER_WORDS = frozenset(tokenize("zero one two three four five six seven eight nine ten twelve hundred thousand"))
COUNTED_RE = re.compile(
    r"\b(?:how\s+many|number\s+of|(?:limit|cap|quota)\s+(?:on|for)\s+(?:the\s+)?(?=(?:[\w-]+\s+){1,3}per\b))\s*"
    r"(\w+(?:[\s-]+\w+)?)",
    re.IGNORECASE,
)


# Names of tiers, editions and classes: a figure stated for one does not answer a question on another.
TIER_WORDS = frozenset(
    "standard premium basic free enterprise developer consumption dedicated hot cool cold archive fifo ultra "
    "provisioned serverless on-demand manual automated automatic isolated shared".split()
)


def tier_words(text: str) -> list[str]:
    """The names of tiers a text says, in its order ("premium tier, not standard": premium, standard)."""
    return [w for w in re.findall(r"[\w-]+", text.lower()) if w in TIER_WORDS]


def other_tier(question: str, answer: str, names: Sequence[str] = ()) -> bool:
    """The question asks about one tier ("premium tier retention") and the answer states another's
    figure ("The Standard tier retains events for 1 to 7 days").

    >>> other_tier("event hubs premium tier retention", "The Standard tier retains events for 7 days")
    True
    >>> other_tier("sqs fifo throughput", "FIFO: 300 messages per second; Standard: unlimited")
    False
    """
    named = set(" ".join(names).lower().split())
    asked = {w for w in tier_words(question) if w not in named}
    stated = set(tier_words(answer))
    return bool(asked) and not asked & stated and bool(stated - named)


# A question about how long something is kept needs a figure stated about keeping it.
RETENTION_ASKED_RE = re.compile(r"\b(?:keep|keeps|kept|retain\w*|retention|last|lasts|expire\w*|stay|stays)\b", re.I)
# "how long does a token last" is answered by its lifetime or session duration as well
LASTING_ASKED_RE = re.compile(r"\b(?:last|lasts|valid)\b", re.I)
LASTING_STATED_RE = re.compile(
    r"\b(?:duration|valid\w*|lifetime|session|expir\w*|exists?|lasts?|timeouts?|time\s+limit)\b", re.I
)
RETENTION_STATED_RE = re.compile(
    r"\b(?:keep\w*|kept|retain\w*|retention|stor\w*|expir\w*|ttl|available|history|lifetime|period|"
    # ("moving a blob out of the Cool tier before 30 days" states how long it must stay)
    r"deleted\s+after|for\s+(?:up\s+to\s+)?\d|before\s+\d|minimum\s+(?:\w+\s+)?duration)",
    re.I,
)


def keeping_unstated(intent: Intent, question: str, text: str) -> bool:
    """The question asks how long something is kept and ``text`` states no keeping.

    >>> from kg.qa.intent import Intent
    >>> keeping_unstated(Intent("limit", unit="seconds"), "how long can draining last", "the timeout is 300 seconds")
    False
    >>> keeping_unstated(Intent("limit", unit="seconds"), "how long are logs kept", "logs arrive within 15 minutes")
    True
    """
    if intent.unit != "seconds" or not RETENTION_ASKED_RE.search(question) or RETENTION_STATED_RE.search(text):
        return False
    return not (LASTING_ASKED_RE.search(question) and LASTING_STATED_RE.search(text))


MEASURED_RE = re.compile(
    r"\b(?:size|length|number|count|duration|lifetime|limit)\s+of\s+(?:an?\s+|the\s+|each\s+|one\s+)?(.+?)\s*\??$",
    re.IGNORECASE,
)


def measured_noun(question: str, link_surfaces: Sequence[str] = ()) -> set[str]:
    """The head noun of what a limit question measures when the question's names leave one
    ("max size of a kinesis firehose record": ``record``); empty otherwise.

    >>> sorted(measured_noun("max size of a kinesis firehose record", ["kinesis firehose"]))
    ['record']
    >>> sorted(measured_noun("max size of an s3 object", ["s3 object"]))
    []
    >>> sorted(measured_noun("max number of rr i can add"))  # (not "add": the question goes on)
    ['rr']
    """
    found = MEASURED_RE.search(question)
    if not found:
        return set()
    phrase = found.group(1).lower()
    # (up to where the question goes on: "number of rr i can add" measures read replicas)
    phrase = re.split(
        r"\b(?:in|on|for|per|with|when|if|i|you|we|it|they|can|could|should|will|would|do|does|is|are|that|which)\b",
        phrase,
        maxsplit=1,
    )[0]
    for surface in sorted(link_surfaces, key=len, reverse=True):
        phrase = phrase.replace(surface.lower(), " ")
    words = [w for w in tokenize(phrase) if w not in FRAME_WORDS]
    return {words[-1]} if words else set()


def singular(token: str) -> str:
    """``vms`` → ``vm`` (short plurals the stemmer leaves alone)."""
    return token[:-1] if len(token) > 2 and token.endswith("s") and not token.endswith("ss") else token


def counted_words(question: str, names: dict[str, Sequence[str]] | None = None) -> set[str]:
    """The words of what "how many X" / "number of X" counts, with the names of an entity the
    question names there ("how many SGs" counts security groups); empty for other questions.

    >>> sorted(counted_words("how many buckets per account"))
    ['bucket']
    """
    found = COUNTED_RE.search(question)
    if not found:
        return set()
    words = set(tokenize(found.group(1))) - FRAME_WORDS
    phrase = f" {' '.join(found.group(1).lower().split())} "
    for entity_names in (names or {}).values():
        # (a short name the tokens drop is still a name: "number of rr")
        if any(set(tokenize(name)) & words or f" {name.lower()} " in phrase for name in entity_names):
            words |= set(tokenize(" ".join(entity_names))) - FRAME_WORDS
    return words


# Words that only restate the unit a limit question asks for ("how much data can X hold": bytes).
UNIT_WORDS = {
    "bytes": frozenset(tokenize("data hold holds store stores storing fit capacity")),
    "seconds": frozenset(tokenize("take takes taking last lasts wait keep keeps kept stay stays lifetime duration")),
    "count": frozenset(tokenize("have has create created")),
}


def limit_terms(terms: set[str], intent: Intent) -> set[str]:
    """A limit question's content words without those that only restate the unit asked.

    >>> from kg.qa.intent import Intent
    >>> sorted(limit_terms({"data", "hold"}, Intent("limit", unit="bytes")))
    []
    """
    if intent.name != "limit":
        return terms
    return terms - UNIT_WORDS.get(intent.unit, frozenset())


UNIT_FAMILIES = {
    "bytes": {"bytes"},
    "seconds": {"seconds"},
    "count": {"count"},
    "characters": {"characters", "bytes"},
    "percent": {"percent"},
    "IOPS": {"IOPS"},
    "bytes/s": {"bytes/s", "bits/s"},
    "currency": {"currency"},
}
# "not" as a list's or a question's polarity ("features NOT supported"; not "only", "no", "without")
NOT_RE = re.compile(
    r"\b(?:not|cannot|can't|can’t|never|unsupported|doesnt|dont|cant|isnt|arent|wont|didnt)\b|n't|n’t", re.I
)
NEGATION_RE = re.compile(
    r"\b(?:not|no|never|cannot|can't|can’t|don't|don’t|doesn't|doesn’t|isn't|isn’t|aren't|aren’t|won't|won’t|"
    r"without|none|neither|nor|only)\b|n't|n’t",
    re.IGNORECASE,
)
DEFINING_RE = re.compile(
    r"\b(?:is|are)\s+(?:a|an|the)\b|\bis\s+defined\s+as\b|\brefers?\s+to\b|\bmeans\b|^\s*(?:a|an)\s+\w+|"
    r"^\s*(?:is|are)\s+",
    re.IGNORECASE,
)


@dataclass
class Composition:
    """What a composer produced: the answer text, the facts used, passages to cite first."""

    text: str
    facts: list[FactRow] = field(default_factory=list)
    lead_passages: list[int] = field(default_factory=list)
    confidence: float = 1.0
    question: str = ""
    exact: bool = False  # read as the question asks it ("AMI stands for ..."): no relevance checks


def content_terms(question: str, link_surfaces: Sequence[str] = ()) -> set[str]:
    """The question's content words (stemmed), without frame words and linked names."""
    linked = set(tokenize(" ".join(link_surfaces)))
    linked |= {"".join(surface.split()) for surface in link_surfaces}  # "ec 2" was written "ec2"
    linked |= set(tokenize(" ".join(re.sub(r"\b([a-z]+) (\d+)\b", r"\1\2", s) for s in link_surfaces)))
    question = PURPOSE_FRAME_RE.sub(" ", question)  # "what is redshift used for" asks what it is
    question = ORIGIN_RE.sub(" sources ", question)  # "where can amis come from": their sources
    question = re.sub(r"\btim(?:e|es|ed|ing)\s+out\b", "timeout", question, flags=re.I)  # "before it times out"
    return {t for t in tokenize(question) if t not in FRAME_WORDS and t not in linked and len(t) > 1}


ORIGIN_RE = re.compile(r"\b(?:comes?|came)\s+from\b", re.I)


# "used for", "good for", "the purpose of": what a thing is for, as its definition says
PURPOSE_FRAME_RE = re.compile(
    r"\b(?:(?:used|good|meant)\s+for\s*\??\s*$|(?:purpose|role)\s+of)\b|\s[-–—,:]\s*(?:the\s+)?purpose\s*\??\s*$", re.I
)


def overlap(terms: set[str] | frozenset[str], text: str) -> float:
    """The share of ``terms`` that ``text`` says, a hyphenated word and its parts counting once
    ("soft-deleted": soft-deleted, softdelet, soft, delet).

    >>> overlap({"soft-deleted", "softdelet", "soft", "delet", "keep"}, "Soft-delete keeps deleted vaults")
    1.0
    """
    if not terms:
        return 0.0
    words = set(tokenize(text))
    units = _term_units(frozenset(terms))
    return sum(1 for unit in units if unit & words) / len(units)


@functools.lru_cache(maxsize=4096)
def _term_units(terms: frozenset[str]) -> tuple[frozenset[str], ...]:
    """``terms`` grouped so that a hyphenated word and the tokens it gives are one."""
    units: list[frozenset[str]] = []
    grouped: set[str] = set()
    for term in sorted(terms, key=lambda t: (-t.count("-"), t)):
        if term in grouped:
            continue
        group = frozenset(({term} | set(tokenize(term))) & terms) if "-" in term else frozenset({term})
        grouped |= group
        units.append(group)
    return tuple(units)


# -- limits ------------------------------------------------------------------------------------------


def score_limit(
    row: dict[str, Any],
    intent: Intent,
    terms: set[str],
    linked: Sequence[str],
    linked_terms: frozenset[str] | set[str] = frozenset(),
    components: Sequence[str] = (),
    components_named: dict[str, Sequence[str]] | None = None,
    counted: frozenset[str] | set[str] = frozenset(),
    measured: frozenset[str] | set[str] = frozenset(),
    question: str = "",
) -> float:
    """How well a limit row answers the question (entity, words, unit family, kind).

    Returns a negative score for rows that cannot answer: another unit family than the one asked,
    a count of something other than what "how many X" counts, a component other than the one the
    question names, or none of the question's words.
    """
    subject = row["subject"].rsplit("/", 1)[-1]
    if measured and not measured & set(tokenize(f"{row['attribute']} {row['subject_label']} {row['passage_text']}")):
        return -10.0  # "max size of a firehose record": a figure that never names records
    if keeping_unstated(intent, question, f"{row['attribute']} {row['passage_text']}"):
        return -10.0  # "how long are logs kept" is not answered by how soon they are delivered
    rate_asked = intent.unit == "bytes/s" and row["kind"] == "rate"  # throughput in messages per second
    if intent.unit and row["base_unit"] not in UNIT_FAMILIES.get(intent.unit, {intent.unit}) and not rate_asked:
        return -10.0
    if counted and row["base_unit"] == "count":
        # what the row counts: the noun after its number, else its attribute before "per"
        nouns = {t for t in tokenize(row["value_text"]) if not t[0].isdigit()} - FRAME_WORDS - NUMBER_WORDS
        if not nouns:
            attribute = re.split(r"\bper\b", row["attribute"], maxsplit=1)[0]
            nouns = {t for t in tokenize(attribute) if not t[0].isdigit()} - FRAME_WORDS - NUMBER_WORDS
        if not nouns:  # "up to 15", a "count" of read replicas: what it counts is its subject
            nouns = set(tokenize(row["subject_label"])) - FRAME_WORDS - NUMBER_WORDS
        if nouns and not {singular(n) for n in nouns} & {singular(c) for c in counted}:
            return -10.0  # "how many subnets" is not answered by "16 addresses"
    about = f"{row['attribute']} {row['subject_label']} {row['value_text']}"
    everything = f"{about} {row['passage_text']}"
    if components and subject not in components and row.get("linked", "").rsplit("/", 1)[-1] not in components:
        named = {c: n for c, n in components_named.items() if c in components} if components_named else {}
        if not any(name.lower() in everything.lower() for names in named.values() for name in names):
            return -10.0  # the question names a component; this figure is about something else
    score = 0.0
    if terms and overlap(terms, everything) == 0.0:
        score -= 1.5  # none of the question's own words: likely another figure
    if subject in linked:
        score += 1.0
        if linked and subject == linked[-1]:
            score += 0.3
    else:
        score += 0.5
        own = set(tokenize(row["subject_label"])) - set(linked_terms) - FRAME_WORDS
        if own & terms:
            score += 0.8  # a part the question names by its own word ("ddb scan": "DynamoDB Scan operation")
    score += 3.0 * overlap(terms, about) + 2.0 * overlap(terms, row["passage_text"])
    # (not a word of a name asked: "automated backups")
    tiers_asked = {w for w in tier_words(question) if not set(tokenize(w)) & linked_terms}
    if tiers_asked:
        # "the isolated tier": the figure stated on its line, not the Basic tier's beside it
        stated = set(tier_words(row["passage_text"]))
        score += 1.5 if tiers_asked & stated else 0.0  # (another tier's figure is left to other_tier)
    score += 1.0 * overlap(linked_terms, everything)
    if intent.unit:
        score += 1.5
    elif intent.prefers and row["base_unit"] in UNIT_FAMILIES.get(intent.prefers, {intent.prefers}):
        score += 1.5  # "biggest X", "how large" most often ask a size
    kind = row["kind"]
    if kind == "exact" and (said := KIND_SAID_RE.search(row["attribute"])):
        kind = "min" if said.group(0).lower().startswith("min") else "max"  # "minimum storage duration: 90 days"
    if intent.kinds:
        if kind == intent.kinds[0]:
            score += 1.5
        elif kind in intent.kinds:
            score += 1.0
        elif "default" in intent.kinds and not re.search(r"\bdefault", row["passage_text"], re.I):
            return -10.0  # a maximum is not the default the question asks
        elif "default" in intent.kinds or "range" in intent.kinds:
            score -= 1.0
    return score


KIND_SAID_RE = re.compile(r"\b(?:min(?:imum)?|max(?:imum)?)\b", re.I)
CUE_BEFORE_RE = re.compile(
    r"(?:\b(?:up\s+to|more\s+than|less\s+than|at\s+least|at\s+most|over|under|max(?:imum)?|min(?:imum)?|between|"
    r"from)\s+)$",
    re.IGNORECASE,
)


def value_phrase(row: dict[str, Any]) -> str:
    """The value as the notes state it, with its cue words ("more than 5,000 users", "up to 500 SGs")."""
    text = " ".join(row["passage_text"].split())
    value_text = row["value_text"]
    at = text.find(value_text)
    if at < 0:
        return value_text
    cue = CUE_BEFORE_RE.search(text[:at])
    rate = re.match(r"\s+(?:per|an?|each)\s+\w+", text[at + len(value_text) :]) if row.get("kind") == "rate" else None
    return (cue.group(0) if cue else "") + value_text + (rate.group(0) if rate else "")


KIND_SYNONYMS = {"maximum": ("max", "maximum"), "minimum": ("min", "minimum"), "default": ("default",)}


def describe_limit(row: dict[str, Any]) -> str:
    """``5 TB: the maximum object size of the S3 object``."""
    value = format_quantity(row["value"], row["unit"], row.get("value_max"))
    if row["unit"] == "count" or row["kind"] in {"min", "range"}:
        value = value_phrase(row)
        counted = re.search(r"\bnumber\s+(?:of\s+)?([a-z]+s)\b", row["attribute"], re.IGNORECASE)
        if re.fullmatch(r"[\d,.]+", row["value_text"].strip()) and counted:
            value = f"{row['value_text'].strip()} {counted.group(1)}"  # "32 volumes"
    elif (
        value.replace(" ", "") != row["value_text"].replace(" ", "")
        and row["kind"] != "percent"
        and not value.startswith(row["value_text"].strip() + " ")  # "20,000 IOPS", not "20,000 IOPS (20,000)"
    ):
        value = f"{value} ({value_phrase(row)})"
    kind = KIND_WORDS.get(row["kind"], "")
    attribute = row["attribute"]
    subject = row["subject_label"]
    if kind and attribute.lower() in kind.split():
        attribute = ""  # "the allowed range", not "the allowed range range"
    elif kind and attribute.split()[:1] and (attribute.split()[0].lower().rstrip(".") in KIND_SYNONYMS.get(kind, ())):
        kind = ""  # "the max IOPS", not "the maximum max IOPS"
    words = f"the {kind} {attribute}".replace("  ", " ").rstrip() if kind else f"the {attribute}"
    if subject.lower() not in attribute.lower():
        words += f" of {subject}"
    return f"{value}: {words}"


def limit_fact(row: dict[str, Any]) -> FactRow:
    predicate = f"{KIND_WORDS.get(row['kind'], row['kind']) or 'value'} {row['attribute']}".strip()
    return FactRow(
        row["subject_label"],
        predicate,
        format_quantity(row["value"], row["unit"], row.get("value_max")),
        row["source"],
        row["line_start"],
        row["line_end"],
    )


def compose_limit(
    rows: list[dict[str, Any]],
    intent: Intent,
    terms: set[str],
    linked: Sequence[str],
    passage_of: Any,
    min_score: float,
    *,
    linked_terms: frozenset[str] | set[str] = frozenset(),
    components: Sequence[str] = (),
    compare: bool = False,
    components_named: dict[str, Sequence[str]] | None = None,
    counted: frozenset[str] | set[str] = frozenset(),
    measured: frozenset[str] | set[str] = frozenset(),
    question: str = "",
) -> Composition | None:
    """The best limit facts: per linked entity when several are asked ("X vs Y"), with the other
    values read from the same lines ("between 1 and 3,600 seconds (the default is 300)")."""
    if not rows:
        return None
    scored = sorted(
        (
            (
                score_limit(
                    r, intent, terms, linked, linked_terms, components, components_named, counted, measured, question
                ),
                r,
            )
            for r in rows
        ),
        key=lambda p: -p[0],
    )
    best_score, best = scored[0]
    if best_score < min_score:
        return None
    chosen = [best]
    for score, row in scored[1:]:
        same_lines = row["line_start"] == best["line_start"] and row["source"] == best["source"]
        other_entity = row["subject"] != best["subject"] and (
            row["subject"].rsplit("/", 1)[-1] in linked
            or (compare and _same_attribute(row["attribute"], best["attribute"]))
        )
        # "the default visibility timeout and the max": the best figure of each kind asked
        other_kind = (
            len(intent.kinds) > 1
            and row["kind"] in intent.kinds
            and row["kind"] not in {r["kind"] for r in chosen}
            and row["subject"] == best["subject"]
            and _same_attribute(row["attribute"], best["attribute"])
        )
        if score >= best_score - 1.5 and (same_lines or other_entity or other_kind) and row not in chosen:
            chosen.append(row)
        if len(chosen) >= 3:
            break
    chosen = _dedupe_rows(chosen)
    lead = "; ".join(describe_limit(r) for r in chosen)
    evidence = sentence_around(best["passage_text"], best["value_text"])
    text = f"{lead} — “{evidence}”"
    facts = [limit_fact(r) for r in chosen]
    leads = [p for p in (passage_of(r) for r in chosen) if p is not None]
    return Composition(text, facts, leads, confidence=best_score)


def _same_attribute(one: str, other: str) -> bool:
    """Whether two attributes name the same measure ("maximum size" and "volume size" share "size")."""
    words = set(tokenize(one)) - FRAME_WORDS
    others = set(tokenize(other)) - FRAME_WORDS
    return one.lower() == other.lower() or bool(words & others)


def _dedupe_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = set()
    kept = []
    for row in rows:
        key = (row["subject"], row["value_text"], row["line_start"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


BARE_RANGE_RE = re.compile(r"\b(?:between|from)\s+\d[\d,.]*\s+(?:and|to)\s+\d[\d,.]*\b", re.I)


# a range whose ends have units of their own ("15 minutes to 36 hours")
MIXED_RANGE_RE = re.compile(r"[a-z]\s*(?:to|-|–|and)\s*\d", re.I)


def compose_limit_from_passages(
    hits: list[Hit],
    intent: Intent,
    terms: set[str],
    linked: Sequence[str],
    min_overlap: float,
    question: str = "",
    measured: set[str] | frozenset[str] = frozenset(),
    components: Sequence[str] = (),
    counted: set[str] | frozenset[str] | None = None,
    about: Callable[[Passage], set[str]] | None = None,
) -> Composition | None:
    """A value read straight from a retrieved passage that is about the entity and has the unit asked
    (for "how many X" / "number of X", a count of X: ``counted`` words, by default the question's
    words after "how many"), and about the component the question names. ``about`` gives what a
    passage is about (by default its entities and topics)."""
    about = about or (lambda passage: {*passage.entities, *passage.topics})
    if "range" in intent.kinds and not intent.unit:
        for hit in hits[:8]:
            # "Rule priority must be between 100 and 4096": a range of plain numbers
            bare = BARE_RANGE_RE.search(hit.passage.text)
            if bare is not None and overlap(terms, f"{hit.passage.context} {hit.passage.text}") >= 0.99:
                text = f"{bare.group(0)} — “{sentence_around(hit.passage.text, bare.group(0))}”"
                return Composition(text, [], [hit.passage.id], confidence=0.5)
    family = UNIT_FAMILIES.get(intent.unit, set()) if intent.unit else set()
    counted_by = COUNTED_RE.search(question)
    # (names of linked entities are left out: "how many SGs" is answered by "5 security groups")
    asked = (set(tokenize(counted_by.group(1))) - FRAME_WORDS) & terms if counted_by else set()
    if counted is not None:
        asked = set(counted)
    # the passages that say most of the question's words first, in the order retrieved among equals
    said = [(overlap(terms, f"{h.passage.context} {h.passage.text}"), h) for h in hits[:12]]
    for share, hit in sorted(said, key=lambda pair: -pair[0]):
        passage = hit.passage
        if linked and not set(linked) & about(passage):
            continue
        if components and not set(components) & about(passage):
            continue  # "VMs in one availability set" are not counted by a scale set's figure
        if share < min_overlap:
            continue
        if measured and not measured & set(tokenize(f"{passage.context} {passage.text}")):
            continue  # the thing measured is never named here
        if "default" in intent.kinds and not re.search(r"\bdefault", passage.text, re.I):
            continue
        if keeping_unstated(intent, question, passage.text):
            continue
        quantities = [
            q
            for q in find_quantities(passage.text)
            if (not family or q.base_unit in family)
            # a count must count what was asked: "three zones" does not answer "how many nodes"
            and not (q.unit == "count" and q.noun and asked and not set(tokenize(q.noun)) & asked)
        ]
        if not quantities:
            continue
        quantity = quantities[0]
        lead = format_quantity(quantity.value, quantity.unit, quantity.value_max)
        if quantity.unit == "count" or MIXED_RANGE_RE.search(quantity.text):
            lead = quantity.text  # "15 minutes to 36 hours", not "15 to 2,160 minutes"
        elif lead.replace(" ", "") != quantity.text.replace(" ", ""):
            lead = f"{lead} ({quantity.text})"  # "1 to 2 minutes (one to two minutes)", as the notes say it
        text = f"{lead} — “{sentence_around(passage.text, quantity.text)}”"
        leads = [passage.id]
        # the bullet after it may qualify the figure with words of the question this one lacks
        # ("For strongly consistent read operations, twice the number ... 56 in the above example.")
        missing = terms - set(tokenize(f"{passage.context} {passage.text}"))
        sequel = next((h.passage for h in hits if h.passage.id == passage.id + 1), None)
        if sequel is not None and sequel.parent == passage.parent and missing & set(tokenize(sequel.text)):
            text += f" “{shorten(sequel.text, 160)}”"
            leads.append(sequel.id)
        return Composition(text, [], leads, confidence=0.5)
    return None


def compose_tier_count(hits: list[Hit], question: str, counted: set[str] | frozenset[str]) -> Composition | None:
    """A count given per tier after the thing counted ("deployment slots: Standard gets 5, Premium
    20") for the tier the question asks ("how many slots on the standard tier").

    >>> hit = Hit(Passage(0, "n.md", 3, 3, "bullet", "deployment slots: Standard gets 5, Premium 20", "A", "A"), 1, 1)
    >>> compose_tier_count([hit], "how many deployment slots on the standard tier", {"deploy", "slot"}).text
    '5 — “deployment slots: Standard gets 5, Premium 20”'
    """
    tiers = tier_words(question)
    if not tiers or not counted:
        return None
    for hit in hits[:5]:
        text = " ".join(hit.passage.text.split())
        head, colon, rest = text.partition(":")
        if not colon or not counted & set(tokenize(head)):
            continue
        for tier in tiers:
            found = re.search(
                rf"\b{re.escape(tier)}\b\s*(?:gets|has|allows|=|-|–|—)?\s*(?:up\s+to\s+)?(\d[\d,]*)\b", rest, re.I
            )
            if found:
                return Composition(f"{found.group(1)} — “{shorten(text, 240)}”", [], [hit.passage.id], confidence=0.5)
    return None


def compose_limit_by_bridge(
    hits: list[Hit], rows: list[dict[str, Any]], intent: Intent, terms: set[str], passage_of: Any
) -> Composition | None:
    """A figure given under another name: a passage that says what the question asks with no figure
    ("Simple scaling - one adjustment, then wait for the cooldown") names the one limit whose
    figure answers ("Default cooldown: 300 seconds")."""
    if not intent.unit or intent.unit == "count":
        return None  # "how many X" names what it counts: there is nothing to bridge
    family = UNIT_FAMILIES.get(intent.unit, {intent.unit})
    for hit in hits[:3]:
        text = hit.passage.text
        if not terms or overlap(terms, text) < 1.0:
            continue  # the bridge says all the question asks
        words = set(tokenize(text)) - terms
        found = [
            row
            for row in rows
            if row["base_unit"] in family
            and (not intent.kinds or row["kind"] in intent.kinds)
            and (named := set(tokenize(row["attribute"])) - FRAME_WORDS)
            and named <= words
        ]
        if len({row["attribute"].lower() for row in found}) != 1:
            continue  # none, or more than one figure the passage may point at
        row = found[0]
        quoted = sentence_around(row["passage_text"], row["value_text"], 120)
        lead = f"{describe_limit(row)} — “{shorten(text, 140)}” “{quoted}”"
        leads = [p for p in (hit.passage.id, passage_of(row)) if p is not None]
        return Composition(lead, [limit_fact(row)], leads, confidence=hit.similarity)
    return None


HOW_MANY_RE = re.compile(r"\bhow\s+many\s+(?:(types|kinds|sorts|classes)\s+of\s+)?([\w-]+(?:\s+[\w-]+)?)", re.I)
NUMBER_WORD_RE = r"(?<![\d,.])(?:\d{1,3}(?:,\d{3})+|\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"


def compose_count_of_list(
    hits: list[Hit],
    question: str,
    children: dict[int, list[int]],
    passages: Sequence[Passage],
    terms: set[str] | frozenset[str] = frozenset(),
    surfaces: Sequence[str] = (),
) -> Composition | None:
    """ "how many routing policies": the notes' own count of the things ("3 ways that IAM
    authenticates a principal"), else the items of the list that announces them, counted."""
    asked = HOW_MANY_RE.search(question)
    if not asked:
        return None
    kind = asked.group(1)
    nouns = [singular(t) for t in tokenize(asked.group(2)) if t not in {"have", "has", "get", "support", "use"}]
    if not nouns:
        return None
    wanted = {singular(t) for t in tokenize(kind)} if kind else {nouns[0]}
    for hit in hits[:8]:
        passage = hit.passage
        words = {singular(t) for t in tokenize(f"{passage.context.split(' > ')[-1]} {passage.text}")}
        if not set(nouns) <= words:
            continue  # the list must be of what is asked ("routing policies", not record types)
        if terms and overlap(terms, f"{passage.context} {passage.text}") < 0.99:
            continue
        if not all(
            {singular(t) for t in tokenize(surface)} <= words | set(tokenize(passage.context)) for surface in surfaces
        ):
            continue  # "how many VMs in one availability set" is not counted by a scale set's figure
        for text in (passage.text, passage.context.split(" > ")[-1]):
            stated = re.search(rf"\b({NUMBER_WORD_RE})\s+((?:[\w-]+\s+){{0,2}}?[\w-]+)", text, re.I)
            noun_words = tokenize(stated.group(2)) if stated else []
            if stated and noun_words and singular(noun_words[-1]) in wanted:
                return Composition(f"{stated.group(0)} — “{shorten(text, 220)}”", [], [passage.id], confidence=0.6)
        intro = passage.text.split(":", 1)[0] if ":" in passage.text else ""
        # what is listed is named right before the colon ("Routing policy options:", "... record types:")
        listed_noun = wanted & {singular(t) for t in tokenize(" ".join(intro.split()[-4:]))}
        inline = INLINE_LIST_RE.search(passage.text)
        if inline and listed_noun:  # "Routing policy options: simple, weighted, ... and geolocation."
            listed = [
                i for i in re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+", inline.group(0).lstrip(": ")) if i.strip()
            ]
            text = f"{len(listed)}: {shorten(passage.text, 240)}"
            return Composition(text, [], [passage.id], confidence=0.6)
        kids = [passages[k] for k in children.get(passage.id, [])]
        if len(kids) >= 2 and announces_items(passage, children) and listed_noun:
            items = "; ".join(shorten(k.text, 40) for k in kids[:12])
            text = f"{len(kids)}: {passage.text.rstrip(': ')}: {items}"
            return Composition(shorten(text, 360), [], [passage.id, *(k.id for k in kids[:3])], confidence=0.6)
    return None


# -- passages ------------------------------------------------------------------------------------------


ASKED_NOUN_RE = re.compile(
    r"^\s*(?:what|which)\s+(?!(?:is|are|was|were|does|do|did|can|should|kind|type|types)\b)([a-z]\w+)\b", re.I
)


def compose_named(hits: list[Hit], question: str) -> Composition | None:
    """ "what cookie does ELB use": a retrieved sentence that gives the thing asked by its name ("ELB
    creates a cookie named AWSELB")."""
    asked = ASKED_NOUN_RE.match(question)
    if not asked:
        return None
    noun = asked.group(1).lower()
    pattern = re.compile(rf"\b{re.escape(noun)}s?\s+(?:named|called)\s+[“\"'`]?[\w.:/-]*\w", re.I)
    for hit in hits[:5]:
        found = pattern.search(hit.passage.text)
        if found:
            return Composition(
                sentence_around(hit.passage.text, found.group(0)), [], [hit.passage.id], confidence=hit.similarity
            )
    return None


def pick_passage(
    hits: list[Hit],
    terms: set[str],
    linked: Sequence[str],
    *,
    prefer: Any = None,
    linked_weight: float = 0.6,
    question: str = "",
) -> Hit | None:
    """The best hit for the question's words and entities (an optional ``prefer`` adds a bonus);
    with the ``question``, a passage that says a phrase of it as asked ("can be closed") gains."""
    best = None
    best_score = float("-inf")
    asked = _trigrams(question)
    for rank, hit in enumerate(hits[:10]):
        passage = hit.passage
        score = 2.0 * overlap(terms, f"{passage.context} {passage.text}") + 1.2 * hit.similarity - 0.1 * rank
        if asked:
            score += 0.3 * min(2, len(asked & _trigrams(passage.text)))
        if linked and set(linked) & (set(passage.entities) | set(passage.topics)):
            score += linked_weight
        if prefer is not None:
            score += prefer(passage)
        if score > best_score:
            best, best_score = hit, score
    return best


def _trigrams(text: str) -> set[tuple[str, ...]]:
    """Runs of three words, stopwords kept ("can be closed"), one of them at least a content word.

    >>> sorted(_trigrams("it can be closed"))
    [('can', 'be', 'clos')]
    """
    words = tokenize(text, keep_stopwords=True)
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2) if any(w not in STOPWORDS for w in words[i : i + 3])}


# "RG = resource group", "AKS = Azure Kubernetes Service": a glossary's pairs
GLOSSARY_PAIR_RE = re.compile(r"\b[A-Za-z][\w/-]{0,8}\s*=\s*[A-Za-z]")


def compose_definition(
    definition_rows: list[dict[str, Any]],
    hits: list[Hit],
    terms: set[str],
    linked: Sequence[str],
    term: str,
    passage_of: Any,
    children: dict[int, list[int]] | None = None,
    passages: Sequence[Passage] | None = None,
    aliases: Sequence[str] = (),
) -> Composition | None:
    """The passage that says what ``term`` is (written as asked or as one of its ``aliases``, the
    notes' names of the entity it links to: "dlq" is a "dead letter queue")."""
    term_low = term.lower().replace("-", " ")
    # (after a leading setting: "In AWS Elastic Beanstalk, an application is ...")
    setting = r"(?:(?:in|with|for|on|within)\s+[^,]{1,40},\s*)?"
    forms = list(dict.fromkeys([*term_forms(term_low), *(a.lower().replace("-", " ") for a in aliases if a)]))
    opens = (
        re.compile(
            r"^"
            + setting
            + r"(?:an?\s+|the\s+)?(?:"
            + "|".join(map(re.escape, forms))
            + r")s?\s+(?:is|are|refers?\s+to|means)\b"
        )
        if term_low
        else None
    )

    def copular(text: str) -> bool:
        return opens is not None and bool(opens.match(" ".join(text.lower().replace("-", " ").split())))

    if definition_rows and opens is not None and not any(copular(r["text"]) for r in definition_rows):
        # the graph's sentence only mentions the term ("SQS provides support for dead letter
        # queues"); a retrieved passage that says what it is ("A dead letter queue is ...") wins
        stated = next((h for h in hits[:8] if copular(h.passage.text) or _defines_title(h.passage, term_low)), None)
        if stated is not None:
            definition_rows = []
            hits = [stated, *(h for h in hits if h is not stated)]
    if definition_rows:
        row = next(
            (r for r in definition_rows if r["entity"].rsplit("/", 1)[-1] == (linked[-1] if linked else "")),
            definition_rows[0],
        )
        passage = passage_of(row)
        fact = FactRow(
            row["label"],
            "definition",
            shorten(row["text"], 200),
            row["source"],
            row["line_start"],
            row["line_end"],
        )
        text = shorten(row["text"], 400)
        if not text.lower().startswith(row["label"].lower()[:6]):
            text = f"{row['label']}: {text}"
        return Composition(text, [fact], [passage] if passage is not None else [], confidence=3.0)
    firsts: set[int] = set()
    if passages is not None:
        seen_sections: set[tuple[str, str]] = set()
        for passage in passages:
            key = (passage.source, passage.section)
            if key not in seen_sections and passage.kind in {"bullet", "paragraph"}:
                seen_sections.add(key)
                firsts.add(passage.id)

    def first_in_section(passage: Passage) -> bool:
        return passage.id in firsts

    def defining(passage: Passage) -> float:
        bonus = 0.0
        text = passage.text.lower().replace("-", " ")  # "cross-zone" is asked as "cross zone"
        heading = passage.section.split(" > ")[-1].lower().replace("-", " ") if passage.section else ""
        named = any(form in text[:80] or form in passage.context.lower()[-80:] for form in forms)
        if named:
            bonus += 0.8
        elif " of " in term_low and re.match(re.escape(term_low.split(" of ")[0]) + r"\b", text):
            bonus += 0.6  # "the hierarchy of azure resources": "Hierarchy, from top to bottom:"
        if DEFINING_RE.search(passage.text[:120]):
            bonus += 0.7 if named else 0.2
        if term_low and re.match(
            setting
            + r"(?:an?\s+|the\s+)?(?:"
            + "|".join(map(re.escape, forms))
            + r")s?\s*(?::|=|\s[-–—]\s|\(|,?\s+(?:is|are)\b)",
            text,
        ):
            bonus += 0.8  # "Availability Zone: physically separate datacenters ..." opens with the term
        if passage.kind == "table-row":
            bonus -= 0.3
        if passage.kind == "code":
            bonus -= 1.5  # a code block uses the term ("--name rg-notes"), it says nothing of what it is
        if len(GLOSSARY_PAIR_RE.findall(passage.text)) >= 3:
            bonus -= 2.0  # "RG = resource group, VNet = virtual network, ...": names spelled out, not what one is for
        if text.strip(" :") in forms and children and children.get(passage.id):
            bonus += 1.0  # "Envelope Encryption" with its explanation below
        if term_low and term_low in heading and passage.parent is None and first_in_section(passage):
            # the first bullet under the heading that names the term (and not another term the
            # heading names too: "NSG / ASG")
            bonus += 1.0 if term_low in text or not re.search(r"[/&,]|\band\b", heading) else 0.0
        return bonus

    hit = pick_passage(hits, terms | set(tokenize(term)), linked, prefer=defining)
    if hit is None:
        return None
    passage = hit.passage
    text = passage.text
    kids = [passages[k] for k in (children or {}).get(passage.id, [])] if passages else []
    if kids and len(text.split()) <= 12:
        # the sub-bullets that say what the term is come first, then those that name it
        if term_low:
            # (the term without the service it is asked in: "cloudformation change set" is what the
            # notes under CloudFormation call "the change set")
            kids = sorted(
                kids,
                key=lambda k: (
                    not copular(k.text) and not _defines_title(k, term_low),
                    not any(_opens_with(k.text, t) for t in forms),
                    term_low not in k.text.lower(),
                ),
            )
        text = f"{text.rstrip(':')}: " + " ".join(k.text for k in kids[:3])
    elif re.match(r"(?:is|are|allows?|provides?|helps?|lets?|enables?|refers?)\b", text):
        # "is used to download (GET) only a portion ..." under its title ("Range GETs"), else its term
        parent = passages[passage.parent] if passages and passage.parent is not None else None
        if parent is not None and is_title(parent.text):
            text = f"{parent.text.strip()} {text}"
        elif term and re.match(r"(?:is|are)\s+(?:an?|the)\b", text):
            text = f"{term[:1].upper()}{term[1:]} {text}"  # "is a logical grouping ..." under its term
    return Composition(shorten(text, 400), [], [passage.id, *(k.id for k in kids[:2])], confidence=hit.similarity)


def term_forms(term: str) -> list[str]:
    """The ways notes write a term asked: as asked, in the singular, and without the words before
    its last two (the service it is asked in: "kms envelope encryption" is what the notes under
    KMS call "envelope encryption").

    >>> term_forms("kms envelope encryption")
    ['kms envelope encryption', 'envelope encryption']
    >>> term_forms("vpc endpoints")
    ['vpc endpoints', 'vpc endpoint']
    """
    words = term.split()
    if not words:
        return []
    forms = [" ".join(words[i:]) for i in range(max(1, len(words) - 1))]
    if re.search(r"[^s]s$", words[-1]):
        # ("boxes": box, "policies": policy, "endpoints": endpoint)
        forms += [_singular_phrase(form) for form in forms]
    return forms


def _singular_phrase(phrase: str) -> str:
    """The phrase with its last word in the singular.

    >>> [_singular_phrase(p) for p in ["dead drop boxes", "routing policies", "vpc endpoints"]]
    ['dead drop box', 'routing policy', 'vpc endpoint']
    """
    head, _, last = phrase.rpartition(" ")
    if re.search(r"(?:x|z|sh|ch|ss)es$", last):
        last = last[:-2]
    elif last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith("s"):
        last = last[:-1]
    return f"{head} {last}".strip()


def _defines_title(passage: Passage, term: str) -> bool:
    """A sub-bullet that says what its bullet's term is ("AD Connector" > "is a proxy service ...")."""
    heading = passage.context.split(" > ")[-1] if passage.parent is not None else ""
    words = re.sub(r"[^a-z0-9]+", " ", heading.lower()).split()  # "VPG (Virtual Private Gateway)"
    return (
        bool(term)
        and len(words) <= 6
        and f" {term} " in f" {' '.join(words)} "
        and bool(re.match(r"(?:is|are)\s+(?:an?|the)\b", passage.text.strip(), re.I))
    )


def _opens_with(text: str, term: str) -> bool:
    """``The change set lists ...`` opens with ``change set``."""
    return bool(
        re.match(r"^(?:an?\s+|the\s+)?" + re.escape(term) + r"\b", " ".join(text.lower().replace("-", " ").split()))
    )


KEEP_RE = re.compile(r"\b(?:survives?|persists?|retains?|kept|keeps?|preserved?|remains?|stays?)\b", re.I)
LOSE_RE = re.compile(r"\b(?:lost|loses?|deleted|erased|wiped|discarded|removed|gone)\b", re.I)
MANY_RE = re.compile(r"\b(?:two|2|both|multiple|several|many|more\s+than\s+one|at\s+the\s+same\s+time)\b", re.I)
SINGLE_RE = re.compile(r"\b(?:single|one|only|exactly\s+one|a\s+single)\b", re.I)


def compose_yesno(
    hits: list[Hit], terms: set[str], linked: Sequence[str], question: str, surfaces: Sequence[str] = ()
) -> Composition | None:
    """Yes or No from the passage that best matches, by its negations (and "single" vs "two")."""
    key_term = _predicate(question, terms)
    # a passage that says "a peering connection" speaks of the "vpc peering" asked, linked or not
    heads = {tokenize(s)[-1] for s in surfaces if tokenize(s)}
    asked = [*surfaces, *terms]  # what an exception in the notes may leave out

    def prefer(passage: Passage) -> float:
        words = set(tokenize(passage.text))
        bonus = 0.8 if key_term and key_term in words else 0.0  # states the verb asked
        if heads & words and not set(linked) & (set(passage.entities) | set(passage.topics)):
            bonus += 0.8
        if _excepts(passage.text, asked):
            bonus += 1.5  # the notes' exception for just what is asked
        if _opposite(question, passage.text):
            bonus += 0.5  # it says the opposite of a word asked: a verdict ("remains the same")
        if BOTH_RE.search(question) and EITHER_RE.search(passage.text):
            bonus += 1.0  # "both spot and on-demand?" — "either On-Demand or Spot, but not both"
        return bonus

    hit = pick_passage(hits, terms, linked, linked_weight=1.2, prefer=prefer, question=question)
    if hit is None:
        return None
    sentence = _best_sentence(hit.passage.text, terms, key_term)
    negative = bool(NEGATION_RE.search(_part_asked(sentence, terms, question))) != bool(NEGATION_RE.search(question))
    text = " ".join(hit.passage.text.split())
    start = text.find(sentence)
    shown = text[start:] if start >= 0 else sentence  # the clause and what follows ("; it can only be suspended")
    # (the clauses after it count: "... access to a KMS key; every key has exactly one key policy")
    if MANY_RE.search(question) and SINGLE_RE.search(shown) and not MANY_RE.search(shown):
        # "attached to two instances?" — "attached to a single instance" (a sentence that already
        # says no, "can only ..." or "cannot span regions", has said it)
        negative = True
    if KEEP_RE.search(question) and LOSE_RE.search(f"{hit.passage.context.split(' > ')[-1]} {sentence}"):
        negative = not negative  # "does the data survive a stop?" — "data is lost when: the instance stops"
    if _opposite(question, sentence):
        negative = not negative  # "is logging on by default?" — "Logging is off by default"
    excepted = [s for s in asked if _excepts(hit.passage.text, [s])]
    if excepted:
        sentence = next(
            (u for u in CLAUSE_SPLIT_RE.split(text) if _excepts(u, excepted)),
            sentence,
        )
        negative = not NEGATION_RE.search(question)  # "can it grow for SQL Server?" — "... except for SQL Server"
        shown = text[text.find(sentence) :] if sentence in text else sentence
    verdict = "No" if negative else "Yes"
    if hit.passage.parent is not None and len(shown.split()) <= 8:
        shown = (
            f"{hit.passage.context.split(' > ')[-1].rstrip()} {shown}"  # "Data ... is lost when: the instance stops"
        )
    return Composition(f"{verdict} — “{shorten(shown, 260)}”", [], [hit.passage.id], confidence=hit.similarity)


def _part_asked(sentence: str, terms: set[str], question: str) -> str:
    """The part of a sentence setting two things against each other that says what is asked, or
    the whole sentence.

    >>> s = "on-prem over VPN can reach private endpoints but NOT service endpoints"
    >>> _part_asked(s, {"reach", "vpn", "private"}, "can on-prem reach a private endpoint over vpn")
    'on-prem over VPN can reach private endpoints'
    >>> _part_asked(s, {"reach", "vpn", "service"}, "can on-prem reach a service endpoint over vpn")
    'NOT service endpoints'
    """
    parts = [p for p in CONTRAST_PART_RE.split(sentence) if p.strip()]
    if len(parts) < 2:
        return sentence
    said = max(parts, key=lambda p: overlap(terms, p))
    if overlap(terms, said) < overlap(terms, sentence):
        return sentence
    after = parts[parts.index(said) + 1] if parts.index(said) + 1 < len(parts) else ""
    # the "not ..." part after it says the same of what it names: "not service endpoints" answers
    # "reach a service endpoint?", "either Gold or Silver, but not both" answers "both?"
    asked = set(tokenize(question, keep_stopwords=True)) - {"not", "no", "never"}
    if re.match(r"\s*(?:not|never|no)\b", after, re.I) and (asked & set(tokenize(after, keep_stopwords=True))) - set(
        tokenize(said, keep_stopwords=True)
    ):
        return after
    return said


BOTH_RE = re.compile(r"\bboth\b|\bat\s+the\s+same\s+time\b|\bmix\w*\b|\bcombin\w*\b", re.I)
EITHER_RE = re.compile(r"\bnot\s+both\b|\beither\b[^.;]{1,80}\bor\b|\bonly\s+one\s+of\b", re.I)

# Words that say the opposite of each other: a sentence with one answers a question with the other "no".
OPPOSITES = (
    ("on", "off"),
    ("enabled", "disabled"),
    ("enable", "disable"),
    ("synchronous", "asynchronous"),
    ("synchronously", "asynchronously"),
    ("across", "within"),
    ("public", "private"),
    ("stateful", "stateless"),
    ("encrypted", "unencrypted"),
    ("mutable", "immutable"),
    ("automatically", "manually"),
    ("automatic", "manual"),
    ("inbound", "outbound"),
    ("global", "regional"),
    ("increase", "decrease"),
    ("strongly", "eventually"),
    ("strong", "eventual"),
    ("change", "same"),  # "does the dns name change" — "the DNS name remains the same"
    ("changes", "same"),
    ("changed", "same"),
)

# the parts of a sentence that set two things against each other
CONTRAST_PART_RE = re.compile(r"\s+[—–]\s+|,?\s+but\s+|,?\s+whereas\s+", re.I)
# sentences and ;-clauses ("Bucket Lock makes it permanent; a locked policy can never be reduced.")
CLAUSE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+")

# "supported for all of the database engines except for SQL Server": what follows is left out
EXCEPT_RE = re.compile(
    r"\b(?:except(?:\s+for)?|other\s+than|excluding|with\s+the\s+exception\s+of)\s+([^.;]{1,80})", re.I
)


def _excepts(sentence: str, asked: Sequence[str]) -> bool:
    """Whether the sentence leaves out a name or word the question asks about ("... except for SQL
    Server"), one it does not say before the exception.

    >>> _excepts("Storage expansion is supported for all engines except for SQL Server.", ["sql server"])
    True
    >>> _excepts("Storage expansion is supported for all engines except for SQL Server.", ["mysql", "engine"])
    False
    """
    wanted = set(tokenize(" ".join(asked)))
    for found in EXCEPT_RE.finditer(sentence):
        said = set(tokenize(sentence[: found.start()]))
        if (set(tokenize(found.group(1))) & wanted) - said:
            return True
    return False


def _opposite_tokens() -> dict[str, str]:
    found = {}
    for one, other in OPPOSITES:
        a, b = tokenize(one, keep_stopwords=True)[0], tokenize(other, keep_stopwords=True)[0]
        found[a], found[b] = b, a
    return found


OPPOSITE_TOKENS = _opposite_tokens()  # the pairs as stemmed tokens, both ways


def _opposite(question: str, sentence: str) -> bool:
    """Whether the sentence says the opposite of a word the question asks about (and never the
    word itself): "on by default?" — "off by default"; "replicated across AZs?" — "within its AZ".

    >>> _opposite("is logging on by default", "Logging is off by default.")
    True
    >>> _opposite("is logging off by default", "Logging is off by default.")
    False
    >>> _opposite("does the dns name change after failover", "The DNS name remains the same.")
    True
    """
    asked = set(re.findall(r"[a-z]+", question.lower()))
    said = set(re.findall(r"[a-z]+", sentence.lower()))
    for one, other in OPPOSITES:
        for a, b in ((one, other), (other, one)):
            if a in asked and b in said and a not in said and b not in asked:
                return True
    return False


# verbs a yes/no question asks about when they come after their subject
VERB_TOKENS = frozenset(
    tokenize(
        "change changes stay remain persist survive expire delete deleted work fail fails restart reboot stop "
        "scale grow shrink replicate encrypt encrypted move moved run update updated break lose lost keep"
    )
)


def _predicate(question: str, terms: set[str]) -> str:
    """The yes/no question's verb, as a term: the word after "be" ("can a locked policy be removed"),
    a verb a clause follows, else its first content word once the names are left out ("does SQS
    guarantee message order").

    >>> _predicate("does the dns name change after a failover", {"dns", "name", "chang", "failover"})
    'chang'
    >>> _predicate("is it possible to add a deny rule to an sg", {"add", "deny"})
    'deny'
    """
    passive = re.search(r"\b(?:be|been|get)\s+(\w+)", question, re.IGNORECASE)
    if passive:
        after = tokenize(passive.group(1))
        if after and after[0] in terms:
            return after[0]
    # the word a clause follows ("does the rds endpoint dns name change after a failover")
    before_clause = re.search(r"\b(\w+)\s+(?:after|before|when|whenever|during|once|while|if)\b", question, re.I)
    if before_clause:
        verb = tokenize(before_clause.group(1))
        if verb and verb[0] in terms and verb[0] in VERB_TOKENS:
            return verb[0]
    # (not a verb that says little: "add a deny rule" asks about deny rules)
    ordered = [t for t in tokenize(question) if t in terms and t not in LIGHT_VERB_TOKENS]
    return ordered[0] if ordered else ""


LIGHT_VERB_TOKENS = frozenset(tokenize("add adds have has use uses get make create put set specify give take"))


def _best_sentence(text: str, terms: set[str], key_term: str = "") -> str:
    """The sentence (or ;-clause) sharing most of the question's words, its predicate counting double;
    with the clause after it when that one says what it is not.

    >>> _best_sentence("Snapshots are kept in S3 storage; not in your S3 buckets. Use the API.", {"s3", "snapshot"})
    'Snapshots are kept in S3 storage; not in your S3 buckets.'
    """
    sentences = [s for s in CLAUSE_SPLIT_RE.split(" ".join(text.split())) if s]
    if not sentences:
        return text
    best = max(
        range(len(sentences)),
        key=lambda i: overlap(terms, sentences[i]) + (0.5 if key_term and key_term in tokenize(sentences[i]) else 0.0),
    )
    if (
        best + 1 < len(sentences)
        and sentences[best].endswith(";")
        and (
            re.match(r"(?:but\s+)?(?:not|never|no)\b", sentences[best + 1], re.I)
            # "... permanent; a locked policy can never be removed": the clause goes on about it
            or (NEGATION_RE.search(sentences[best + 1]) and overlap(terms, sentences[best + 1]) > 0)
        )
    ):
        # "stored in AWS-controlled S3 storage; not in your account's S3 buckets": the clause after
        # says what it is not
        return f"{sentences[best]} {sentences[best + 1]}"
    return sentences[best]


REMARK_RE = re.compile(r"^\s*(?:this|these|that|it|note|tip|exam\s+tip)\b", re.I)
# "engines: MySQL, PostgreSQL, ...", or a counted list of any length ("two kinds: X (...) and Y")
INLINE_LIST_RE = re.compile(
    r":\s*[^,:]+(?:,[^,]+){2,}|\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:[\w-]+\s+){0,2}"
    r"(?:kinds?|types?|options?|classes|tiers?|levels?|modes?|categories|flavou?rs|ways|methods|sorts)\s*:\s*\S",
    re.I,
)
STEP_HINT_RE = re.compile(
    r"\b(?:must|need|required|first|then|next|finally|create|specify|configure|attach|enable|"
    r"allocate|launch|disable|delete|verify|replace|take|set|assign|associate|choose)\b",
    re.I,
)


OFFER_VERB_TOKENS = frozenset(
    tokenize("support supports supported offer offers provide provides give gives available exist exists come comes")
)
# list nouns that say only that the members of something are asked ("storage tiers": its classes)
GENERIC_LIST_NOUNS = frozenset(
    tokenize(
        "type types kind kinds option options class classes category categories configuration configurations "
        "mode modes tier tiers setup setups variant variants flavor flavors flavour flavours sort sorts"
    )
)
LIST_NOUNS = frozenset(
    tokenize(
        "type types kind kinds option options class classes engine engines policy policies "
        "style styles category categories configuration configurations feature features "
        "method methods mode modes tier tiers family families record records level levels "
        "setup setups variant variants flavor flavors flavour flavours sku skus edition editions plan plans"
    )
)


def compose_list(
    hits: list[Hit],
    terms: set[str],
    linked: Sequence[str],
    children: dict[int, list[int]],
    passages: Sequence[Passage],
    *,
    ordered: bool = False,
    tables: Sequence[dict[str, Any]] = (),
    sections: dict[str, list[int]] | None = None,
    budget: int = 300,
    question: str = "",
    names: Sequence[str] = (),
) -> Composition | None:
    """The items of a list the notes give, tried in order: a table whose title names the list, an
    item that introduces the list ("... record types:") with its sub-bullets or inline ("engines:
    MySQL, ..."), the bullets under a heading that names it; for procedures, the steps under the
    item that introduces them."""
    # the names as asked, else the ids (not a letter of "r 53")
    linked_words = {w for w in tokenize(" ".join(names or linked)) if len(w) > 1}
    # (the verb that asks for the members says nothing of them: "what kinds of blobs does it support")
    # ("what does simple ad not support" asks the list that says "NOT supported")
    offered = OFFER_VERB_TOKENS if not NOT_RE.search(question) else frozenset()
    list_words = (terms - offered) | (set(tokenize(question)) & LIST_NOUNS)
    if not ordered and list_words:
        table = _best_table(tables, list_words, linked_words, question)
        if table is not None and table[0] >= 0.5:
            _, row = table
            items = [i for i in row["items"].split("\x1f") if i]
            return Composition(shorten(f"{row['title']}: " + "; ".join(items), budget + 100), [], [], confidence=2.0)
        found = _best_section(sections, passages, list_words, linked_words, linked) if sections else None
        headed = _best_subsections(sections, list_words, linked_words) if sections else None
        if headed is not None and headed[0] >= 0.75 and (found is None or headed[0] > found[0]):
            # "Types of Load Balancers" then a heading per type: the headings are the items
            _, title, titles, ids = headed
            return Composition(f"{title}: " + "; ".join(titles), [], ids[:4], confidence=2.0)
        # A heading that names the whole list ("Instance Pricing Options") beats an item that only
        # shares its list noun ("Payment option").
        introducing = None
        if found is None or found[3] < 1.0:
            introducing = _introducing_passage(
                hits,
                list_words | linked_words,
                linked,
                children,
                named=linked_words,
                negated=bool(NOT_RE.search(question)),
            )
        if introducing is not None and not (found is not None and found[0] >= 0.75 and found[0] > introducing[1]):
            return _render_items(introducing[0], children, passages, terms, ordered=False, budget=budget)
        if found is not None and found[0] >= 0.75:
            _, title, ids, _ = found
            # the section's opening bullets may announce its list ("Routing policy options: simple,
            # weighted, ..." after a bullet on what a routing policy is; "Data types fall into three
            # major categories:")
            first = next(
                (
                    passages[i]
                    for i in ids[:3]
                    if (
                        INLINE_LIST_RE.search(passages[i].text)
                        or (passages[i].text.rstrip().endswith(":") and len(children.get(i, [])) >= 2)
                    )
                    and overlap(set(tokenize(title)), passages[i].text) > 0
                ),
                passages[ids[0]],
            )
            if INLINE_LIST_RE.search(first.text) or (
                first.text.rstrip().endswith(":") and len(children.get(first.id, [])) >= 2
            ):  # the section opens by announcing its list ("RDS supports six database engines: ...")
                return _render_items(first, children, passages, terms, ordered=False, budget=budget)
            texts = [passages[i].text for i in ids[:12]]
            body = "; ".join(shorten(t, 90) for t in texts)
            heads = item_heads(texts)
            if heads and len(body) > budget - 60:
                body = f"{', '.join(heads)} — {body}"  # the names first, when the details run long
            return Composition(f"{title}: {body}", [], ids[:4], confidence=2.0)
    if ordered and sections:
        found = _best_section(sections, passages, terms, linked_words, linked)
        if found is not None and found[0] >= 1.0:
            _, title, ids, _ = found
            intro = next(  # an item announcing the steps ("To rotate keys:"), not one step's own options
                (
                    i
                    for i in ids
                    if passages[i].text.rstrip().endswith(":") and len(children.get(i, [])) >= max(2, len(ids) - 1)
                ),
                None,
            )
            if intro is not None:
                return _render_items(
                    passages[intro], children, passages, terms | linked_words, ordered=True, budget=budget
                )
            chain = next((i for i in ids if len(ARROW_RE.findall(passages[i].text)) >= 2), None)
            if chain is not None:  # "Stop instance -> Change instance type -> Restart instance" is the procedure
                return Composition(shorten(passages[chain].text, budget), [], [chain], confidence=2.0)
            if len(ids) > 8:  # a long section: its steps are the items that require or do something
                ids = [i for i in ids if STEP_HINT_RE.search(passages[i].text)] or ids
            per_item = max(60, (budget - 40) // max(1, len(ids[:8])))
            numbered = " ".join(f"{n}. {shorten(passages[i].text, per_item)}" for n, i in enumerate(ids[:8], 1))
            return Composition(f"{title}: {numbered}", [], ids[:4], confidence=2.0)

    asked_names = set(tokenize(" ".join(names)))

    def steps(passage: Passage) -> float:
        bonus = 0.0
        kids = children.get(passage.id, [])
        if kids:
            bonus += 0.4 + min(0.3, 0.1 * len(kids))
            if passage.text.rstrip().endswith(":"):
                bonus += 0.3
            if ordered:  # its steps say what is asked ("without breaking apps": "Reconfigure all applications")
                bonus += 0.5 * overlap(terms, " ".join(passages[k].text for k in kids))
        infinitive = re.match(r"^\s*to\s+(\w+)([^,:.]*)", passage.text, re.IGNORECASE)
        if infinitive and (kids or passage.text.rstrip().endswith(":") or set(tokenize(infinitive.group(1))) & terms):
            bonus += 0.4  # "To create a bucket:" introduces steps, "To update a stack, ..." says how
            purpose = set(tokenize(infinitive.group(2)))
            if set(tokenize(infinitive.group(1))) & terms and purpose & (terms | asked_names):
                bonus += 0.6  # the very thing asked: its verb and its object
        if ARROW_RE.search(passage.text):
            bonus += 0.6
        if not ordered and INLINE_LIST_RE.search(passage.text):
            bonus += 0.8
        return bonus

    if ordered:
        hits = _with_announcers(hits, children, passages)
    hit = pick_passage(hits, terms | (list_words if not ordered else set()), linked, prefer=steps, question=question)
    if hit is None:
        return None
    hit = lift_to_list(hit, children, passages, ordered=ordered)
    if ordered and not children.get(hit.passage.id) and re.match(r"^\s*to\s+\w+", hit.passage.text, re.I):
        # "To update a stack, create a change set ..." goes on in the bullets after it
        # ("... you can execute the change set"): those that name what it names follow it
        return _procedure_with_sequel(hit, passages, budget, terms)
    return _render_items(
        hit.passage,
        children,
        passages,
        terms | linked_words if ordered else terms,
        ordered=ordered,
        budget=budget,
        similarity=hit.similarity,
    )


# a bullet that announces steps: "The process to rotate keys ...:", "To create a bucket:"
PROCESS_RE = re.compile(r"\b(?:process|procedure|steps?|workflow)\b|^\s*to\s+\w+", re.I)


def _with_announcers(hits: list[Hit], children: dict[int, list[int]], passages: Sequence[Passage]) -> list[Hit]:
    """The hits with, before a step retrieved, the bullet that announces the steps ("The process to
    rotate keys ...:"), which retrieval may leave out while it finds the steps."""
    shown = {hit.passage.id for hit in hits[:10]}
    found: list[Hit] = []
    for hit in hits[:10]:
        parent = hit.passage.parent
        if (
            parent is not None
            and parent not in shown
            and passages[parent].text.rstrip().endswith(":")
            and len(children.get(parent, [])) >= 2
            and PROCESS_RE.search(passages[parent].text)
        ):
            found.append(Hit(passages[parent], hit.score, hit.similarity))
            shown.add(parent)
        found.append(hit)
    return found + [hit for hit in hits[10:] if hit.passage.id not in shown]


ARROW_RE = re.compile(r"->|→|=>")


def lift_to_list(hit: Hit, children: dict[int, list[int]], passages: Sequence[Passage], *, ordered: bool) -> Hit:
    """One item of the list a bullet announces stands for the whole list: a step of the steps ("The
    process to rotate keys ...:"), a short item of the items ("Health checking" of "Route 53
    performs 3 main functions.")."""
    parent = passages[hit.passage.parent] if hit.passage.parent is not None else None
    if parent is None or len(children.get(parent.id, [])) < 2 or children.get(hit.passage.id):
        return hit
    if ordered:
        lifts = parent.text.rstrip().endswith(":") and not re.match(r"^\s*to\s+\w+", hit.passage.text, re.I)
    else:
        lifts = announces_items(parent, children) and len(hit.passage.text.split()) <= 6
    return Hit(parent, hit.score, hit.similarity) if lifts else hit


def sibling(passage: Passage, passages: Sequence[Passage], step: int = 1) -> Passage | None:
    """The bullet after (``step`` 1) or before (-1) a passage, under the same bullet and heading."""
    at = passage.id + step
    other = passages[at] if 0 <= at < len(passages) else None
    return other if other is not None and other.parent == passage.parent and other.section == passage.section else None


def _procedure_with_sequel(
    hit: Hit, passages: Sequence[Passage], budget: int, terms: set[str] | frozenset[str] = frozenset()
) -> Composition:
    passage = hit.passage
    own = set(tokenize(passage.text[passage.text.find(",") + 1 :])) - FRAME_WORDS
    chosen = [passage]
    for following in passages[passage.id + 1 : passage.id + 4]:
        if following.parent != passage.parent or following.section != passage.section:
            break
        if len(own & set(tokenize(following.text))) < 2:
            break
        chosen.append(following)
    texts = [" ".join(p.text.split()) for p in chosen]
    if sum(len(t) + 1 for t in texts) > budget:
        # each bullet cut to its share, around the last word of the question it says ("... you can
        # execute the change set to update your stack.")
        share = max(80, budget // len(texts) - 2)
        cut = [shorten(texts[0], share)]
        for text in texts[1:]:
            said = [w for w in re.findall(r"[\w-]+", text) if set(tokenize(w)) & (terms or own)]
            cut.append(around(text, said[-1], share) if said else shorten(text, share))
        texts = cut
    return Composition(" ".join(texts), [], [p.id for p in chosen], confidence=hit.similarity)


ANNOUNCING_RE = re.compile(
    r"\b(?:following|several|these|various|multiple|(?:two|three|four|five|six|\d)\s+(?:\w+\s+)?\w+s)\b", re.I
)


def announces_items(passage: Passage, children: dict[int, list[int]]) -> bool:
    """Whether a passage announces its sub-bullets ("Hosting plans:", "CloudFront provides several
    mechanisms to serve private content.", a title such as "After each bulk data load")."""
    kids = children.get(passage.id, [])
    return bool(kids) and (
        passage.text.rstrip().endswith(":")
        or (len(kids) >= 2 and bool(ANNOUNCING_RE.search(passage.text)))
        or is_title(passage.text)
    )


def is_title(text: str) -> bool:
    """A bullet that only names what its sub-bullets say ("Integration with AWS CloudTrail")."""
    return len(text.split()) <= 6 and not text.rstrip().endswith((".", "!", "?", ":"))


def _introducing_passage(
    hits: list[Hit],
    words: set[str],
    linked: Sequence[str],
    children: dict[int, list[int]],
    named: set[str] | frozenset[str] = frozenset(),
    negated: bool = False,
) -> tuple[Passage, float] | None:
    """A retrieved item that names the list asked for and gives it (as sub-bullets or inline);
    the words of the names asked (``named``) weigh half: every passage of the section has them.
    One that says "not" as the question does (``negated``), or not, fits it better ("features
    simple ad does not support": "Features NOT supported")."""
    best = None
    best_score = 0.0
    wants_list_noun = bool(words & LIST_NOUNS)
    plain = words - LIST_NOUNS
    candidates = {hit.passage.id for hit in hits[:10] if len(children.get(hit.passage.id, [])) >= 2}
    for rank, hit in enumerate(hits[:10]):
        passage = hit.passage
        gives = len(children.get(passage.id, [])) >= 2 or bool(INLINE_LIST_RE.search(passage.text))
        if not gives:
            continue
        text_words = set(tokenize(f"{passage.text} {passage.context}"))
        # "types", "kinds", "classes" ... all announce a list: any of them answers any other.
        hits_noun = wants_list_noun and bool(text_words & LIST_NOUNS)
        weight = {w: 0.5 if w in named else 1.0 for w in plain}
        matched = sum(weight[w] for w in plain & text_words) + (2 if hits_noun else 0)
        score = matched / max(1.0, sum(weight.values()) + (2 if wants_list_noun else 0)) - 0.03 * rank
        if passage.text.rstrip().endswith(":") or INLINE_LIST_RE.search(passage.text):
            score += 0.2
        if linked:  # about every entity asked ("routing policy" of Route 53, not its record types)
            score += 0.2 * len(set(linked) & (set(passage.entities) | set(passage.topics))) / len(linked)
        if passage.parent in candidates and passage.id not in candidates:
            score -= 0.5  # an inline run inside one of the sub-bullets of a retrieved list
        if bool(NOT_RE.search(passage.text)) != negated:
            score -= 0.3
        ancestry = passage.context[len(passage.section) :] if passage.context.startswith(passage.section) else ""
        unnamed = plain - named
        if unnamed & text_words and not unnamed & set(tokenize(f"{passage.text} {ancestry}")):
            # its words are its section's ("Auto Scaling Plans"): the section's bullets are the
            # list, this is one of them ("Maintain Current Instance Levels")
            score -= 0.3
        if score > best_score:
            best, best_score = passage, score
    return (best, best_score) if best is not None and best_score >= 0.6 else None


def _render_items(
    passage: Passage,
    children: dict[int, list[int]],
    passages: Sequence[Passage],
    terms: set[str],
    *,
    ordered: bool,
    budget: int,
    similarity: float = 1.0,
) -> Composition:
    kids = [passages[k] for k in children.get(passage.id, [])]
    if kids and ordered and terms:
        # the one sub-bullet that states what the question asks ("To create a pre-signed URL, you
        # must provide: ...") is the answer: in full, before the others
        listing = [k for k in kids if INLINE_LIST_RE.search(k.text) or "->" in k.text]
        best = max(listing, key=lambda k: overlap(terms, k.text), default=None)
        if best is not None and overlap(terms, best.text) >= 0.5:
            rest = [k for k in kids if k is not best]
            text = f"{shorten(passage.text, 80).rstrip(':')}: {shorten(best.text, 240)}"
            if rest:
                text += " (also: " + "; ".join(shorten(k.text, 60) for k in rest[:3]) + ")"
            return Composition(text, [], [best.id, passage.id], confidence=similarity)
    # (a bullet that ends announcing its sub-bullets lists them, whatever commas it has before:
    # "Modifying Reservation: You can modify your whole reservation, or just a subset, in ... ways:")
    if kids and (not INLINE_LIST_RE.search(passage.text) or passage.text.rstrip().endswith(":")):
        if ordered and len(kids) > 6:
            chosen = [k for k in kids if STEP_HINT_RE.search(k.text) or overlap(terms, k.text) > 0.3] or kids
        else:
            chosen = kids
        if ordered:  # the steps, not the remarks after them ("This configuration allows ...")
            chosen = [k for k in chosen if not REMARK_RE.match(k.text)] or chosen
        texts = [k.text.rstrip(" ,;") for k in chosen]
        if ordered:  # a step's asides give way to the next steps: "(for example, i-1a2b3c4d)"
            texts = [re.sub(r"\s*\([^()]{15,}\)", "", t) or t for t in texts]
        title = shorten(passage.text, 45 if ordered else 120).rstrip(":. ")  # (steps need the room)
        said = {t for t in tokenize(passage.text) if not t.isdigit() and not PROCESS_RE.fullmatch(t)}
        if ordered and said and said <= terms:
            title = ""  # "Create a storage account:" says again what was asked: the steps need the room
        room = budget - len(title) - 2 - (2 if ordered else 0) * len(texts)  # "1. " numbers the steps
        # (the items with the question's own words, when few have them, are kept whole)
        saying = [i for i, t in enumerate(texts) if overlap(terms, t) > 0] if terms else []
        favored = saying if len(saying) <= len(texts) // 2 else []
        items = fit_items(texts, room, floor=40 if not ordered else 50, favored=favored)
        body = " ".join(f"{n}. {item}" for n, item in enumerate(items, 1)) if ordered else "; ".join(items)
        heads = None if ordered else item_heads(texts)
        if heads and len(body) > room:
            body = f"{', '.join(heads)} — {body}"  # the names first, when the details run long
        text = f"{title}: {body}" if title else body
        return Composition(text, [], [passage.id, *(k.id for k in chosen[:4])], confidence=similarity)
    return Composition(shorten(passage.text, 400), [], [passage.id], confidence=similarity)


HEAD_RE = re.compile(r"^\s*([^\s(:][^():]{0,40}?)\s*(?:\s[-–—]\s|:\s|\()")


def item_heads(texts: Sequence[str]) -> list[str] | None:
    """The names that open list items ("Strong - linearizable reads" → ``Strong``), when
    at least three items and most of them open with a short name.

    >>> item_heads(["LRS (local) - 3 copies", "ZRS (zone) - 3 zones", "GRS - paired region"])
    ['LRS', 'ZRS', 'GRS']
    """
    if len(texts) < 3:
        return None
    heads = []
    for text in texts:
        found = HEAD_RE.match(text)
        if found and 1 <= len(found.group(1).split()) <= 5:
            heads.append(found.group(1).strip())
    return heads if len(heads) >= 0.8 * len(texts) else None


def fit_items(texts: Sequence[str], budget: int, floor: int = 40, favored: Sequence[int] = ()) -> list[str]:
    """Shorten items to fit ``budget`` together: short items keep their length and leave the
    rest to the long ones (the largest cap that fits, at least ``floor``); a ``favored`` item (one
    that says what is asked) is kept whole, up to its share of the budget, and the others share the rest.

    >>> fit_items(["a" * 50, "can be closed as completed, canceled, failed, or timed out", "c" * 50], 120, 20, [1])[1]
    'can be closed as completed, canceled, failed, or timed out'
    """
    if favored and len(favored) < len(texts):
        kept = {i: shorten(texts[i], budget // (len(favored) + 1)) for i in favored}
        rest = [i for i in range(len(texts)) if i not in kept]
        room = budget - sum(len(t) + 2 for t in kept.values())
        if room >= floor * len(rest):
            fitted = dict(zip(rest, fit_items([texts[i] for i in rest], room, floor), strict=True))
            return [kept.get(i) or fitted[i] for i in range(len(texts))]
    lengths = sorted(len(t) for t in texts)
    cap = max(lengths, default=0)
    if sum(lengths) + 2 * len(texts) > budget:
        room = budget - 2 * len(texts)
        cap = floor
        for i, length in enumerate(lengths):
            # the cap when items i.. are cut and the shorter ones are kept whole
            share = (room - sum(lengths[:i])) // max(1, len(lengths) - i)
            if share <= length:
                cap = max(floor, share)
                break
    return [shorten(t, cap) for t in texts]


def _best_table(
    tables: Sequence[dict[str, Any]], terms: set[str], linked_words: set[str], question: str = ""
) -> tuple[float, dict[str, Any]] | None:
    """The table whose title (and items) match the question's own words and its entities; a title
    word the question lacks counts against it ("Routing policies" for "scaling policies")."""
    best = None
    asked = set(tokenize(question))
    for row in tables:
        if row["type"] != "table":
            continue
        items = row["items"].replace("\x1f", " ")
        own = _title_overlap(terms, row["title"])  # ("storage tiers" asked: "Storage Classes")
        if own == 0.0:
            continue
        if not terms - LIST_NOUNS and not linked_words <= set(tokenize(f"{row['title']} {items}")):
            continue  # "storage gateway types": the types of what is named, not S3's storage classes
        title_words = set(tokenize(row["title"])) - FRAME_WORDS
        if asked and title_words:
            held = title_words & asked
            if asked & GENERIC_LIST_NOUNS:
                held |= title_words & LIST_NOUNS
            own *= len(held) / len(title_words)
        score = own + 0.5 * overlap(linked_words, f"{row['title']} {items}")
        if best is None or score > best[0]:
            best = (score, row)
    return best


def _best_subsections(
    sections: dict[str, list[int]], terms: set[str], linked_words: set[str]
) -> tuple[float, str, list[str], list[int]] | None:
    """A heading that names the list with no bullets of its own, its sub-headings the items: the
    score, the title, the sub-titles and a passage of each."""
    below: dict[str, list[str]] = {}
    for path in sections:
        if " > " in path:
            below.setdefault(path.rsplit(" > ", 1)[0], []).append(path)
    best = None
    for path, subpaths in below.items():
        if len(subpaths) < 2 or len(sections.get(path, [])) >= 2:
            continue
        title = path.split(" > ")[-1]
        own = overlap(terms, title)
        if own < 0.5 or not set(tokenize(title)) & LIST_NOUNS:
            continue
        score = own + 0.5 * overlap(linked_words, path)
        if best is None or score > best[0]:
            named = [p for p in subpaths if p.split(" > ")[-1] not in {"", "(untitled)"}]
            if len(named) < 2:
                continue
            titles = [p.split(" > ")[-1] for p in named]
            ids = [sections[p][0] for p in named if sections.get(p)]
            best = (score, title, titles, ids)
    return best


def _best_section(
    sections: dict[str, list[int]],
    passages: Sequence[Passage],
    terms: set[str],
    linked_words: set[str],
    linked: Sequence[str] = (),
) -> tuple[float, str, list[int], float] | None:
    """A section whose title names the list asked for, with its top-level bullets as items: the
    score, the title, the items and how much of ``terms`` the title holds. A section about other
    entities than the ``linked`` ones never answers ("dynamodb use cases" is not CloudFront's)."""
    best = None
    for path, ids in sections.items():
        if len(ids) < 2:
            continue
        title = path.split(" > ")[-1]
        # a question of names only ("cosmos db consistency levels") is matched by its names
        words = terms if terms - LIST_NOUNS else terms | linked_words
        # (the names the headings above it hold are not the title's to hold: "Amazon Route 53 >
        # Routing Policies" answers "r53 routing policy types")
        own = _title_overlap(words - set(tokenize(path[: -len(title)])) or words, title)
        if own < 0.5:
            continue
        about = overlap(linked_words, path)
        if linked_words and about == 0.0 and len(words & set(tokenize(title))) < 2:
            continue  # "Creating a Volume from a Snapshot" does not answer "how to create a subnet"
        topics = {t for i in ids for t in passages[i].topics}
        if linked and about < 1.0 and topics and not topics & set(linked):
            continue  # another service's "Use Cases"; "Modifying Instance Type" for a reserved instance
        # the words the title lacks may stand in the headings above it ("Storage Accounts >
        # Redundancy options" for "storage redundancy options")
        score = own + 0.5 * about + 0.5 * max(0.0, overlap(words, path) - own)
        if best is None or score > best[0]:
            best = (score, title, ids, own)
    return best


def _title_overlap(words: set[str], title: str) -> float:
    """How much of ``words`` a title holds, a title that names a list standing for any list noun
    ("storage gateway modes": "3 configurations for AWS Storage Gateway"; "routing policy types":
    "Routing Policies").

    >>> _title_overlap({"mode", "gateway"}, "3 configurations for AWS Storage Gateway")
    1.0
    >>> _title_overlap({"kind", "setup", "gateway"}, "3 configurations for AWS Storage Gateway")
    1.0
    >>> _title_overlap({"type", "policy"}, "Routing Policies")
    1.0
    """
    if not words:
        return 0.0
    own = set(tokenize(title))
    matched = len(words & own)
    if own & LIST_NOUNS:
        # (a word that says only that a list is asked; "engines" asks for engines, not "Editions")
        matched += len((words & GENERIC_LIST_NOUNS) - own)
    return matched / len(words)


# -- relations ------------------------------------------------------------------------------------------

PREDICATE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "deliversTo",
        re.compile(
            r"\b(?:deliver\w*|send\w*|sent|publish\w*|push\w*|notif\w*|receive\w*|destinations?|outputs?|"
            r"targets?|subscrib\w*|get\s+data\s+into|write\w*\s+to)\b",
            re.I,
        ),
    ),
    (
        "storesDataIn",
        re.compile(
            r"\b(?:stor\w*|kept|keep|saved?|archiv\w*|backup|backed|persist\w*|end\s+up|live[sd]?|resides?|located)\b",
            re.I,
        ),
    ),
    ("integratesWith", re.compile(r"\b(?:integrat\w*|works?\s+with|connect\w*)\b", re.I)),
    ("triggers", re.compile(r"\b(?:trigger\w*|invok\w*|fire[sd]?)\b", re.I)),  # not "Firehose"
    ("readsFrom", re.compile(r"\b(?:load\w*|read\w*|import\w*|pull\w*|ingest\w*|origin)\b", re.I)),
    ("replicatesTo", re.compile(r"\b(?:replicat\w*|cop(?:y|ied|ies))\b", re.I)),
    ("runsOn", re.compile(r"\b(?:built|runs?|running|hosted|based)\b", re.I)),
    ("monitors", re.compile(r"\bmonitor\w*\b", re.I)),
    ("uses", re.compile(r"\b(?:use[sd]?|using)\b", re.I)),
)


def _verb(question: str, found: re.Match[str], named: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether a cue word is used as a verb: not a noun after an article ("after a bulk load"),
    unless what is between is a name ("where do tapes from a gateway-vtl end up").

    >>> _verb("what to run after a bulk load", re.search(r"load", "what to run after a bulk load"))
    False
    >>> question = "where do tapes from a gateway-vtl end up"
    >>> _verb(question, re.search(r"end up", question), {"gateway-vtl"})
    True
    """
    before = question[: found.start()].lower().split()[-2:]
    if before and before[-1] in DETERMINERS:
        return False
    return not (len(before) == 2 and before[0] in DETERMINERS and before[1] not in named)


DETERMINERS = frozenset("a an the each every this that".split())


def _as_written(label: str, iri: str, text: str, names: dict[str, list[str]]) -> str:
    """The entity's name as the fact's text writes it ("Amazon Elasticsearch" rather than the
    catalog's current name), falling back to its label."""
    entity = iri.rsplit("/", 1)[-1]
    low = text.lower()
    for name in sorted(names.get(entity, []), key=len, reverse=True):
        if len(name) > 1 and name.lower() in low:
            return name
    return label


def compose_relation(
    rows: list[dict[str, Any]],
    hits: list[Hit],
    terms: set[str],
    linked: Sequence[str],
    question: str,
    passage_of: Any,
    names: dict[str, list[str]] | None = None,
    passages: Sequence[Passage] = (),
) -> Composition | None:
    named = {w.lower() for e in linked for n in (names or {}).get(e, []) for w in n.split()}
    wanted = [
        name for name, pattern in PREDICATE_CUES if any(_verb(question, f, named) for f in pattern.finditer(question))
    ]
    if re.search(r"\b(?:load\w*|put\w*|writ\w*|push\w*)\b.*\b(?:into|to)\b", question, re.I):
        wanted = ["deliversTo"]  # "what does firehose load data into": where it goes, not where from
    if "deliversTo" in wanted or "storesDataIn" in wanted:
        wanted += ["deliversTo", "storesDataIn"]
    chosen: list[dict[str, Any]] = []
    if rows and linked:
        focus = linked[-1] if len(linked) == 1 else None

        def matches(row: dict[str, Any]) -> bool:
            predicate = row["predicate"].rsplit("#", 1)[-1]
            return not wanted or predicate in wanted

        as_subject = [r for r in rows if matches(r) and r["subject"].rsplit("/", 1)[-1] in linked]
        as_object = [r for r in rows if matches(r) and r["object"].rsplit("/", 1)[-1] in linked]
        # "where does X store/send ..." asks where X's data goes: rows with X as the object say
        # what sends data to X, the other direction
        chosen = as_subject if re.match(r"^\s*where\b", question, re.I) else (as_subject or as_object)
        if (
            focus
            and as_subject
            and as_object
            and re.match(
                r"^\s*(?:what|which)\s+(?:service\s+)?(?:sends?|triggers?|"
                r"invokes?|delivers?)",
                question,
                re.I,
            )
        ):
            chosen = as_object
    names = names or {}
    key_term = _predicate(question, terms)  # "what does an application version point to": "points to"
    where = bool(re.match(r"^\s*(?:\w+\s+){0,3}where\b", question, re.I))

    def prefer(passage: Passage) -> float:
        bonus = 0.6 if key_term and key_term in tokenize(passage.text) else 0.0
        if where and set(passage.entities) - set(linked):
            bonus += 0.6  # "where do application versions live": the passage that names the place (S3)
        return bonus

    hit = pick_passage(hits, terms, linked, prefer=prefer)
    if chosen and hit is not None and passages:
        # facts that share little of the question ("Redshift reads from S3" for "what to run after
        # a bulk load") lose to a passage that has its words
        # (the words that ask the relation itself, "push" for deliversTo, are no such words)
        cues = {
            t
            for name, pattern in PREDICATE_CUES
            if name in wanted
            for found in pattern.finditer(question)
            for t in tokenize(found.group(0))
        }
        content = terms - cues
        sources = [p for p in dict.fromkeys(passage_of(r) for r in chosen) if p is not None]
        said = max((overlap(content, f"{passages[p].context} {passages[p].text}") for p in sources), default=0.0)
        about = set(linked) & {*hit.passage.entities, *hit.passage.topics}
        retrieved = {h.passage.id for h in hits[:3]}
        if (
            content
            and hit.passage.id not in sources
            and not retrieved & set(sources)  # (the facts' own line retrieved among the first is on topic)
            and about
            and overlap(content, f"{hit.passage.context} {hit.passage.text}") >= said + 0.5
        ):
            chosen = []
    if chosen:
        predicate_label = chosen[0]["predicate_label"]
        subjects = list(dict.fromkeys(_as_written(r["subject_label"], r["subject"], r["text"], names) for r in chosen))
        objects = list(dict.fromkeys(_as_written(r["object_label"], r["object"], r["text"], names) for r in chosen))
        if len(subjects) == 1 and as_subject and chosen is as_subject:
            # "stores it in S3, Redshift, or Amazon Elasticsearch": what the notes list beside the
            # objects found is of the same kind
            own = {n.lower() for r in chosen for n in (names or {}).get(r["subject"].rsplit("/", 1)[-1], [])}
            own |= {s.lower() for s in subjects}  # (not the subject itself: "CloudWatch triggers ... CloudWatch")
            for hit_ in hits[:5]:
                objects += [
                    o for o in co_listed(hit_.passage, objects, names) if o not in objects and o.lower() not in own
                ]
        if len(subjects) == 1:
            lead = f"{subjects[0]} {predicate_label}: {', '.join(objects)}"
        else:
            lead = f"{', '.join(subjects)} {predicate_label} {', '.join(objects)}"
        first = max(chosen, key=lambda r: sum(1 for o in chosen if o["line_start"] == r["line_start"]))
        evidence = shorten(first["text"], 220)
        facts = [
            FactRow(
                r["subject_label"],
                r["predicate_label"],
                r["object_label"],
                r["source"],
                r["line_start"],
                r["line_end"],
            )
            for r in chosen[:8]
        ]
        leads = [p for p in dict.fromkeys(passage_of(r) for r in chosen[:4]) if p is not None]
        text = f"{lead} — “{evidence}”"
        if HOW_RE.match(question) and leads and passages:
            # "how does cloudwatch trigger auto scaling": the bullet after goes on with how
            # ("After the CloudWatch alarm sends a message ..., Auto Scaling executes the policy")
            after = sibling(passages[leads[0]], passages)
            if after is not None and any(n.lower() in after.text.lower() for n in [*subjects, *objects]):
                text += f" “{shorten(after.text, 200)}”"
                leads.insert(1, after.id)
        if hit is not None and hit.passage.id not in leads and overlap(terms, hit.passage.text) >= 0.5:
            text += f" Also: “{shorten(hit.passage.text, 160)}”"
            leads.append(hit.passage.id)
        return Composition(text, facts, leads, confidence=3.0)
    if hit is None:
        return None
    return Composition(excerpt(hit.passage, terms), [], [hit.passage.id], confidence=hit.similarity)


HOW_RE = re.compile(r"^\s*how\s+(?:does|do|did|is|are|can|will)\b", re.I)


def _list_segments(text: str) -> list[str]:
    """Clauses that enumerate ("S3, Redshift, or Amazon Elasticsearch"): commas, then "and"/"or"
    after the last one (linear time: no backtracking pattern over long comma runs)."""
    segments = []
    for clause in re.split(r"[.;:]", text):
        if "," in clause and re.search(r"\b(?:and|or)\b", clause.rsplit(",", 1)[1]):
            segments.append(clause)
    return segments


def co_listed(passage: Passage, known: Sequence[str], names: dict[str, list[str]]) -> list[str]:
    """Entities named in the same enumeration ("S3, Redshift, or Amazon Elasticsearch") as a name
    already found, in the order written."""
    found: list[tuple[int, str]] = []
    for segment in _list_segments(passage.text):
        low = segment.lower()
        if not any(k.lower() in low for k in known):
            continue
        for entity in passage.entities:
            for name in names.get(entity, []):
                at = re.search(r"\b" + re.escape(name.lower()) + r"\b", low)
                if at:
                    found.append((at.start(), segment[at.start() : at.end()]))
                    break
    written = [name for _, name in sorted(found)]
    return [
        n for n in dict.fromkeys(written) if not any(n.lower() in k.lower() or k.lower() in n.lower() for k in known)
    ]


def excerpt(passage: Passage, terms: set[str], limit: int = 400) -> str:
    """A passage's text for an answer: for code and tables, the lines that match the question."""
    if passage.kind in {"code", "table"} and "\n" in passage.text:
        lines = [line for line in passage.text.split("\n") if line.strip()]
        if passage.kind == "code":  # a command continued with "\" is one command
            joined: list[str] = []
            for line in lines:
                if joined and joined[-1].rstrip().endswith("\\"):
                    joined[-1] = f"{joined[-1].rstrip()[:-1].rstrip()} {line.strip()}"
                else:
                    joined.append(line)
            lines = joined

        def fit(i: int) -> float:  # a command beats the comment that describes it
            return overlap(terms, lines[i]) - (0.5 if re.match(r"\s*(?:#|//|--\s)", lines[i]) else 0.0)

        scored = sorted(range(len(lines)), key=lambda i: -fit(i))
        keep = sorted(scored[:3])
        if passage.kind == "code":
            # every command that says a word of the question, in the block's order (the steps of
            # "create a plan, a web app and a slot"), the best ones if that is all
            saying = [i for i in range(len(lines)) if fit(i) > 0]
            keep = saying[:6] if len(saying) > len(keep) else keep
            limit = max(limit, 600)
        return shorten(" ".join(lines[i].strip() for i in keep), limit)
    return shorten(passage.text, limit)


# -- comparisons ------------------------------------------------------------------------------------------


def compose_comparison_table(
    detail: list[dict[str, Any]],
    wanted_items: Sequence[str],
    title: str,
    source_row: dict[str, Any],
    budget: int = 300,
    terms: set[str] | frozenset[str] = frozenset(),
) -> Composition | None:
    """Item by item, the cells that set it apart (cells equal for every item are left out, and
    words all the items' cells share are said once); only the rows on what the question asks
    when it asks something of them ("which one is stateful")."""
    by_item: dict[str, dict[str, str]] = {}
    refers: dict[str, str | None] = {}
    dimensions: list[str] = []
    for row in detail:
        item = row["item_label"]
        by_item.setdefault(item, {})
        refers[item] = row.get("refers")
        if row.get("value"):
            dimension = row.get("dimension_label", "")
            by_item[item][dimension] = row["value"]
            if dimension not in dimensions:
                dimensions.append(dimension)
    items = [
        i for i in by_item if (refers.get(i) or "").rsplit("/", 1)[-1] in wanted_items or i in wanted_items
    ] or list(by_item)
    items = items[:3]
    if len(items) < 2 or sum(1 for i in items if by_item[i]) < 2:
        return None
    differing = [d for d in dimensions if len({by_item[i].get(d, "") for i in items}) > 1] or dimensions
    if all(is_rating(by_item[i].get(d, "")) for i in items for d in differing):
        return None  # ratings only ("+++" against "+++++"): the notes' prose says what they are for
    asked = [
        d for d in differing if terms and overlap(terms, f"{d} {' '.join(by_item[i].get(d, '') for i in items)}") > 0
    ]
    differing = asked[:2] or differing[:3]  # the first differences in full beat five cut short
    per_cell = max(28, (budget - 12 * len(items)) // max(1, len(differing) * len(items)))
    parts = []
    facts = []
    for item in items:
        cells = []
        for dimension in differing:
            values = [by_item[other].get(dimension, "") for other in items]
            cell = by_item[item].get(dimension, "—")
            if len(cell) > 2 * per_cell:
                cell = _strip_shared(cell, values)  # "Operates at the" said once is enough when far short of room
            cells.append(shorten(cell, per_cell))
            if dimension in by_item[item]:
                facts.append(
                    FactRow(
                        item,
                        dimension,
                        by_item[item][dimension],
                        source_row["source"],
                        source_row["line_start"],
                        source_row["line_end"],
                    )
                )
        parts.append(f"{item}: " + "; ".join(cells))
    return Composition(" | ".join(parts), facts, [], confidence=3.0)


def is_rating(value: str) -> bool:
    """A cell of marks only ("+++", "✓"), no word or figure.

    >>> is_rating("+++"), is_rating("Up to 16 TB")
    (True, False)
    """
    return not re.search(r"[A-Za-z0-9]", value)


def _strip_shared(value: str, values: Sequence[str]) -> str:
    """Drop the words every value opens with ("Operates at the instance level" → "instance level")."""
    split = [v.split() for v in values if v]
    shared = 0
    for group in zip(*split, strict=False):
        if len({w.lower() for w in group}) != 1:
            break
        shared += 1
    words = value.split()
    return " ".join(words[shared:]) if shared > 0 and len(words) - shared >= 3 else value


CONTRAST_RE = re.compile(
    r"\b(?:unlike|whereas|while|instead|differs?|difference|as\s+opposed\s+to|in\s+contrast|compared\s+to|than|vs\.?|"
    r"versus|(?:just\s+)?like\b[^.;]{1,80}\bbut|similar\s+to\b[^.;]{1,80}\bbut)\b",
    re.IGNORECASE,
)


KEY_CONTRAST_RE = re.compile(r"\b(?:the\s+(?:main\s+|key\s+)?difference\s+is|differs?\s+from|whereas|unlike)\b", re.I)


def flat(text: str) -> str:
    """Lowercase with ``/``, ``-``, ``_`` and brackets as spaces: "Import/Export Disk" names "import
    export disk", "General Purpose (SSD)" names "general purpose ssd".

    >>> flat("General Purpose (SSD): gp2")
    'general purpose ssd : gp2'
    """
    return re.sub(r"\s{2,}", " ", re.sub(r"[/_()\[\]-]+", " ", text.lower()))


def _names(passage: Passage, name: str, entity: str | None, items: Sequence[tuple[str, str | None]]) -> bool:
    """Whether a passage names an item: its entity, its full name, or a word of its name that the
    other items' names do not share ("push" of "push subscriptions" vs "pull")."""
    low = flat(passage.text)
    if flat(name) in low or (entity and entity in passage.entities):
        return True
    if passage.parent is not None and flat(name) in flat(passage.context.split(" > ")[-1]):
        return True  # a sub-bullet speaks of what its bullet names ("Dedicated Host" > "This differs from ...")
    if entity:
        return False
    others = set(tokenize(" ".join(n for n, _ in items if n != name)))
    own = [t for t in tokenize(name) if t not in others and len(t) >= 3]
    return bool(own) and own[0] in set(tokenize(passage.text))


def compose_contrast(
    hits: list[Hit],
    items: Sequence[tuple[str, str | None]],
    budget: int = 300,
    children: dict[int, list[int]] | None = None,
    passages: Sequence[Passage] = (),
) -> Composition | None:
    """A retrieved passage that itself contrasts all the items ("X vs Y: X ..., whereas Y ..."), or
    one that announces the contrast ("X vs Y:") with its sub-bullets."""
    names = [name.lower() for name, _ in items]
    found: list[Composition] = []
    for hit in hits[:8]:
        passage = hit.passage
        low = passage.text.lower()
        named = all(_names(passage, name, entity, items) for name, entity in items)
        kids = (children or {}).get(passage.id, [])
        if named and kids and passages and passage.text.rstrip().endswith(":"):
            body = "; ".join(passages[k].text for k in kids[:6])
            text = f"{passage.text.rstrip()} {body}"
            return Composition(shorten(text, budget + 60), [], [passage.id, *kids[:3]], confidence=hit.similarity)
        if (named and CONTRAST_RE.search(passage.text)) or (named and re.search(r"\bvs\.?\b|\bversus\b", low)):
            split = CLAUSE_SPLIT_RE.split(" ".join(passage.text.split()))
            keep = {i for i, x in enumerate(split) if CONTRAST_RE.search(x) or any(flat(n) in flat(x) for n in names)}
            # "This is an important difference ...": "this" is the sentence before.
            refers = {i - 1 for i in keep if i > 0 and re.match(r"(?:this|that|these|it)\b", split[i], re.I)}
            keep |= refers

            # The sentence that states the difference goes first ("The difference is that ..."),
            # with what its "This differs ..." refers to.
            stating = {i for i in keep if KEY_CONTRAST_RE.search(split[i])}
            stating |= {i for i in refers if i + 1 in stating}
            order = sorted(keep, key=lambda i: (i not in stating, i))
            text = " ".join(split[i] for i in order) or passage.text
            found.append(Composition(shorten(text, budget + 60), [], [passage.id], confidence=hit.similarity))
    # one that says how they differ ("... just like a NAT instance, but it is simpler to manage")
    # before a bare verdict ("use a NAT gateway instead of a NAT instance")
    described = [c for c in found if {m.lower() for m in CONTRAST_RE.findall(c.text)} != {"instead"}]
    return next(iter(described), found[0] if found else None)


def compose_comparison_passages(
    hits: list[Hit],
    items: Sequence[tuple[str, str | None]],
    terms: set[str],
    children: dict[int, list[int]],
    passages: Sequence[Passage],
    budget: int = 300,
    known: dict[str, str] | None = None,
    in_service: Callable[[Passage], bool] | None = None,
    contrast: Composition | None = None,
    question: str = "",
    looked_up: dict[str, list[Hit]] | None = None,
) -> Composition | None:
    """A passage that contrasts the items itself, else for each item the passage that describes it
    (preferring the one that names it and its sub-bullets, and bullets parallel to the other
    item's), among the question's hits and those ``looked_up`` by the item's name."""
    names = [name.lower() for name, _ in items]
    known = known or {}

    def names_item(passage: Passage, name: str, entity: str | None) -> bool:
        return _names(passage, name, entity, items)

    # (the engine passes the contrast it found among more passages than ``hits``)
    in_place = [hit for hit in hits if in_service is None or in_service(hit.passage)]  # the service named
    contrast = contrast or compose_contrast(in_place, items, budget, children, passages)
    # a long contrast says the difference; each item's own description may still follow it
    # ("Multi-AZ deployments are for disaster recovery only; ... use read replicas" — then what
    # each one is), if taken from other passages than the contrast's
    whole = contrast if contrast is not None and len(contrast.text) >= budget // 2 else None
    if contrast is not None:
        # one short contrast ("Unlike Memcached, Redis can persist ...") says little of the other
        # item: each item's own description follows it
        budget = budget - len(contrast.text) - 3
    parts: list[str] = []
    leads = []
    units: dict[str, dict[str, int]] = {}
    used: set[int] = set(contrast.lead_passages) if contrast is not None else set()
    anchor: Passage | None = None
    per_item = max(90, budget // max(1, len(items)) - 12)
    for name, entity in items:
        asked = terms - set(tokenize(" ".join(names)))
        repeated = contrast is not None and " ".join(known.get(name, "").split()).lower() in contrast.text.lower()
        if name in known and (not asked or overlap(asked, known[name]) > 0) and not repeated:
            # (a prose contrast of the item, unless the question asks about something it leaves out)
            parts.append(f"{name}: {shorten(known[name], per_item)}")
            continue
        others = [n for n in names if n != name.lower()]
        best = None
        best_score = float("-inf")
        candidates = list(hits[:16])
        shown = {hit.passage.id for hit in candidates}
        candidates += [hit for hit in (looked_up or {}).get(name, []) if hit.passage.id not in shown]
        for rank, hit in enumerate(candidates):
            passage = hit.passage
            text = flat(passage.text)
            named_in_text = names_item(passage, name, entity)
            named = named_in_text or flat(name) in flat(passage.context) or (entity and entity in passage.topics)
            if not named:
                continue
            # (the items' own names say nothing of which passage describes one of them)
            score = hit.similarity + overlap(asked, passage.text) - 0.03 * rank
            if in_service is not None and not in_service(passage):
                score -= 1.0  # another service's "Multi-AZ" than the one the question names (or that holds both)
            if passage.section and flat(name) in flat(passage.section.split(" > ")[-1]):
                score += 0.4  # under its own heading ("Internet-Facing Load Balancers"), the first bullet most
                opening = passage.id == 0 or passages[passage.id - 1].section != passage.section
                if opening and passage.parent is None and not any(o in text for o in others):
                    score += 0.5
            if named_in_text and 0 <= text.find(flat(name)) < 30:
                score += 0.3
                if children.get(passage.id):
                    score += 0.3
            if any(o in text for o in others) and not CONTRAST_RE.search(passage.text):
                score -= 0.4
            if anchor is not None and passage.parent == anchor.parent and passage.section == anchor.section:
                score += 0.4  # parallel to the other item's bullet
            if passage.id in used:
                score -= 0.6
            if passage.kind.startswith("table"):
                score -= 0.5  # a flattened table row names every item; a bullet describes one
            if score > best_score:
                best, best_score = hit, score
        if best is None:
            continue
        passage = best.passage
        anchor = anchor or passage
        used.add(passage.id)
        leads.append(passage.id)
        units[name] = _item_units(name, passage, children, passages, hits, items)
        parts.append(name)  # composed below, once every item's units are known
    if contrast is not None:  # what the contrast already said is not said again
        said = " ".join(contrast.text.split()).lower()
        units = {
            name: {u: p for u, p in us.items() if " ".join(u.split()).lower().rstrip(".") not in said}
            for name, us in units.items()
        }
    terms_asked = terms - set(tokenize(" ".join(names)))
    quoted: list[list[int]] = []
    for i, part in enumerate(parts):
        if part in known.values() or ": " in part:
            continue
        summary, sources = _item_summary(part, units, terms_asked, per_item, bool(PURPOSE_RE.search(question)))
        parts[i] = f"{part}: {summary}"
        quoted.append(sources)
    # cite the lines each item's summary quotes, the items' first ones first
    firsts = (p for group in itertools.zip_longest(*quoted) for p in group if p is not None)
    leads = list(dict.fromkeys([*firsts, *leads]))
    if contrast is not None:
        if len(parts) < 2:
            return contrast
        if whole is not None and (
            set(leads) & set(contrast.lead_passages) or any(len(p.split(": ", 1)[-1]) < 12 for p in parts)
        ):
            return whole
        return Composition(
            f"{contrast.text} — {' | '.join(parts)}", [], [*contrast.lead_passages, *leads], confidence=0.6
        )
    if len(parts) < 2:
        return None
    return Composition(" | ".join(parts), [], leads, confidence=0.6)


SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(])")


def _item_units(
    name: str,
    passage: Passage,
    children: dict[int, list[int]],
    passages: Sequence[Passage],
    hits: list[Hit],
    items: Sequence[tuple[str, str | None]],
) -> dict[str, int]:
    """What the notes say of one item, sentence by sentence, each with the passage it is from: the
    passage that describes it, its sub-bullets, and the retrieved bullets of its section that name it
    (and no other item)."""
    others = [n.lower() for n, _ in items if n != name]
    units = [
        (u, passage.id)
        for u in SENTENCE_SPLIT_RE.split(" ".join(passage.text.split()))
        # (not a sentence about another item alone: "Manual snapshots, however, are not deleted.")
        if u and (name.lower() in u.lower() or not any(o in u.lower() for o in others))
    ]
    for kid in children.get(passage.id, [])[:8]:
        # sentence by sentence ("... called a read replica. Updates are asynchronously copied ...")
        units += [(u, kid) for u in SENTENCE_SPLIT_RE.split(" ".join(passages[kid].text.split())) if u]
        # "Features:" and the features, "SSE-KMS offers additional benefits" and the benefits
        units += [(passages[k].text, k) for k in children.get(kid, [])[:8]]
    # the bullets of its section (retrieved or not) speak of it too: "Updates made to the source
    # DB Instance are asynchronously copied to the read replica"
    section = [
        Hit(passages[i], 0.0, 0.0)
        for i in range(max(0, passage.id - 20), min(len(passages), passage.id + 20))
        if passages[i].section == passage.section and passages[i].source == passage.source
    ]
    singular_name = re.sub(r"s$", "", flat(name))
    for hit in [*hits[:16], *section]:
        near = hit.passage
        if near.id == passage.id or near.parent == passage.id:
            continue
        low = flat(near.text)
        if near.section == passage.section and singular_name in low:
            # its sentences that name this item and no other (of a bullet on both items too: "Manual
            # snapshots, however, are not deleted.")
            sentences = SENTENCE_SPLIT_RE.split(" ".join(near.text.split()))
            units += [
                (u, near.id) for u in sentences if singular_name in flat(u) and not any(o in flat(u) for o in others)
            ]
        elif USE_CASE_RE.search(near.context) and flat(name) in flat(near.text) and not any(o in low for o in others):
            units.append((f"use case: {near.text.strip()}", near.id))  # "Massive Data Ingestion: Kinesis Firehose"
    found: dict[str, int] = {}
    for unit, passage_id in units:
        found.setdefault(unit.strip(), passage_id)
    found.pop("", None)
    return found


USE_CASE_RE = re.compile(r"\buse\s+cases?\b|\bwhen\s+to\s+use\b", re.I)
PURPOSE_RE = re.compile(
    r"\b(?:for\s*\??$|used\s+for|use\s+case|when\s+(?:to|should|do)\b|what\s+(?:is|are)\s+\w+\s+for)", re.I
)


def _item_summary(
    name: str, units: dict[str, dict[str, int]], terms: set[str], budget: int, purpose: bool = False
) -> tuple[str, list[int]]:
    """The sentences of one item that tell it apart: those with the question's own words, and
    those with a counterpart in another item's (same words, some different: "can create it at
    any time" against "can only create it when you create a table"), in the notes' order; with
    the passages they are from, the best first."""
    own = list(units.get(name, {}))
    name_words = set(tokenize(" ".join(units)))
    others = [set(tokenize(u)) - name_words for other, us in units.items() if other != name for u in us]

    def compact(unit: str) -> str:
        if re.match(re.escape(name) + r"\s*(?:[:–-]|$)", unit, re.I):
            unit = unit[len(name) :].lstrip(" :-–")  # "Global Secondary Index:" says only its name
        # "Real-Time Processing of Massive Data Streams: Kinesis Streams": the name after the colon
        unit = re.sub(r"\s*[:–-]\s*(?:amazon\s+|aws\s+|azure\s+)?" + re.escape(name) + r"\s*\.?$", "", unit, flags=re.I)
        # (not inside a longer proper name: "Azure Backup" stays; a name written otherwise than
        # asked, "Gateway-Cached", stays as the notes write it)
        pattern = re.compile(r"\b(?:an?\s+|the\s+)?" + re.escape(name) + r"\b", re.I)

        def it(found: re.Match[str]) -> str:
            before = unit[: found.start()].split()
            after = unit[found.end() :].split()
            proper = (before and before[-1][:1].isupper() and not found.group(0)[:1].islower()) or (
                after and after[0][:1].isupper()
            )
            # "a Gateway-Cached volume": the name said of a noun after it
            modifier = (
                bool(re.match(r"(?:an?|the)\s", found.group(0), re.I))
                and bool(after)
                and after[0].isalpha()
                and after[0].lower() not in LINKING_WORDS
            )
            # the subject stays; so does a name that ends its clause ("… designated as read
            # replicas", not "… as it") and a plural one ("it" would not agree)
            ends = not after or bool(re.match(r"[.;:,)]", unit[found.end() :].lstrip()[:1] or "."))
            plural = bool(re.search(r"[^s]s$", name, re.I))
            keep = proper or modifier or found.start() == 0 or ends or plural
            return found.group(0) if keep else "it"

        return pattern.sub(it, unit).strip()

    everything_else = set().union(*others) if others else set()
    said_by_others = {
        w for other, us in units.items() if other != name for u in us for w in tokenize(u, keep_stopwords=True)
    }

    def opposed(unit: str) -> str:
        """The word of ``unit`` whose opposite the other items say (and not it)."""
        own_words = set(tokenize(unit, keep_stopwords=True))
        for word in re.findall(r"[A-Za-z]+", unit):
            token = next(iter(tokenize(word, keep_stopwords=True)), "")
            opposite = OPPOSITE_TOKENS.get(token)
            # (not "within a region or across regions": a sentence saying both contrasts nothing)
            if (
                len(token) > 3
                and opposite in said_by_others
                and token not in said_by_others
                and opposite not in own_words
            ):
                return word
        return ""

    def score(position: int, unit: str) -> float:
        words = set(tokenize(unit)) - name_words
        value = 1.5 * overlap(terms, unit) - 0.05 * position
        # what only this item has ("provides audit of who used the key"); a sentence the other
        # item says almost word for word ("AWS handles the key management") tells nothing apart
        value += 0.1 * min(4, len(words - everything_else))
        if any(len(words - other) < 2 and len(words & other) >= 2 for other in others):
            value -= 0.5
        if unit.startswith("use case: "):
            value += 2.0 if purpose else -1.0  # "what is each one for" asks the use case
        if opposed(unit):
            value += 1.5  # "synchronous replication" here, "asynchronously copied" there
        shared = max((len(words & other) for other in others if words - other), default=0)
        if shared >= 2:
            value += 0.4 + 0.1 * min(4, shared)
        return value + (0.5 if position == 0 else 0.0)

    texts = [compact(u) for u in own]
    ranked = sorted((i for i, t in enumerate(texts) if t), key=lambda i: -score(i, own[i]))
    chosen: list[int] = []
    length = 0
    if ranked and len(texts[ranked[0]]) + 2 > budget and terms:
        # the best sentence is too long for the room: one that fits and says as much of what is
        # asked goes first ("Manual snapshots, however, are not deleted.")
        asked = overlap(terms, own[ranked[0]])
        fitting = [i for i in ranked if len(texts[i]) + 2 <= budget and asked > 0 and overlap(terms, own[i]) >= asked]
        if fitting:
            ranked = [fitting[0], *(i for i in ranked if i != fitting[0])]
    for i in ranked:
        if chosen and length + len(texts[i]) + 2 > budget:
            continue
        chosen.append(i)
        length += len(texts[i]) + 2
    quoted = list(dict.fromkeys(units[name][own[i]] for i in chosen))  # the best first
    if len(chosen) == 1 and (word := opposed(own[chosen[0]])):
        texts[chosen[0]] = around(texts[chosen[0]], word, budget)  # the contrast word stays in the room
    return shorten("; ".join(texts[i].rstrip(":") for i in sorted(chosen)), budget), quoted


# words that go on after a name without making it a modifier ("a global secondary index on a table")
LINKING_WORDS = frozenset(
    "on in at to for with when and or is are was were can could will that which if by from as of so".split()
)


def _first_word_of(name: str, text: str) -> str:
    """Where ``name`` (or its first word) appears in ``text``, to centre an excerpt on it."""
    low = text.lower()
    if name.lower() in low:
        start = low.find(name.lower())
        return text[start : start + len(name)]
    first = name.split()[0] if name.split() else name
    start = low.find(first.lower())
    return text[start : start + len(first)] if start >= 0 else ""


def decimal_or_none(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None
