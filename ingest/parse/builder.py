"""Shared machinery of the format parsers: the section stack and the list-item stack."""

from __future__ import annotations

from ingest.model import Block, Document, Section


class DocumentBuilder:
    """Accumulate sections and blocks in line order into a ``Document``.

    The builder keeps the stack of open sections (so a heading of level L closes every open
    section of level >= L) and the stack of open list items (so an item's parent is the nearest
    open item that is less indented).
    """

    def __init__(self, source: str, fmt: str, lines: list[str], sha256: str = "") -> None:
        self.document = Document(source=source, format=fmt, lines=lines, sha256=sha256)
        self.document.sections.append(Section(id=0, title="", level=0, line=1, parent_id=None))
        self._open_sections: list[Section] = [self.document.sections[0]]
        self._open_items: list[tuple[int, int]] = []  # (indent column, block id)
        self.title_intros = False  # a short title line right above a list heads it (Markdown)

    @property
    def current_section(self) -> Section:
        return self._open_sections[-1]

    def open_section(self, title: str, level: int, line: int) -> Section:
        """Open a section at ``level``, closing open sections of the same or a deeper level."""
        while len(self._open_sections) > 1 and self._open_sections[-1].level >= level:
            self._open_sections.pop()
        section = Section(
            id=len(self.document.sections),
            title=title,
            level=level,
            line=line,
            parent_id=self._open_sections[-1].id,
        )
        self.document.sections.append(section)
        self._open_sections.append(section)
        self.close_list()
        return section

    def close_list(self) -> None:
        """Forget the open list items (a heading or an unindented paragraph ends a list)."""
        self._open_items.clear()

    def add_block(
        self,
        kind: str,
        text: str,
        line_start: int,
        line_end: int,
        *,
        depth: int = 0,
        parent_id: int | None = None,
        ordered: bool = False,
    ) -> Block:
        block = Block(
            id=len(self.document.blocks),
            kind=kind,
            text=text,
            line_start=line_start,
            line_end=line_end,
            section_id=self.current_section.id,
            depth=depth,
            parent_id=parent_id,
            ordered=ordered,
        )
        self.document.blocks.append(block)
        return block

    def add_item(self, indent: int, text: str, line: int, *, ordered: bool = False) -> Block:
        """Add a list item whose marker sits at column ``indent``; its parent is the nearest
        open item with a smaller indent."""
        if not self._open_items:
            self._open_intro(line)
        while self._open_items and self._open_items[-1][0] >= indent:
            self._open_items.pop()
        parent = self._open_items[-1][1] if self._open_items else None
        block = self.add_block(
            "bullet", text, line, line, depth=len(self._open_items), parent_id=parent, ordered=ordered
        )
        self._open_items.append((indent, block.id))
        return block

    def _open_intro(self, line: int) -> None:
        """A paragraph that announces a list ("To peer two VNets in the portal:") right before it
        is the parent of the list's items."""
        blocks = self.document.blocks
        previous = blocks[-1] if blocks else None
        if (
            previous is not None
            and previous.kind == "paragraph"
            and previous.section_id == self.current_section.id
            and (
                (previous.text.rstrip().endswith(":") and line - previous.line_end <= 2)
                # a short title line right above the list ("State Locking"), a heading in all but syntax
                or (
                    self.title_intros
                    and line == previous.line_end + 1
                    and previous.line_start == previous.line_end
                    and 0 < len(previous.text.split()) <= 6
                    and previous.text.rstrip()[-1:].isalnum()
                )
            )
        ):
            self._open_items.append((-1, previous.id))

    def retarget_open_item(self, block_id: int) -> None:
        """Point the innermost open list item at ``block_id`` (after merging it into that block)."""
        indent, _ = self._open_items[-1]
        self._open_items[-1] = (indent, block_id)

    def last_item(self) -> Block | None:
        """The most recently opened list item that is still open, if any."""
        return self.document.blocks[self._open_items[-1][1]] if self._open_items else None

    def extend(self, block: Block, text: str, line_end: int) -> None:
        """Append a continuation line to ``block``."""
        block.text = f"{block.text} {text}".strip() if text else block.text
        block.line_end = line_end

    def build(self) -> Document:
        return self.document
