"""Comparisons stated in prose: "unlike X", "X vs Y", "differs from", "whereas", "while", "as opposed
to", "compared to", "in contrast", and sibling bullets that describe two named things in parallel
("EC2-Classic Security Groups - ..." / "VPC Security Groups - ...").
"""

from __future__ import annotations

import re

from ingest.extract.comparisons import EMPHASIS_WORDS, FUNCTION_WORDS, NOT_ITEM_WORDS, _make, _title
from ingest.extract.entities import BlockContext, EntityIndex
from ingest.facts import ComparisonFact, Mention
from ingest.model import Block, Document

# -- prose -----------------------------------------------------------------------------------------

PROSE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unlike", re.compile(r"\bunlike\s+(?P<a>[^,]{2,60}?),\s*(?P<b>[^.;]{2,80})", re.IGNORECASE)),
    (
        "versus",
        re.compile(r"(?P<a>[\w][\w ./()-]{1,50}?)\s+(?:vs\.?|versus)\s+(?P<b>[\w][\w ./()-]{1,50})", re.IGNORECASE),
    ),
    ("differs", re.compile(r"(?P<a>[^.;]{2,80}?)\s+differs?\s+from\s+(?P<b>[^.;]{2,80})", re.IGNORECASE)),
    (
        "difference",
        re.compile(
            r"difference\s+(?:between\s+(?P<a>[^.;]{2,60}?)\s+and\s+(?P<b>[^.;]{2,60})|"
            r"is\s+that\s+(?P<a2>[^.;]{2,120}?),?\s+whereas\s+(?P<b2>[^.;]{2,120}))",
            re.IGNORECASE,
        ),
    ),
    ("whereas", re.compile(r"(?P<a>[^.;]{4,160}?),?\s+whereas\s+(?P<b>[^.;]{4,160})", re.IGNORECASE)),
    ("while", re.compile(r"(?P<a>[^.;]{4,160}?),\s+while\s+(?P<b>[^.;]{4,160})", re.IGNORECASE)),
    (
        "as opposed to",
        re.compile(r"(?P<a>[^.;]{2,120}?),?\s+as\s+opposed\s+to\s+(?P<b>[^.;]{2,100})", re.IGNORECASE),
    ),
    (
        "in contrast",
        re.compile(r"in\s+contrast\s+(?:to|with)\s+(?P<a>[^,]{2,60}),\s*(?P<b>[^.;]{2,100})", re.IGNORECASE),
    ),
    (
        "compared",
        re.compile(r"(?P<a>[^.;]{2,100}?)\s+(?:compared\s+(?:to|with))\s+(?P<b>[^.;]{2,80})", re.IGNORECASE),
    ),
    (
        "than",
        re.compile(
            r"(?P<a>[^.;]{2,100}?)\s+(?:more|less|better|faster|slower|cheaper|larger|smaller|"
            r"higher|lower|simpler|easier)\b[^.;]{0,40}?\s+than\s+(?P<b>[^.;]{2,80})",
            re.IGNORECASE,
        ),
    ),
)

# The word each pattern cannot match without.
CUE_WORDS = {cue: cue.split()[0] if cue != "versus" else "v" for cue, _ in PROSE_PATTERNS}
CUE_WORDS["differs"] = "differ"


def prose_comparisons(
    text: str, context: BlockContext, mentions: list[Mention], index: EntityIndex
) -> list[ComparisonFact]:
    """Contrasts between two named things stated in one sentence."""
    found: list[ComparisonFact] = []
    lowered = text.lower()
    for cue, pattern in PROSE_PATTERNS:
        if CUE_WORDS[cue] not in lowered:
            continue  # the pattern needs its cue word: no scan of a text without it (a 5 MB line)
        for match in pattern.finditer(text):
            a_text = match.group("a") if match.groupdict().get("a") else match.groupdict().get("a2")
            b_text = match.group("b") if match.groupdict().get("b") else match.groupdict().get("b2")
            if not a_text or not b_text:
                continue
            if cue == "than" and re.match(r"\s*(?:\d|(?:one|two|three|four|five|ten|a\s+few|once)\b)", b_text, re.I):
                continue  # "more than one peering connection" counts, it does not compare
            a_side = _side_item(a_text, match.start(), mentions, context, index, last=True)
            b_side = _side_item(
                b_text,
                match.start("b") if match.groupdict().get("b") else match.start(),
                mentions,
                context,
                index,
                last=False,
            )
            if a_side is None or b_side is None or a_side[0] == b_side[0]:
                continue
            if cue == "unlike":  # "Unlike X, Y ...": Y is the one described
                items, values = [b_side[1], a_side[1]], [b_text.strip(), ""]
            elif cue == "versus":  # "X vs Y: X ..., whereas Y ...": the clauses after the names
                items, values = [a_side[1], b_side[1]], _versus_clauses(text[match.end() :])
            else:
                items, values = [a_side[1], b_side[1]], [a_text.strip(), b_text.strip()]
            cells = [(i, 0, v) for i, v in enumerate(values) if v]
            found.append(_make(_title(context), "prose", items, [cue], cells, context, index))
            break
    return found[:1]


VERSUS_SPLIT_RE = re.compile(r",?\s+(?:whereas|while|but|and\s+unlike\s+\w+)\s+|;\s+", re.IGNORECASE)


def _versus_clauses(rest: str) -> list[str]:
    """What each side is, from the text after "X vs Y" (": X does ..., whereas Y does ...")."""
    body = re.match(r"^[^:–—-]{0,40}?(?::|\s[-–—]\s)\s*(?P<body>.+)$", rest)
    if not body:
        return ["", ""]
    parts = VERSUS_SPLIT_RE.split(body.group("body").strip(), maxsplit=1)
    if len(parts) == 2:
        return [parts[0].strip(" .,"), parts[1].strip(" .,")]
    return ["", ""]


def _side_item(
    side: str, offset: int, mentions: list[Mention], context: BlockContext, index: EntityIndex, *, last: bool
) -> tuple[str, str] | None:
    """The thing one side of a contrast names: an entity mention, else a short noun phrase."""
    side_mentions = [m for m in mentions if m.text in side]
    if side_mentions:
        chosen = side_mentions[-1] if last else side_mentions[0]
        return chosen.entity_id, chosen.text
    words = re.findall(r"[A-Za-z][\w-]*", side)
    capitalized = [
        w
        for w in words
        if w[:1].isupper()
        and len(w) > 1
        and w.lower() not in FUNCTION_WORDS
        and w.lower() not in NOT_ITEM_WORDS
        and not (w.isupper() and w.lower() in EMPHASIS_WORDS)
    ]
    if capitalized:
        phrase = " ".join(capitalized[-3:] if last else capitalized[:3])
        return phrase.lower(), phrase
    if last and context.topic and re.match(r"\s*(?:this|it|they|these)\b", side, re.IGNORECASE):
        # "This differs from Dedicated Instances" under Dedicated Hosts: "this" is the topic
        return context.topic, index.label_of(context.topic)
    return None


NAMED_RE = re.compile(r"^(?P<name>[A-Z][\w./()-]*(?:\s+[\w./()-]+){0,5}?)\s*(?::|\s-\s|\s—\s|\s–\s)\s*(?P<desc>.+)$")
NAME_ONLY_RE = re.compile(r"^(?P<name>[A-Z][\w./()-]*(?:\s+[\w./()-]+){0,5}?)\s*:?$")
MAX_GROUP_LINES = 40  # a group of named items with their nested descriptions


def paired_bullets(
    document: Document, contexts: dict[tuple[str, int], BlockContext], index: EntityIndex
) -> list[ComparisonFact]:
    """Sibling bullets that describe two or more named things in parallel under one parent: each
    names its thing and describes it on its line ("EC2-Classic Security Groups - ...") or in the
    items nested under it ("Block storage:" > "operates at the block level", "File storage:" > ...)."""
    children: dict[int, list[Block]] = {}
    siblings_of: dict[tuple[int, int | None], list[Block]] = {}
    for block in document.blocks:
        if block.kind == "bullet":
            siblings_of.setdefault((block.section_id, block.parent_id), []).append(block)
            if block.parent_id is not None:
                children.setdefault(block.parent_id, []).append(block)
    found = []
    for (_, parent_id), siblings in siblings_of.items():
        named = []
        for block in siblings:
            match = NAMED_RE.match(block.text)
            nested = children.get(block.id, [])
            name_only = NAME_ONLY_RE.match(block.text.strip())
            if match and len(match.group("desc")) > 8:
                named.append((block, match.group("name").strip(), match.group("desc").strip(), block))
            elif name_only and nested:
                named.append((block, name_only.group("name").strip(), nested[0].text.strip(), nested[-1]))
        if len(named) < 2 or len(named) != len(siblings) or len(named) > 6:
            continue
        heads = {n[1].split()[-1].lower().rstrip("s") for n in named}
        resolved = [index.lookup_in_context(n[1], contexts[(document.source, n[0].id)].service_id) for n in named]
        nested_only = any(n[3] is not n[0] for n in named)
        if len(heads) != 1 and (nested_only or sum(r is not None for r in resolved) < 2):
            continue  # items described below their names must be kinds of one thing ("Block / File storage")
        first = named[0][0]
        context = contexts[(document.source, first.id)]
        parent = document.blocks[parent_id] if parent_id is not None else None
        dimension = parent.text if parent is not None else _title(context)
        comparison = _make(
            _title(context),
            "prose",
            [n[1] for n in named],
            [dimension],
            [(i, 0, n[2]) for i, n in enumerate(named)],
            context,
            index,
        )
        last = max(n[3].line_end for n in named)
        comparison.prov = type(comparison.prov)(document.source, first.line_start, last, first.id)
        limit = MAX_GROUP_LINES if nested_only else 12
        if last - first.line_start < limit:
            found.append(comparison)
    return found
