"""Passages: the units retrieval ranks and answers cite, built from blocks with their context.

A passage is a block (or a row of a table, or a window of a long paragraph) with its section path
and bullet ancestry, so "Max 1024 bytes of UTF-8 characters" is indexed as about the S3 object key.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ingest.facts import Extraction
from ingest.model import NON_CONTENT_KINDS, Block, Document

PASSAGES_FILE = "passages.jsonl"
MAX_WINDOW_WORDS = 70
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"“])")


@dataclass(slots=True)
class Passage:
    """One retrievable, citable unit of the notes.

    Attributes:
        id: Position in the passage list (and row in the vector index).
        source: File it comes from.
        line_start: First line cited.
        line_end: Last line cited (spans are at most 12 lines).
        kind: Block kind (bullet, paragraph, table, ...).
        text: The passage text.
        section: Section path.
        context: Section path and bullet ancestry.
        entities: Entities the passage names.
        topics: Entities its headings and ancestry are about.
        block_id: The block it comes from.
        parent: The passage of the enclosing list item, if any.
    """

    id: int
    source: str
    line_start: int
    line_end: int
    kind: str
    text: str
    section: str
    context: str
    entities: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    block_id: int = -1
    parent: int | None = None  # the passage of the list item this one is nested under

    def index_text(self) -> str:
        """What the indexes see: the context, then the text."""
        return f"{self.context}: {self.text}" if self.context else self.text


def build_passages(documents: list[Document], extraction: Extraction, *, max_span: int = 12) -> list[Passage]:
    """Passages of every content block, table rows and long-paragraph windows split out."""
    passages: list[Passage] = []
    for document in documents:
        first_passage: dict[int, int] = {}
        for block in document.blocks:
            if block.kind in NON_CONTENT_KINDS or not block.text.strip():
                continue
            key = (document.source, block.id)
            template = Passage(
                id=-1,
                source=document.source,
                line_start=block.line_start,
                line_end=block.line_end,
                kind=block.kind,
                text="",
                section=document.section_path(block.section_id),
                context=document.context(block),
                entities=list(dict.fromkeys(m.entity_id for m in extraction.mentions.get(key, []))),
                topics=extraction.topics.get(key, []),
                block_id=block.id,
                parent=first_passage.get(block.parent_id) if block.parent_id is not None else None,
            )
            first_passage[block.id] = len(passages)
            for text, start, end, kind, extra in _pieces(document, block, max_span):
                context = template.context
                context = f"{context} | {extra}" if extra and context else (context or extra)
                passages.append(
                    replace(
                        template,
                        id=len(passages),
                        text=text,
                        line_start=start,
                        line_end=end,
                        kind=kind,
                        context=context,
                    )
                )
    return passages


DELIMITER_ROW_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _pieces(document: Document, block: Block, max_span: int) -> list[tuple[str, int, int, str, str]]:
    """(text, line start, line end, kind, extra context) of the passages of one block."""
    pieces: list[tuple[str, int, int, str, str]] = []
    if block.kind == "table":
        lines = document.lines[block.line_start - 1 : block.line_end]
        header = lines[0].strip()
        for offset, line in enumerate(lines[1:], start=1):
            if line.strip() and not DELIMITER_ROW_RE.match(line):
                row = block.line_start + offset
                pieces.append((line.strip(), row, row, "table-row", f"table: {header}"))
    if block.kind == "keyvalue":  # each "Key: value" line is a fact of its own, cited by its line
        for offset, line in enumerate(block.text.split("\n")):
            row = block.line_start + offset
            pieces.append((line.strip(), row, row, "keyvalue", ""))
        return pieces
    if block.kind == "table" or block.line_end - block.line_start + 1 > max_span:
        for start in range(block.line_start, block.line_end + 1, max_span):
            end = min(block.line_end, start + max_span - 1)
            pieces.append((document.span_text(start, end).strip(), start, end, block.kind, ""))
    elif len(block.text.split()) > MAX_WINDOW_WORDS * 1.5:
        pieces += [(window, block.line_start, block.line_end, block.kind, "") for window in _windows(block.text)]
    else:
        pieces.append((block.text, block.line_start, block.line_end, block.kind, ""))
    return pieces


def _windows(text: str) -> list[str]:
    sentences = _SENTENCE_RE.split(text)
    windows: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        words = len(sentence.split())
        if current and count + words > MAX_WINDOW_WORDS:
            windows.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += words
    if current:
        windows.append(" ".join(current))
    return windows


def save_passages(passages: list[Passage], folder: Path) -> None:
    with (folder / PASSAGES_FILE).open("w", encoding="utf-8") as out:
        for passage in passages:
            out.write(json.dumps(asdict(passage), ensure_ascii=False) + "\n")


def load_passages(folder: Path) -> list[Passage]:
    with (folder / PASSAGES_FILE).open(encoding="utf-8") as handle:
        return [Passage(**json.loads(line)) for line in handle if line.strip()]
