"""Answer units: the spans an answer can quote, at several grains, built from a store's passages.

    passage   a block as ingest cut it: a bullet (its ancestry in the context), a paragraph, a
              table row, a code block, a ``key: value`` line
    sentence  one sentence of a long paragraph or bullet, cited by its own lines
    code-line one line of a code block ("image: mysql:5.7" in a compose file)
    run       three items in a row under one parent (steps without a lead-in of their own)
    list      an item with the items nested under it ("Service types:" and its three bullets)
    lead-in   a line announcing what follows ("To create a deployment:") with what follows it
    section   a heading with the items directly under it, or with its sub-headings

The ranker (kg/qa/ranker.py) scores units; an answer quotes the best ones.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kg.index.tokens import tokenize
from kg.passages import Passage

KINDS = (
    "bullet",
    "paragraph",
    "table-row",
    "table",
    "code",
    "keyvalue",
    "quote",
    "sentence",
    "code-line",
    "run",
    "list",
    "lead-in",
    "section",
)
FENCE_LINE_RE = re.compile(r"^\s*(?:```|~~~)")
LIST_MARKER_RE = re.compile(r"[-*+•]|\d{1,3}[.)]")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"“`])")
ORDERED_RE = re.compile(r"^\s*(?:\d+[.)]|step\s+\d+)\s", re.I)
MAX_MEMBERS = 12  # items of a list or a section a unit holds
MIN_SENTENCE_WORDS = 25  # a passage this long is also cut into its sentences
RUN = 3  # items in a run


@dataclass(slots=True)
class Unit:
    """One candidate answer span.

    Attributes:
        id: Position in the engine's unit list.
        kind: One of ``KINDS``.
        source: The notes file.
        line_start: First line (1-based).
        line_end: Last line.
        text: What an answer quotes (lines joined by newlines).
        title: The innermost section title.
        context: Section path and bullet ancestry.
        passages: The passages in the unit, the head first.
        ordered: The items are numbered steps.
    """

    id: int
    kind: str
    source: str
    line_start: int
    line_end: int
    text: str
    title: str
    context: str
    passages: tuple[int, ...]
    ordered: bool = False
    section: str = ""  # the section path of its head
    tokens: frozenset[str] = field(default_factory=frozenset)
    context_tokens: frozenset[str] = field(default_factory=frozenset)
    title_tokens: frozenset[str] = field(default_factory=frozenset)
    first_tokens: frozenset[str] = field(default_factory=frozenset)  # of the first line
    lead_tokens: frozenset[str] = field(default_factory=frozenset)  # of its first six words
    bigrams: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    source_tokens: frozenset[str] = field(default_factory=frozenset)  # of the file's name
    length: int = 0  # tokens in the text
    depth: int = 0  # list items it is nested under

    @property
    def head(self) -> int:
        return self.passages[0]

    def index_text(self) -> str:
        """What the unit's vector is of: its context, then its text."""
        return f"{self.context}: {self.text}" if self.context else self.text


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading of the notes (read from the graph)."""

    source: str
    path: str
    title: str
    line: int


def build_units(
    passages: Sequence[Passage],
    headings: Sequence[Heading] = (),
    lines_of: Callable[[str], list[str]] | None = None,
) -> list[Unit]:
    """Every unit of the notes, passages first (unit ``i`` is passage ``i``).

    Args:
        passages: The store's passages, in document order per source.
        headings: Section headings, for section units and their lines.
        lines_of: The physical lines of a source, to cite a sentence by its own lines.
    """
    units: list[Unit] = []
    headings = sorted(headings, key=lambda h: (h.source, h.line, h.path))

    def add(kind: str, members: Sequence[Passage], text: str, start: int, end: int, ordered: bool = False) -> None:
        head = members[0]
        units.append(
            Unit(
                len(units),
                kind,
                head.source,
                start,
                end,
                text,
                _title(head),
                head.context,
                tuple(p.id for p in members),
                ordered,
                head.section,
            )
        )

    for passage in passages:
        add(passage.kind, [passage], passage.text, passage.line_start, passage.line_end)
    children: dict[int, list[Passage]] = {}
    for passage in passages:
        if passage.parent is not None and passage.kind != "table-row":
            children.setdefault(passage.parent, []).append(passage)
    for passage in passages:
        if passage.kind in {"paragraph", "bullet", "quote"} and len(passage.text.split()) >= MIN_SENTENCE_WORDS:
            for text, start, end in _sentences(passage, lines_of):
                add("sentence", [passage], text, start, end)
        if passage.kind == "code" and lines_of is not None and passage.line_end - passage.line_start >= 2:
            lines = lines_of(passage.source)
            for number in range(passage.line_start, min(passage.line_end, len(lines)) + 1):
                line = lines[number - 1].strip()
                if line and not FENCE_LINE_RE.match(line):
                    add("code-line", [passage], line, number, number)
        items = children.get(passage.id, [])[:MAX_MEMBERS]
        if items:
            text = "\n".join([passage.text, *(item.text for item in items)])
            add(
                "list",
                [passage, *items],
                text,
                passage.line_start,
                max(i.line_end for i in items),
                _numbered(items, lines_of),
            )
    siblings: dict[tuple[str, str, int | None], list[Passage]] = {}
    for passage in passages:
        if passage.kind in {"bullet", "paragraph"}:
            siblings.setdefault((passage.source, passage.section, passage.parent), []).append(passage)
    for items in siblings.values():
        if len(items) >= RUN + 1:
            for start in range(len(items) - RUN + 1):
                run = items[start : start + RUN]
                if run[-1].line_start - run[0].line_end <= 3 * RUN:
                    add(
                        "run",
                        run,
                        "\n".join(p.text for p in run),
                        run[0].line_start,
                        run[-1].line_end,
                        _numbered(run, lines_of),
                    )
    for index, passage in enumerate(passages):
        if not passage.text.rstrip().endswith(":") or passage.id in children:
            continue
        following = _following(passages, index)
        if following:
            text = "\n".join([passage.text, *(p.text for p in following)])
            add(
                "lead-in",
                [passage, *following],
                text,
                passage.line_start,
                following[-1].line_end,
                _numbered(following, lines_of),
            )
    _add_sections(passages, headings, add)
    names = {p.source: frozenset(tokenize(file_words(p.source))) for p in passages}
    for unit in units:
        unit.source_tokens = names[unit.source]
        tokens = tokenize(unit.text)
        first = unit.text.split("\n", 1)[0]
        head = passages[unit.head]
        unit.tokens = frozenset(tokens)
        unit.context_tokens = frozenset(tokenize(unit.context))
        unit.title_tokens = frozenset(tokenize(unit.title))
        unit.first_tokens = frozenset(tokenize(first))
        unit.lead_tokens = frozenset(tokenize(" ".join(first.split()[:6])))
        unit.bigrams = frozenset(itertools.pairwise(tokens))
        unit.length = len(tokenize(unit.text, keep_stopwords=True))
        levels = len(head.context.split(" > ")) if head.context else 0
        unit.depth = max(0, levels - (len(head.section.split(" > ")) if head.section else 0))
    return units


def file_words(source: str) -> str:
    """The words of a file's name: "LAB03-DockerCompose.md" → "LAB 03 Docker Compose".

    >>> file_words("notes/LAB03-DockerCompose.md")
    'LAB 03 Docker Compose'
    """
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", stem)
    return " ".join(re.split(r"[\W_]+", spaced)).strip()


def _title(passage: Passage) -> str:
    return passage.section.rsplit(" > ", 1)[-1] if passage.section else ""


def _following(passages: Sequence[Passage], index: int) -> list[Passage]:
    """What a line ending in ':' announces: the next block, or the run of items at one depth after it."""
    lead = passages[index]
    found: list[Passage] = []
    for passage in passages[index + 1 : index + 1 + MAX_MEMBERS]:
        gap = passage.line_start - (found[-1].line_end if found else lead.line_end)
        if passage.source != lead.source or passage.section != lead.section or gap > 3:
            break
        if found and (passage.kind != found[0].kind or passage.parent != found[0].parent):
            break
        if passage.parent is not None and passage.parent != lead.parent and not found:
            break
        found.append(passage)
        if passage.kind not in {"bullet", "table-row", "keyvalue"}:
            break  # one code block, paragraph or table after the lead-in
    return found


def _numbered(items: Sequence[Passage], lines_of: Callable[[str], list[str]] | None) -> bool:
    if lines_of is None or len(items) < 2:
        return False
    lines = lines_of(items[0].source)
    return all(ORDERED_RE.match(lines[p.line_start - 1]) for p in items if p.line_start <= len(lines))


def _sentences(passage: Passage, lines_of: Callable[[str], list[str]] | None) -> list[tuple[str, int, int]]:
    """The passage's sentences with the physical lines each starts and ends on (by word position)."""
    pieces = [s.strip() for s in SENTENCE_RE.split(" ".join(passage.text.split())) if s.strip()]
    if len(pieces) < 2:
        return []
    lines = lines_of(passage.source) if lines_of else []
    line_of_word: list[int] = []
    for number in range(passage.line_start, min(passage.line_end, len(lines)) + 1):
        words = lines[number - 1].split()
        if number == passage.line_start and words and LIST_MARKER_RE.fullmatch(words[0]):
            words = words[1:]
        line_of_word += [number] * len(words)
    out = []
    first = 0
    for piece in pieces:
        last = first + len(piece.split()) - 1
        start = line_of_word[min(first, len(line_of_word) - 1)] if line_of_word else passage.line_start
        end = line_of_word[min(last, len(line_of_word) - 1)] if line_of_word else passage.line_end
        out.append((piece, start, max(start, end)))
        first = last + 1
    return out


def _add_sections(passages: Sequence[Passage], headings: Sequence[Heading], add: Callable[..., None]) -> None:
    """A section's top-level items under its title, and a heading's sub-headings as its members."""
    by_section: dict[tuple[str, str], list[Passage]] = {}
    for passage in passages:
        if passage.parent is None and passage.section and passage.kind != "table-row":
            by_section.setdefault((passage.source, passage.section), []).append(passage)
    line_of = {(h.source, h.path): h.line for h in headings}
    for (source, section), items in by_section.items():
        if len(items) < 2:
            continue
        items = items[:MAX_MEMBERS]
        title = section.rsplit(" > ", 1)[-1]
        start = line_of.get((source, section), items[0].line_start)
        add("section", items, "\n".join([title, *(p.text.split("\n")[0] for p in items)]), start, items[-1].line_end)
    first_item = {key: items[0] for key, items in by_section.items()}
    for heading in headings:
        subs = [
            h
            for h in headings
            if h.source == heading.source
            and h.path.startswith(heading.path + " > ")
            and h.path.count(" > ") == heading.path.count(" > ") + 1
        ][:MAX_MEMBERS]
        anchor = first_item.get((heading.source, subs[0].path)) if subs else None
        if len(subs) >= 2 and anchor is not None:
            text = "\n".join([heading.title, *(h.title for h in subs)])
            add("section", [anchor], text, heading.line, subs[-1].line)
