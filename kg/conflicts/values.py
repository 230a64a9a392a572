"""Value conflicts: limits of the graph that give one subject's one attribute two different values.

Two limit facts (``nkg:Limit``) disagree when they have the same subject entity, the same attribute
(the lemmas of its words, without the bound words "max"/"default" and the subject's own name, so
"Max object size" of an S3 object is "size"), the same base unit, comparable kinds, and values that
differ once normalised (5 TB and 5,000 GB are one value; so are 64 KB and 64 KiB, one figure written
in decimal and in binary units). A percentage stated against a reference
("75% less cost compared to On-Demand", "Discount vs On-Demand: up to 72%") is keyed by that
reference, since the notes name such an attribute many ways.

Kinds compare as bounds: two maxima (or minima, defaults, exact values, ranges) disagree when they
differ; an exact value (not a count, and not the object of a verb) disagrees with a maximum it exceeds
or a minimum it falls short of; a maximum and a minimum, or a default and a maximum, never disagree.

Statements qualified differently are not compared: another "per" ("per region" / "per account"),
another modality ("should" / "must"), another verb ("sends" / "stores"), a shared noun with other
modifiers ("*basic* monitoring" / "*detailed* monitoring"), other words in brackets after the value
("100 Gbps (ExpressRoute Direct)"), a value that is a threshold ("> 5 GB"),
a condition ("if ... larger than 5 GB") or approximate ("about 5 minutes"), two parts of one block
or two items of one list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg import facts
from kg.conflicts.model import Pair, Statement
from kg.conflicts.notes import NotesView, parse, singular
from kg.passages import Passage

BOUND_LEMMAS = frozenset("max maximum min minimum default limit total upper lower up most least".split())
# Comparison words that introduce the reference of a relative figure ("vs On-Demand").
REFERENCE_RE = re.compile(r"\b(?:vs\.?|versus|than|compared\s+(?:to|with)|relative\s+to)\s+([\w-]+)", re.IGNORECASE)
THRESHOLD_CHARS = "<>≤≥"
ASIDE_RE = re.compile(r"^\s*\(([^()]*)\)")
BOUNDS = {"max", "min", "default", "range"}
PLAIN = {"exact", "percent", "rate"}
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class ValueStatement:
    """A limit with what the detector needs to compare it."""

    row: dict[str, Any]
    statement: Statement
    passage: Passage | None
    key: tuple[str, ...]
    modal: str
    per: frozenset[str]
    modifiers: dict[str, frozenset[str]]
    verb: str
    aside: str = ""

    @property
    def kind(self) -> str:
        return str(self.row["kind"])

    @property
    def low(self) -> float:
        return float(self.row["normalized_value"])

    @property
    def high(self) -> float:
        high = self.row.get("normalized_value_max")
        return float(high) if high is not None else self.low


MODAL_CLASSES = {"should": "should", "ought": "should", "must": "must", "need": "must"}


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > EPSILON * max(abs(a), abs(b), 1.0)


def _same_figure(a: ValueStatement, b: ValueStatement) -> bool:
    """One figure written in decimal and binary units ("64 KB" and "64 KiB"): the notes mean one value."""
    same = a.row["value"] == b.row["value"] and a.row.get("value_max") == b.row.get("value_max")
    return same and _prefix(a.row["unit"]) == _prefix(b.row["unit"])


def _prefix(unit: object) -> str:
    return str(unit).replace("i", "").lower()


def values_disagree(a: ValueStatement, b: ValueStatement) -> tuple[bool, float]:
    """Whether two values of one attribute contradict each other, and the pair's base confidence."""
    if _same_figure(a, b) and a.kind == b.kind:
        return False, 0.0
    if a.kind == b.kind or (a.kind in PLAIN and b.kind in PLAIN):
        if a.kind == "range" or b.kind == "range":
            return (_differ(a.low, b.low) or _differ(a.high, b.high)), 0.75
        return _differ(a.low, b.low), 0.75
    bound, plain = (a, b) if a.kind in BOUNDS else (b, a)
    if plain.kind not in PLAIN or plain.verb or plain.row["base_unit"] == "count":
        # max vs min, default vs max, range vs max: not one statement's rival; nor is a figure that
        # something does ("reserves the first 4 addresses"), nor a count, whose attribute only names
        # what is counted ("16 addresses" of the smallest subnet, "4 addresses" it reserves)
        return False, 0.0
    if bound.kind == "max":
        return plain.low > bound.low and _differ(plain.low, bound.low), 0.55
    if bound.kind == "min":
        return plain.low < bound.low and _differ(plain.low, bound.low), 0.55
    if bound.kind == "range":
        outside = plain.low < bound.low or plain.low > bound.high
        return outside and _differ(plain.low, bound.low) and _differ(plain.low, bound.high), 0.55
    return False, 0.0


def _statement_text(view: NotesView, row: dict[str, Any]) -> tuple[str, int, int, Passage | None]:
    """The row of a table, or the text, that holds the value (with its lines and passage)."""
    source, start, end, value = row["source"], int(row["line_start"]), int(row["line_end"]), row["value_text"]
    names = view.entities.get(row["subject"].rsplit("/", 1)[-1])
    rows = [
        p
        for p in view.passages
        if p.source == source and p.kind == "table-row" and start <= p.line_start <= end and value in p.text
    ]
    if len(rows) > 1 and names is not None:
        named = [p for p in rows if _names_in(p.text, names.names)]
        rows = named or rows
    if rows:
        return rows[0].text, rows[0].line_start, rows[0].line_end, rows[0]
    passage = view.passage_at(source, start, end, value)
    text = str(row["text"])
    return text, start, end, passage


def _names_in(text: str, names: Iterable[tuple[str, ...]]) -> bool:
    words = [singular(w) for w in re.findall(r"[\w-]+", text)]
    joined = " " + " ".join(words) + " "
    return any(f" {' '.join(name)} " in joined for name in names)


def _attribute_key(attribute_doc: Any, subject_words: frozenset[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """(lemmas of the attribute's own words, lemmas after "per") without bound words and the subject's name."""
    words: list[str] = []
    per: set[str] = set()
    after_per = False
    for token in attribute_doc:
        lemma = singular(str(token.lemma_))
        if token.lower_ == "per":
            after_per = True
            continue
        if token.is_punct or token.is_stop or lemma in BOUND_LEMMAS or token.like_num:
            continue
        if after_per:
            per.add(lemma)
        else:
            words.append(lemma)
    own = [w for w in words if w not in subject_words]
    if not own and per:  # "S3 buckets per account" of the S3 bucket: how many of the thing per account
        own = words
    return tuple(sorted(set(own))), frozenset(per)


def _clause(doc: Any, value: str) -> tuple[Any, Any] | None:
    """The sentence of ``doc`` holding ``value`` and the value's last token; None for a value the
    notes give as a threshold, a condition or an approximation."""
    at = doc.text.find(value)
    if at < 0:
        return None
    before = doc.text[:at].rstrip()
    if before[-1:] and before[-1] in THRESHOLD_CHARS:
        return None
    span = doc.char_span(at, at + len(value), alignment_mode="expand")
    if span is None:
        return None
    number = next((t for t in span if t.like_num), span.root)
    for ancestor in number.ancestors:
        if ancestor.dep_ == "advcl" and any(c.dep_ == "mark" for c in ancestor.children):
            return None  # "if the object is larger than 5 GB"
    return span.sent, number


def _modifiers(sent: Any, skip: set[int]) -> dict[str, frozenset[str]]:
    """Each noun's modifiers in the clause ("basic monitoring" → monitoring: {basic})."""
    out: dict[str, frozenset[str]] = {}
    for token in sent:
        if token.pos_ not in {"NOUN", "PROPN"} or token.i in skip:
            continue
        mods = {
            singular(str(c.lemma_))
            for c in token.children
            if c.dep_ in {"amod", "compound"} and not c.is_stop and c.i not in skip and not c.like_num
        }
        mods -= BOUND_LEMMAS
        if mods:
            out[singular(str(token.lemma_))] = frozenset(mods) | out.get(singular(str(token.lemma_)), frozenset())
    return out


def _qualified_apart(a: ValueStatement, b: ValueStatement) -> bool:
    if a.modal != b.modal or (a.verb and b.verb and a.verb != b.verb) or a.aside != b.aside:
        return True
    if a.per and b.per and a.per != b.per:
        return True
    shared = a.modifiers.keys() & b.modifiers.keys()
    return any(not (a.modifiers[n] & b.modifiers[n]) for n in shared)


def _clause_text(text: str, value: str, passage: Passage | None) -> str:
    """What to parse for a value's qualifiers: the cell of a table row, else the whole text."""
    if passage is not None and passage.kind == "table-row":
        return next((cell.strip() for cell in text.split("|") if value in cell), text)
    return text


def _aside(text: str, value: str) -> str:
    """Words in brackets right after a value, which say whose value it is ("up to 100 Gbps
    (ExpressRoute Direct)"); brackets that give a figure of their own are a remark, not a qualifier."""
    at = text.find(value)
    match = ASIDE_RE.match(text[at + len(value) :]) if at >= 0 else None
    if match is None or any(ch.isdigit() for ch in match.group(1)):
        return ""
    return " ".join(match.group(1).lower().split())


def _modal(sent: Any) -> str:
    """A statement's modality: "must", "should", or "" (plain, or "can"/"may": "can be up to 64 KB"
    says what "up to 64 KB" says)."""
    lemma = next((str(c.lemma_).lower() for c in sent.root.children if c.tag_ == "MD"), "")
    return MODAL_CLASSES.get(lemma, "")


def _verb(number: Any) -> str:
    """The content verb a figure is an argument of ("*reserves* the first 4 addresses"), or ""."""
    for ancestor in number.ancestors:
        if ancestor.pos_ == "VERB" and str(ancestor.lemma_).lower() not in {"be", "have"}:
            return str(ancestor.lemma_).lower()
        if ancestor.dep_ in {"ROOT", "advcl", "relcl", "ccomp"}:
            break
    return ""


def read_statements(view: NotesView, rows: list[dict[str, Any]]) -> list[ValueStatement]:
    """The limits worth comparing, each with its clause's qualifiers."""
    from ingest.extract.limits import UNIT_ATTRIBUTES  # spaCy loads only when conflicts are looked for

    kept: list[tuple[dict[str, Any], str, int, int, Passage | None]] = []
    seen: set[tuple[str, str, str, int]] = set()
    for row in rows:
        if row["attribute"] == UNIT_ATTRIBUTES.get(row["base_unit"]):
            continue  # the extractor's fallback name: what the figure measures is unknown
        seen_key = (row["subject"], row["value_text"], row["source"], int(row["line_start"]))
        if seen_key in seen:
            continue
        seen.add(seen_key)
        kept.append((row, *_statement_text(view, row)))
    clauses = [_clause_text(text, row["value_text"], passage) for row, text, _, _, passage in kept]
    docs = parse(clauses + [str(row["attribute"]) for row, *_ in kept])
    out: list[ValueStatement] = []
    for (row, text, start, end, passage), doc, attribute_doc in zip(kept, docs, docs[len(kept) :], strict=False):
        clause = _clause(doc, row["value_text"])
        if clause is None:
            continue
        sent, number = clause
        if row["kind"] in PLAIN and any(c.dep_ in {"quantmod", "advmod"} for c in number.children):
            continue  # "about 5 minutes", "more than 100 rules": not the value itself
        entity = view.entities.get(row["subject"].rsplit("/", 1)[-1])
        attribute, per = _attribute_key(attribute_doc, entity.words if entity else frozenset())
        per |= {singular(str(t.lemma_)) for t in sent if t.dep_ == "pobj" and t.head.lower_ == "per"}
        reference = REFERENCE_RE.search(f"{row['attribute']} {sent.text[sent.text.find(row['value_text']) :]}")
        if row["base_unit"] == "percent" and reference:
            key: tuple[str, ...] = ("vs", reference.group(1).lower())
        elif attribute:
            key = attribute
        else:
            continue
        shown = text.strip()
        if passage is not None and passage.kind != "table-row" and len(sent.text.strip()) < len(shown):
            shown = sent.text.strip()
            start, end = view.lines_of(passage, shown)
        out.append(
            ValueStatement(
                row=row,
                statement=Statement(shown, str(row["value_text"]), row["source"], start, end),
                passage=passage,
                key=key,
                modal=_modal(sent),
                per=frozenset(per),
                modifiers=_modifiers(sent, {t.i for t in sent if t.like_num}),
                verb=_verb(number),
                aside=_aside(sent.text, row["value_text"]),
            )
        )
    return out


def value_pairs(view: NotesView) -> list[Pair]:
    """Every pair of limits that give one subject's attribute two values (see the module docstring)."""
    statements = read_statements(view, facts.limits(view.graph))
    groups: dict[tuple[Any, ...], list[ValueStatement]] = {}
    for item in statements:
        groups.setdefault((item.row["subject"], item.row["base_unit"], item.key), []).append(item)
    pairs: list[Pair] = []
    for members in groups.values():
        members.sort(key=lambda s: (s.statement.source, s.statement.line_start))
        attribute = " / ".join(dict.fromkeys(str(m.row["attribute"]) for m in members))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if view.side_by_side(a.passage, b.passage) or _qualified_apart(a, b):
                    continue
                if (a.statement.source, a.statement.line_start) == (b.statement.source, b.statement.line_start):
                    continue
                disagree, base = values_disagree(a, b)
                if not disagree:
                    continue
                confidence = base + 0.2 * max(view.cosine(a.passage, b.passage), 0.0)
                if not (a.per and b.per) and (a.per or b.per):
                    confidence *= 0.85  # one says "per ...", the other does not say
                pairs.append(
                    Pair(str(a.row["subject_label"]), attribute, a.statement, b.statement, confidence, "value")
                )
    return pairs
