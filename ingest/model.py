"""The parsed shape of a notes file: Document > Section > Block, with 1-based line spans.

Every non-blank physical line of the input belongs to exactly one block (headings included),
so any fact or passage can cite the exact lines it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal[
    "heading",  # a section title line (or a setext title with its underline)
    "bullet",  # a list item: `•`, `-`, `*`, `+` or `1.`; `ordered` tells numbered ones apart
    "paragraph",  # running prose
    "table",  # a table: Markdown pipes or a rendered table flattened into lines
    "keyvalue",  # `Name: myASG` / `Id = 101` lines
    "code",  # fenced or indented code, JSON-ish policy snippets
    "quote",  # blockquote
    "navigation",  # a table of contents made of anchor links
    "comment",  # an HTML comment
    "frontmatter",  # YAML/TOML front matter
    "rule",  # a horizontal rule
]

#: How many enclosing list items a block's context and analysis read (the nearest ones).
MAX_ANCESTRY = 8

#: Block kinds that carry no statements of their own (skipped by extraction and retrieval).
NON_CONTENT_KINDS: frozenset[str] = frozenset({"heading", "navigation", "comment", "frontmatter", "rule"})


@dataclass(slots=True)
class Section:
    """A titled (or untitled) part of a document.

    Attributes:
        id: Index in ``Document.sections``; section 0 is the document root.
        title: Heading text; empty for the root and for sections whose heading was lost.
        level: 0 for the root, 1.. for headings (deeper is larger).
        line: 1-based line of the heading, or of the first block of an untitled section.
        parent_id: The enclosing section, ``None`` for the root.
    """

    id: int
    title: str
    level: int
    line: int
    parent_id: int | None


@dataclass(slots=True)
class Block:
    """A contiguous run of lines of one kind.

    Attributes:
        id: Index in ``Document.blocks``.
        kind: One of ``BlockKind``.
        text: The block's text with markup removed (bullet markers, pipes kept for tables).
        line_start: First 1-based line.
        line_end: Last 1-based line (inclusive).
        section_id: The section the block belongs to.
        depth: List nesting depth, 0 for top-level items and for non-list blocks.
        parent_id: For list items, the enclosing list item; else ``None``.
        ordered: True for numbered list items.
    """

    id: int
    kind: str
    text: str
    line_start: int
    line_end: int
    section_id: int
    depth: int = 0
    parent_id: int | None = None
    ordered: bool = False


@dataclass(slots=True)
class Document:
    """A parsed notes file.

    Attributes:
        source: The path as given to ``kg ingest``, relative to the folder ingested.
        format: ``"text"`` (rendered page) or ``"markdown"``.
        lines: The physical lines, without line endings (``lines[0]`` is line 1).
        sections: All sections, ``sections[0]`` being the root.
        blocks: All blocks in line order.
        sha256: Hash of the file's bytes.
    """

    source: str
    format: str
    lines: list[str]
    sections: list[Section] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    sha256: str = ""

    def line(self, number: int) -> str:
        """Return the 1-based physical line ``number``."""
        return self.lines[number - 1]

    def span_text(self, start: int, end: int) -> str:
        """Return lines ``start``..``end`` (1-based, inclusive) joined by newlines."""
        return "\n".join(self.lines[start - 1 : end])

    def section_chain(self, section_id: int) -> list[Section]:
        """Return the sections from the outermost titled one down to ``section_id``."""
        chain: list[Section] = []
        current: int | None = section_id
        while current is not None:
            section = self.sections[current]
            if section.level > 0:
                chain.append(section)
            current = section.parent_id
        return chain[::-1]

    def section_path(self, section_id: int) -> str:
        """Return the titles from the outermost section down, joined by `` > ``.

        An untitled section (its heading was lost) shows as ``(untitled)``.
        """
        return " > ".join(s.title or "(untitled)" for s in self.section_chain(section_id))

    def ancestry(self, block: Block, limit: int | None = MAX_ANCESTRY) -> list[Block]:
        """Return the chain of parent list items of ``block``, outermost first.

        Only the nearest ``limit`` are walked (notes nested 2,000 deep stay linear); None walks all.
        """
        chain: list[Block] = []
        parent = block.parent_id
        while parent is not None and (limit is None or len(chain) < limit):
            chain.append(self.blocks[parent])
            parent = self.blocks[parent].parent_id
        return chain[::-1]

    def context(self, block: Block) -> str:
        """Return the block's context: section path, then its bullet ancestry, `` > ``-joined."""
        parts = [s.title for s in self.section_chain(block.section_id) if s.title]
        parts += [short_context(b.text) for b in self.ancestry(block)]
        return " > ".join(parts)

    def content_blocks(self) -> list[Block]:
        """Return the blocks that carry statements (not headings, navigation, comments, rules)."""
        return [b for b in self.blocks if b.kind not in NON_CONTENT_KINDS]


def short_context(text: str, limit: int = 80) -> str:
    """Shorten an ancestor's text for use as context: up to a colon or ``limit`` characters."""
    head = text.split(":", 1)[0] if ":" in text[:limit] else text
    head = head.strip()
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"
