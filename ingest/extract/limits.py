"""Limits: numeric maxima, minima, defaults, ranges, rates and percentages, with their subject.

The value comes from ``quantities.find_quantities``; the attribute from the words around it
("Max *object size* = 5TB", "100 *buckets per account*", "99.99% *availability*"); the subject is
the most specific entity the sentence names, else the counted thing, else the thing the bullet
ancestry or the headings name ("Max 1024 bytes" under "Object Key" is about the S3 object key).
"""

from __future__ import annotations

import re
from decimal import Decimal

from spacy.tokens import Doc

from ingest.extract.entities import (
    GENERIC_HEADS,
    BlockContext,
    EntityIndex,
    _clean_phrase,
    _is_thing_phrase,
    own_label,
    phrase_candidates,
)
from ingest.extract.syntax import holder_phrase, measured_noun, only_modifies, token_at, verb_subject_phrase
from ingest.facts import LimitFact, Mention, Provenance
from ingest.quantities import Quantity, find_quantities
from ontology.catalog import normalize

CUE_WORDS = re.compile(
    r"^(?:the\s+)?(?:max(?:imum)?|min(?:imum)?|default|upper|lower|limit(?:ed)?|up\s+to|at\s+most|at\s+least)\b\.?\s*",
    re.IGNORECASE,
)
MEASURE_WORDS = frozenset(
    """size sizes length lengths name names number count limit limits duration period time timeout
    retention lifetime value storage capacity throughput rate total amount""".split()
)
ATTRIBUTE_LEFT_RE = re.compile(
    r"(?<![\w’'])(?P<attr>[A-Za-z][\w /'’()-]{1,60}?)\s*(?:=|:)\s*(?:max(?:imum)?\s*|min(?:imum)?\s*)?$"
)
# "has one week to accept or reject the request before it expires": the time allowed for an action.
TIME_TO_RE = re.compile(
    r"^\s+to\s+(?P<action>[a-z]+(?:\s+(?!(?:before|after|when|if|while|until|unless|because|or\s+else)\b)[\w’'-]+){0,7})",
    re.IGNORECASE,
)
ALLOWED_TIME_RE = re.compile(
    r"\b(?:has|have|had|having|gets?|got|given|allow(?:s|ed)?|takes?|took|needs?)\s+(?:only\s+|up\s+to\s+|about\s+)?$",
    re.IGNORECASE,
)
PER_RE = re.compile(r"^[^.;,]{0,40}?\b(?P<per>per\s+(?:\w+\s){0,2}?\w+)", re.IGNORECASE)
AFTER_NOUN_RE = re.compile(r"^[’'s]*\s*(?:of\s+)?(?P<np>(?:[A-Za-z][\w-]*\s?){1,4})")
STOP_AFTER = frozenset(
    """is are was were be can could will would should must may might has have had to for in on at by with
    and or but that which who when where if than then as from of the a an it this these those per after
    before each every you your we our they their its so also only""".split()
)
UNIT_ATTRIBUTES = {
    "bytes": "size",
    "seconds": "duration",
    "count": "count",
    "percent": "percentage",
    "IOPS": "IOPS",
    "bytes/s": "throughput",
    "bits/s": "bandwidth",
    "characters": "length",
    "digits": "precision",
}


def limits_for_text(
    text: str,
    context: BlockContext,
    mentions: list[Mention],
    index: EntityIndex,
    prov: Provenance,
    *,
    subject_hint: str | None = None,
    attribute_hint: str | None = None,
    doc: Doc | None = None,
) -> list[LimitFact]:
    """Every limit stated in ``text`` (a block, or a table cell with its item and dimension hints)."""
    facts: list[LimitFact] = []
    for quantity in find_quantities(text):
        if quantity.unit == "count" and not quantity.cue and not _counts_things(quantity, doc):
            continue
        attribute = (
            attribute_hint
            or _attribute(text, quantity, doc)
            or _lead_attribute(context)
            or UNIT_ATTRIBUTES.get(quantity.base_unit, "value")
        )
        if subject_hint:
            subject_id, subject_text = subject_hint, index.label_of(subject_hint)
        else:
            found = _subject(text, quantity, attribute, mentions, context, index, prov, doc)
            if found is None:
                continue
            subject_id, subject_text = found
        facts.append(
            LimitFact(
                entity_id=subject_id,
                attribute=attribute,
                kind=quantity.kind,
                value=quantity.value,
                unit=quantity.unit,
                base_unit=quantity.base_unit,
                normalized=quantity.normalized,
                value_max=quantity.value_max,
                normalized_max=quantity.normalized_max,
                text=text,
                value_text=quantity.text,
                subject_text=subject_text,
                prov=prov,
            )
        )
    return _dedupe(facts)


BARE_COUNT_RE = re.compile(
    r"^\s*(?:(?P<max>up\s+to|max(?:imum)?|at\s+most|no\s+more\s+than)|(?P<min>min(?:imum)?|at\s+least))?\s*"
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?=\s+per\b|\s*[(,;]|\s*$)",
    re.IGNORECASE,
)
COUNT_DIMENSION_RE = re.compile(r"\b(?:count|number|max(?:imum)?|min(?:imum)?|limit|quota|how\s+many)\b|#", re.I)


def bare_count(cell: str, dimension: str, subject_id: str, subject_text: str, prov: Provenance) -> LimitFact | None:
    """A table cell that is a bare number counts its item ("up to 15 per source instance" in the
    "Count" row of "Read replicas"): only with a cue word or under a dimension that counts.

    >>> fact = bare_count("up to 15 per source instance", "Count", "read-replica", "Read replicas", None)
    >>> fact.kind, fact.value, fact.value_text
    ('max', Decimal('15'), 'up to 15')
    >>> bare_count("443", "Port", "https", "HTTPS", None) is None
    True
    >>> fact = bare_count("400,000", "Max IOPS", "ultra-disk", "Ultra Disk", None)
    >>> fact.kind, fact.unit, fact.normalized
    ('max', 'IOPS', Decimal('400000'))
    """
    match = BARE_COUNT_RE.match(cell)
    if match is None or not (match.group("max") or match.group("min") or COUNT_DIMENSION_RE.search(dimension)):
        return None
    value = Decimal(match.group("number").replace(",", ""))
    kind = "max" if match.group("max") else "min" if match.group("min") else "exact"
    if kind == "exact" and re.match(r"\s*(max|min)", dimension, re.I):
        kind = dimension.strip()[:3].lower()  # "Max IOPS" | 400,000
    unit, base_unit, normalized = "count", "count", value
    for word in re.findall(r"[\w/]+", dimension):
        # a unit named in the header ("Max IOPS", "Size (GiB)") is the cell's unit
        found = find_quantities(f"{match.group('number')} {word}")
        if found and found[0].unit != "count":
            unit, base_unit, normalized = found[0].unit, found[0].base_unit, found[0].normalized
            break
    return LimitFact(
        entity_id=subject_id,
        attribute=dimension.lower(),
        kind=kind,
        value=value,
        unit=unit,
        base_unit=base_unit,
        normalized=normalized,
        text=cell,
        value_text=match.group(0).strip(),
        subject_text=subject_text,
        prov=prov,
    )


def _counts_things(quantity: Quantity, doc: Doc | None) -> bool:
    """A count stated without a cue word ("in 2 facilities", "maintains two connections") must count a
    noun; a number word only after a verb of having (see ``_possessed``)."""
    if not quantity.text[:1].isdigit():
        if doc is None or not quantity.noun:
            return False
        if not _possessed(quantity, doc):
            return False
    if doc is None or not quantity.noun:
        return True
    span = doc.char_span(quantity.end - len(quantity.noun.split()[-1]), quantity.end, alignment_mode="expand")
    return span is not None and span.root.pos_ in {"NOUN", "PROPN"}


HOLDING_VERBS = frozenset(
    "have maintain contain consist comprise include support require need keep span provide replicate store".split()
)


def _possessed(quantity: Quantity, doc: Doc) -> bool:
    """A number word counts what a thing has ("maintains two connections", "consists of two tunnels"),
    not things named in passing ("synchronize two tables", "for two items to have")."""
    token = next((t for t in doc if t.idx >= quantity.start), None)
    if token is None or token.i == 0:
        return False
    previous = doc[token.i - 1]
    if previous.lower_ == "of" and previous.i > 0:
        previous = doc[previous.i - 1]
    return previous.pos_ in {"VERB", "AUX"} and previous.lemma_.lower() in HOLDING_VERBS


def _dedupe(facts: list[LimitFact]) -> list[LimitFact]:
    seen: set[tuple[str, str, str, str]] = set()
    kept = []
    for fact in facts:
        key = (fact.entity_id, fact.kind, str(fact.normalized), fact.value_text)
        if key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept


LEAD_RE = re.compile(r"^(?P<attr>[A-Za-z][\w/ -]{0,40}?)\s*:\s*$")


def _lead_attribute(context: BlockContext) -> str:
    """The attribute a list item's figure has when its own words name none: the label its parent
    item announces ("SLA:" > "99.99% when ...")."""
    if not context.ancestry:
        return ""
    lead = LEAD_RE.match(context.ancestry[-1].text.strip())
    return _tidy(lead.group("attr")) if lead and len(lead.group("attr").split()) <= 4 else ""


def _attribute(text: str, quantity: Quantity, doc: Doc | None = None) -> str:
    """What the number measures, in the notes' words."""
    before = text[: quantity.start]
    clause = re.split(r"[.;!?]\s|\(\s*$", before)[-1]
    bracketed = _bracketed_attribute(clause)
    if bracketed is not None:
        return bracketed
    left = ATTRIBUTE_LEFT_RE.search(clause)
    if left:
        attribute = CUE_WORDS.sub("", left.group("attr").strip())
        attribute = re.sub(r"\s*\([^)]*$", "", attribute).strip(" -–")
        if attribute and len(attribute.split()) <= 8:
            return _tidy(attribute)
    after = text[quantity.end :]
    purpose = TIME_TO_RE.match(after)
    if purpose and quantity.base_unit == "seconds" and ALLOWED_TIME_RE.search(before):
        return _tidy(f"time to {purpose.group('action')}")
    if quantity.noun:
        per = PER_RE.match(after)
        noun = quantity.noun
        return _tidy(f"{noun} {per.group('per')}" if per else noun)
    phrase = _nouns_only(_noun_after(after), quantity.end + max(after.find(_noun_after(after)), 0), doc)
    if phrase:
        per = PER_RE.match(after)
        return _tidy(f"{phrase} {per.group('per')}" if per and "per" not in phrase else phrase)
    measured = ""
    if doc is not None:
        measured = measured_noun(doc, quantity.start)
        if not measured and quantity.kind != "rate":  # a frequency is an adjunct, not a verb's object
            measured = verb_subject_phrase(doc, quantity.start)
    if measured and len(measured.split()) <= 8:
        return _tidy(measured)
    chunk = _noun_before(clause)
    return _tidy(chunk) if chunk else ""


def _bracketed_attribute(clause: str) -> str | None:
    """A figure inside brackets ("the DelaySeconds attribute (default value = 0)") measures what the
    brackets say, or, when they only say "value", the thing named right before them."""
    opening = clause.rfind("(")
    if opening < 0 or clause.rfind(")") > opening:
        return None
    left = ATTRIBUTE_LEFT_RE.search(clause[opening + 1 :])
    if not left:
        return None
    inside = _tidy(CUE_WORDS.sub("", left.group("attr").strip()))
    if inside and not all(w.lower() in {"value", "values", "setting"} for w in inside.split()):
        return inside
    words = re.findall(r"[A-Za-z][\w’'-]*", clause[:opening])
    named: list[str] = []
    for word in reversed(words[-3:]):
        if word.lower() in STOP_AFTER or re.search(r"[’']s$", word):
            break
        named.insert(0, word)
    return _tidy(" ".join(named)) if named else inside or None


def _nouns_only(phrase: str, start: int, doc: Doc | None) -> str:
    """``phrase`` (written at ``start``) without trailing words the parse says are not nouns
    ("3 hours later" → "", "a two-minute warning prior to" → "warning")."""
    words = phrase.split()
    while words and doc is not None:
        last = token_at(doc, start + len(" ".join(words)) - 1)
        if last is None or last.pos_ not in {"ADV", "VERB", "AUX", "ADP", "SCONJ", "PRON", "PART"}:
            break
        words.pop()
    return " ".join(words)


def _noun_after(after: str) -> str:
    """The noun phrase right after a value: "99.99% availability", "40 TB of data per archive"."""
    match = AFTER_NOUN_RE.match(after)
    if not match:
        return ""
    words = []
    for word in match.group("np").split():
        if word.lower() in STOP_AFTER:
            break
        words.append(word)
    phrase = CUE_WORDS.sub("", " ".join(words)).strip()
    return phrase if phrase and len(phrase) > 2 else ""


def _noun_before(clause: str) -> str:
    """The last noun-like phrase before the cue words of a clause ("The maximum timeout value")."""
    clause = re.split(r"\b(?:can|could|is|are|was|were|must|should|will|of|up to|between|from|to|has|have)\b", clause)[
        0
    ]
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", clause) if w.lower() not in STOP_AFTER]
    words = [w for w in words if not CUE_WORDS.match(w + " ")]
    return " ".join(words[-3:])


def _tidy(attribute: str) -> str:
    """Collapse spaces, trim punctuation, lowercase a capitalised first word ("Bucket name")."""
    attribute = re.sub(r"\s+", " ", attribute).strip(" .,:;’'")
    first = attribute.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower():
        attribute = first.lower() + attribute[len(first) :]
    return attribute


def _head(phrase: str) -> str:
    """The thing an attribute is about: "object size" → "object", "Bucket name" → "Bucket"."""
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", phrase) if w.lower() not in STOP_AFTER]
    while len(words) > 1 and words[-1].lower() in MEASURE_WORDS:
        words.pop()
    if words and words[-1].lower() in MEASURE_WORDS:
        return ""
    per = [i for i, w in enumerate(words) if w.lower() == "per"]
    if per:
        words = words[: per[0]]
    return " ".join(words[-3:])


def _singular(word: str) -> str:
    low = word.lower()
    if low.endswith("ies"):
        return low[:-3] + "y"
    if low.endswith("s") and not low.endswith("ss"):
        return low[:-1]
    return low


def _subject(
    text: str,
    quantity: Quantity,
    attribute: str,
    mentions: list[Mention],
    context: BlockContext,
    index: EntityIndex,
    prov: Provenance,
    doc: Doc | None = None,
) -> tuple[str, str] | None:
    service = context.service_id
    clause_start = max(text.rfind(". ", 0, quantity.start), text.rfind("; ", 0, quantity.start))
    clause_start = clause_start + 2 if clause_start >= 0 else 0
    head = _head(attribute)
    triggered = _triggered(text, quantity, mentions)
    if triggered is not None:
        return triggered
    holder = _holder(quantity, mentions, context, index, prov, doc)
    if holder is not None:
        return holder
    # The ancestry names the thing when the attribute's head repeats it ("volume size" under
    # "Gateway-Cached Volumes").
    before = [m for m in mentions if clause_start <= m.start and m.end <= quantity.start]
    if doc is not None:
        # "a list of item modifications": "item" only says what kind of modifications.
        before = [m for m in before if not only_modifies(doc, m.start, m.end, MEASURE_WORDS)]
    if context.ancestor_entity and head:
        head_word = _singular(head.split()[-1])
        label_words = {_singular(w) for w in index.label_of(context.ancestor_entity).lower().split()}
        named = [m for m in before if head_word in {_singular(w) for w in m.text.lower().split()}]
        if named:  # the sentence names the thing itself ("A persistent disk can be up to 64 TB")
            return named[-1].entity_id, named[-1].text
        if head_word in label_words:
            return context.ancestor_entity, head
    if before:
        best = max(before, key=lambda m: (m.end, index.kind_of(m.entity_id) == "component"))
        if head and index.kind_of(best.entity_id) == "service":
            # "SQS supports up to 12 hours' maximum visibility timeout": the timeout is the subject.
            part = index.lookup_in_context(attribute, best.entity_id) or index.lookup_in_context(head, best.entity_id)
            if part and part != best.entity_id and index.service_of(part) == best.entity_id:
                return part, head
        return best.entity_id, best.text
    # A bullet that names itself ("String: ... up to 400KB", "BatchWriteItem - up to 25 ...").
    label = own_label(text)
    if label and text.find(label) < quantity.start:
        found = index.component(service, label, prov)
        if found:
            return found, label
    if quantity.noun:
        found = index.lookup_in_context(quantity.noun, service)
        if found:
            return found, quantity.noun
    # The item the bullet is nested under names what the figure is about ("Multipart Upload" >
    # "Object size > 5 GB - you must use multipart upload"), before the words of the attribute.
    # A parent that is only a label ("SLA:") named the attribute, not a thing: the heading names it.
    labels_attribute = bool(attribute) and attribute == _lead_attribute(context)
    nested = None if labels_attribute else _from_ancestry(context, index, prov, service, parent_only=True)
    if nested is not None:
        return nested
    if head and len(head.split()) <= 3:
        found = index.lookup_in_context(head, service)
        if found:
            return found, head
    # A component named right after the figure, in the same clause ("the first 4 addresses and
    # the last IP address of every subnet").
    after = [
        m
        for m in mentions
        if quantity.end <= m.start <= quantity.end + 50
        and "," not in text[quantity.end : m.start]
        and index.kind_of(m.entity_id) == "component"
    ]
    if after:
        return after[0].entity_id, after[0].text
    nested = None if labels_attribute else _from_ancestry(context, index, prov, service, parent_only=False)
    if nested is not None:
        return nested
    for entity in (context.section_entity, service):
        if entity:
            return entity, surface_in(entity, context.context_texts(), index)
    return None


THRESHOLD_RE = re.compile(
    r"(?:>=?|≥|\b(?:over|above|more\s+than|greater\s+than|larger\s+than|bigger\s+than|exceeds?|exceeding))\s*$",
    re.IGNORECASE,
)
CONSEQUENCE_RE = re.compile(r"^\s*(?:[-–—,:]|then\b|=>|→)")


def _triggered(text: str, quantity: Quantity, mentions: list[Mention]) -> tuple[str, str] | None:
    """A threshold is about what it triggers: "Object size > 5 GB - you must use multipart upload"
    sets a minimum for multipart upload, not for objects."""
    if not THRESHOLD_RE.search(text[: quantity.start]) or not CONSEQUENCE_RE.match(text[quantity.end :]):
        return None
    sentence_end = re.search(r"[.;!?](?:\s|$)", text[quantity.end :])
    end = quantity.end + sentence_end.start() if sentence_end else len(text)
    after = [m for m in mentions if quantity.end <= m.start and m.end <= end]
    return (after[0].entity_id, after[0].text) if after else None


def _holder(
    quantity: Quantity,
    mentions: list[Mention],
    context: BlockContext,
    index: EntityIndex,
    prov: Provenance,
    doc: Doc | None,
) -> tuple[str, str] | None:
    """What holds a count, when the sentence says so with a verb of having ("A cluster can hold up
    to 5,000 nodes", "The primary key is made of 2 attributes")."""
    if doc is None or quantity.unit != "count" or not quantity.noun:
        return None
    if quantity.value == 1 and quantity.cue:  # a rule of one ("only one DHCP option set") is about the thing
        return None
    phrase = holder_phrase(doc, quantity.start, quantity.end)
    if not phrase:
        return None
    start = doc.text.rfind(phrase, 0, quantity.start)
    named = [m for m in mentions if start >= 0 and start <= m.start and m.end <= start + len(phrase)]
    if named:
        return named[-1].entity_id, named[-1].text
    service = context.service_id
    found = index.lookup_in_context(phrase, service)
    if found is None and _is_thing_phrase(phrase) and " and " not in phrase:
        found = index.component(service, phrase, prov)
    if found is None or (service and index.service_of(found) != service):
        return None
    return found, phrase


def _from_ancestry(
    context: BlockContext, index: EntityIndex, prov: Provenance, service: str | None, *, parent_only: bool
) -> tuple[str, str] | None:
    """The entity (or a thing phrase, made a component) that the bullet ancestry or, failing that,
    the paragraph introducing the list or the nearest heading names. With ``parent_only``, only the
    direct parent bullet counts."""
    ancestry = context.ancestry[-1:] if parent_only else list(reversed(context.ancestry))
    for ancestor in ancestry:
        for text in _naming_texts(ancestor.text):
            for candidate in phrase_candidates(text):
                found = index.lookup_in_context(candidate, context.service_id)
                if found:
                    return found, _clean_phrase(text)
            phrase = _clean_phrase(text)
            if phrase.lower() not in GENERIC_HEADS and _is_thing_phrase(phrase) and " and " not in phrase:
                made = index.component(service, phrase, prov)
                if made:
                    return made, phrase
    if parent_only:
        return None
    if context.lead_entity and context.lead:  # "Azure Monitor collects ..." introducing the list
        return context.lead_entity, surface_in(context.lead_entity, [context.lead.text], index)
    if context.section_titles and not context.section_entity_is_own_heading:
        phrase = _clean_phrase(context.section_titles[-1])
        if phrase.lower() not in GENERIC_HEADS and _is_thing_phrase(phrase) and " and " not in phrase:
            made = index.component(service, phrase, prov)
            if made:
                return made, phrase
    return None


# "To create a VPC, choose CIDR block": the purpose clause names the goal, the main clause the thing.
PURPOSE_RE = re.compile(r"^(?:[Ii]n order )?[Tt]o [a-z][^,;:]{0,60},\s+(?:[a-z]+\s+){0,4}?(?P<rest>[A-Z][^,;:]*)$")


def _naming_texts(text: str) -> list[str]:
    """A bullet's text and, after a leading purpose clause, the thing its main clause names."""
    purpose = PURPOSE_RE.match(text.strip())
    return [text, purpose.group("rest")] if purpose else [text]


def surface_in(entity_id: str, texts: list[str], index: EntityIndex) -> str:
    """The name of ``entity_id`` as one of ``texts`` writes it (its label when none does)."""
    for text in reversed(texts):
        for mention in index.find_text(text):
            if mention.entity_id == entity_id:
                return mention.text
    return index.label_of(entity_id)


def evidence_ok(fact: LimitFact, context_texts: list[str]) -> bool:
    """The value text must be in the fact's lines, and the subject text in them or their context."""
    if fact.value_text not in fact.text:
        return False
    haystack = normalize(" ".join([fact.text, *context_texts]))
    words = [_singular(w) for w in normalize(fact.subject_text).split()]
    hay_words = {_singular(w) for w in haystack.split()}
    return bool(words) and all(w in hay_words for w in words)


def limits_component(doc: Doc, index: EntityIndex) -> list[LimitFact]:
    """Limits of one block's ``Doc`` (its context in ``doc._.block_context``)."""
    context: BlockContext = doc._.block_context
    if context.block.kind == "keyvalue":
        return _keyvalue_limits(context, index)
    if context.block.kind in {"code", "table", "heading", "navigation", "comment", "frontmatter"}:
        return []
    facts = limits_for_text(doc.text, context, doc._.mentions, index, context.prov(), doc=doc)
    return [f for f in facts if evidence_ok(f, context.context_texts())]


def _keyvalue_limits(context: BlockContext, index: EntityIndex) -> list[LimitFact]:
    """Limits of ``Key: value`` lines, each read on its own and cited by its line ("Timeout:
    default 3 seconds, max 900 seconds"); configuration values without a unit ("Minimum size: 1")
    state no limit and give none."""
    block = context.block
    facts: list[LimitFact] = []
    for offset, line in enumerate(block.text.split("\n")):
        if not any(ch.isdigit() for ch in line):
            continue
        number = block.line_start + offset
        prov = Provenance(context.document.source, number, number, block.id)
        mentions = index.find_text(line, context.provider)
        found = limits_for_text(line, context, mentions, index, prov)
        facts.extend(f for f in found if evidence_ok(f, context.context_texts()))
    return facts
