"""Every Markdown construct the parser handles, on the fixtures and on small inline strings.

Line numbers are the ones `grep -n` prints on ``tests/data/azure-notes.md`` and ``tests/data/edge-cases.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.model import Block, Document
from ingest.parse import parse_file, parse_string
from ingest.parse.markdown import clean_inline, parse_markdown, split_table_row

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def azure() -> Document:
    return parse_file(DATA / "azure-notes.md")


@pytest.fixture(scope="module")
def edge() -> Document:
    return parse_file(DATA / "edge-cases.md")


@pytest.fixture(scope="module")
def docs(azure: Document, edge: Document) -> dict[str, Document]:
    return {"azure": azure, "edge": edge}


def block_at(doc: Document, line: int) -> Block:
    """The one block whose span holds ``line``."""
    found = [b for b in doc.blocks if b.line_start <= line <= b.line_end]
    assert len(found) == 1, (line, found)
    return found[0]


def md(text: str) -> Document:
    return parse_string(text, "inline.md")


def shape(doc: Document) -> list[tuple[str, int, int]]:
    return [(b.kind, b.line_start, b.line_end) for b in doc.blocks]


# --- whole-file invariants ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["azure", "edge"])
def test_markdown_every_nonblank_line_in_exactly_one_block(docs: dict[str, Document], name: str) -> None:
    doc = docs[name]
    assert doc.format == "markdown"
    owners: dict[int, int] = {}
    for block in doc.blocks:
        for number in range(block.line_start, block.line_end + 1):
            assert number not in owners, (number, block)
            owners[number] = block.id
    assert [n for n, text in enumerate(doc.lines, 1) if text.strip() and n not in owners] == []


@pytest.mark.parametrize(
    ("name", "file_name", "lines"), [("azure", "azure-notes.md", 391), ("edge", "edge-cases.md", 98)]
)
def test_markdown_fixture_line_count(
    docs: dict[str, Document],
    name: str,
    file_name: str,
    lines: int,
) -> None:
    data = (DATA / file_name).read_bytes()
    assert len(docs[name].lines) == lines == data.count(b"\n") + (not data.endswith(b"\n"))


# --- front matter ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "end", "first", "contains"),
    [
        ("azure", 7, 'title: "Azure Fundamentals & Administrator - Study Notes"', "exams: [AZ-900, AZ-104]"),
        ("edge", 4, "title: Markdown edge cases for the notes parser", "tags: [fixture, parser]"),
    ],
)
def test_markdown_front_matter(
    docs: dict[str, Document],
    name: str,
    end: int,
    first: str,
    contains: str,
) -> None:
    block = docs[name].blocks[0]
    assert (block.kind, block.line_start, block.line_end) == ("frontmatter", 1, end)
    assert block.text.splitlines()[0] == first
    assert contains in block.text.splitlines()
    assert "---" not in block.text.splitlines()
    assert block.section_id == 0  # front matter opens no section: its `---` is not a setext underline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\na: 1\n---\n# T\n", [("frontmatter", 1, 3), ("heading", 4, 4)]),
        ("+++\na = 1\n+++\n# T\n", [("frontmatter", 1, 3), ("heading", 4, 4)]),
        ("---\na: 1\n...\nText.\n", [("frontmatter", 1, 3), ("paragraph", 4, 4)]),
        ("Text.\n\n---\na: 1\n---\n", [("paragraph", 1, 1), ("rule", 3, 3), ("heading", 4, 5)]),
    ],
)
def test_markdown_front_matter_inline(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert shape(md(text)) == expected


# --- table of contents -------------------------------------------------------------------------------


TOC_ENTRIES = [
    "Core Concepts",
    "Azure Storage",
    "Redundancy",
    "Blob Storage",
    "Access Tiers",
    "Azure Files",
    "Queue Storage",
    "Create a storage account",
    "Compute",
    "Virtual Machines",
    "Azure Functions",
    "Containers",
    "Databases",
    "Networking",
    "Network Security Groups",
    "Messaging and Events",
    "Monitoring and Backup",
    "Identity and Governance",
]


@pytest.mark.parametrize(("start", "end", "entries"), [(19, 36, TOC_ENTRIES)])
def test_markdown_toc_kept_as_navigation(azure: Document, start: int, end: int, entries: list[str]) -> None:
    block = block_at(azure, 25)
    assert (block.kind, block.line_start, block.line_end) == ("navigation", start, end)
    assert block.text.splitlines() == entries
    # Every entry names a real section further down (the anchors are not dropped, only kept apart).
    assert set(entries) <= {s.title for s in azure.sections if s.line > end}
    assert azure.section_path(block.section_id) == "Azure Study Notes (AZ-900 / AZ-104) > Table of Contents"
    assert not [b for b in azure.blocks if b.kind == "bullet" and start <= b.line_start <= end]
    assert block not in azure.content_blocks()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- [A](#a)\n  - [B](#b)\n- [C](#c)\n\n# A\n", [("navigation", 1, 3), ("heading", 5, 5)]),
        ("* [A](#a) · [B](#b)\n", [("navigation", 1, 1)]),
        ("- [A](#a)\n- [Docs](https://example.com)\n", [("navigation", 1, 1), ("bullet", 2, 2)]),
    ],
)
def test_markdown_toc_inline(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert shape(md(text)) == expected


# --- headings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "end", "title", "level", "path"),
    [
        ("azure", 9, 9, "Azure Study Notes (AZ-900 / AZ-104)", 1, "Azure Study Notes (AZ-900 / AZ-104)"),
        ("azure", 56, 56, "Azure Storage", 1, "Azure Storage"),
        ("azure", 97, 97, "Access Tiers", 3, "Azure Storage > Blob Storage > Access Tiers"),
        ("azure", 121, 121, "Queue Storage", 2, "Azure Storage > Queue Storage"),  # `##Queue Storage`
        ("azure", 162, 162, "Compute", 1, "Compute"),  # `#  Compute`
        ("azure", 292, 292, "Service Bus", 3, "Messaging and Events > Service Bus"),  # skips level 2
        ("azure", 365, 365, "Azure Policy", 4, "Identity and Governance > Azure Policy"),
        ("azure", 40, 41, "Core Concepts", 1, "Core Concepts"),  # setext `===`
        ("azure", 236, 237, "Azure Cosmos DB", 2, "Databases > Azure Cosmos DB"),  # setext `---`
        ("azure", 334, 335, "Azure Backup", 2, "Monitoring and Backup > Azure Backup"),
        ("edge", 12, 13, "Setext level one", 1, "Setext level one"),
        ("edge", 15, 16, "Setext level two", 2, "Setext level one > Setext level two"),
        ("edge", 20, 20, "Heading without a space", 2, "Setext level one > Heading without a space"),
        ("edge", 24, 24, "Heading with two spaces", 1, "Heading with two spaces"),
        ("edge", 34, 34, "Nested lists", 2, "Heading with two spaces > Nested lists"),
    ],
)
def test_markdown_headings(
    docs: dict[str, Document], name: str, line: int, end: int, title: str, level: int, path: str
) -> None:
    doc = docs[name]
    block = block_at(doc, line)
    assert (block.kind, block.text, block.line_start, block.line_end) == ("heading", title, line, end)
    section = doc.sections[block.section_id]
    assert (section.title, section.level, section.line) == (title, level, line)
    assert doc.section_path(section.id) == path


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("# A\n\n## B\n\n### C\n\n## D\n", [("A", 1, 0), ("B", 2, 1), ("C", 3, 2), ("D", 2, 1)]),
        ("##Title\n", [("Title", 2, 0)]),
        ("#  Two spaces\n", [("Two spaces", 1, 0)]),
        ("## Closed ##\n", [("Closed", 2, 0)]),
        ("   ### Indented three\n", [("Indented three", 3, 0)]),
        ("###### Six\n####### Seven is text\n", [("Six", 6, 0)]),
        ("# **Bold** `code` [link](#x)\n", [("Bold code link", 1, 0)]),
        ("Title\n===\n\nSub\n---\n", [("Title", 1, 0), ("Sub", 2, 1)]),
        ("Two line\ntitle\n=====\n", [("Two line title", 1, 0)]),
    ],
)
def test_markdown_headings_inline(text: str, titles: list[tuple[str, int, int]]) -> None:
    doc = md(text)
    assert [(s.title, s.level, s.parent_id) for s in doc.sections[1:]] == titles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#5 items to learn\n", [("paragraph", 1, 1)]),
        ("    # indented four is code\n", [("code", 1, 1)]),
        ("Text\n\n---\n", [("paragraph", 1, 1), ("rule", 3, 3)]),
    ],
)
def test_markdown_not_headings_inline(text: str, expected: list[tuple[str, int, int]]) -> None:
    doc = md(text)
    assert shape(doc) == expected
    assert len(doc.sections) == 1


# --- lists ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "depth", "parent_line", "ordered", "text"),
    [
        ("azure", 46, 0, None, False, "Hierarchy, from top to bottom:"),
        ("azure", 47, 1, 46, True, "Management groups"),
        ("azure", 50, 1, 46, True, "Resources"),
        ("azure", 81, 0, None, False, "Three blob types:"),
        ("azure", 83, 1, 81, False, "Block blobs - text and binary data"),  # `*` after a blank line
        ("azure", 85, 2, 83, False, "Max 50,000 blocks per blob."),  # `+` after a blank line
        ("azure", 86, 2, 83, False, "Max size of a block blob: 190.7 TiB."),
        ("azure", 88, 1, 81, False, "Append blobs"),
        ("azure", 90, 1, 81, False, "Page blobs"),
        ("azure", 92, 2, 90, False, "Unmanaged VM disks are stored as page blobs"),
        ("azure", 94, 0, None, False, "Blob soft delete"),
        ("azure", 140, 0, None, True, "Choose a region and a performance tier:"),
        ("azure", 141, 1, 140, False, "Standard for general-purpose v2 accounts"),
        ("azure", 143, 0, None, True, "Choose the redundancy"),
        ("azure", 201, 1, 200, True, "Consumption - pay per execution."),
        ("azure", 203, 2, 201, False, "The function timeout defaults to 5 minutes"),
        ("azure", 205, 2, 201, False, "Scales out to at most 200 instances"),
        ("azure", 207, 1, 200, True, "Premium - pre-warmed instances"),
        ("azure", 209, 0, None, False, "HTTP-triggered functions"),
        ("azure", 340, 1, 339, True, "Up to 9,999 recovery points"),
        ("azure", 342, 0, None, True, "The standard VM policy backs up once a day."),
        ("edge", 36, 0, None, False, "Dash item"),
        ("edge", 37, 1, 36, False, "Star sub-item"),
        ("edge", 38, 2, 37, False, "Plus sub-sub-item"),
        ("edge", 39, 0, None, True, "First numbered item"),
        ("edge", 41, 1, 40, True, "Nested numbered item"),
        ("edge", 47, 1, 45, False, "Sub-item after a blank line"),
        ("edge", 49, 0, None, False, "Second loose item"),
    ],
)
def test_markdown_list_depth_and_parent(
    docs: dict[str, Document],
    name: str,
    line: int,
    depth: int,
    parent_line: int | None,
    ordered: bool,
    text: str,
) -> None:
    doc = docs[name]
    block = block_at(doc, line)
    assert (block.kind, block.line_start, block.depth, block.ordered) == ("bullet", line, depth, ordered)
    assert block.text.startswith(text)
    parent = None if block.parent_id is None else doc.blocks[block.parent_id]
    assert (parent.line_start if parent else None) == parent_line
    assert len(doc.ancestry(block)) == depth


def test_markdown_paragraph_announcing_a_list_is_its_parent() -> None:
    doc = md(
        "# Peering\n\nTo peer two VNets:\n1. Open the VNet\n2. Add a peering\n\nA plain paragraph.\n- loose item\n"
    )
    intro = block_at(doc, 3)
    steps = [block_at(doc, line) for line in (4, 5)]
    assert intro.kind == "paragraph" and all(step.parent_id == intro.id for step in steps)
    assert doc.context(steps[1]) == "Peering > To peer two VNets"
    assert block_at(doc, 8).parent_id is None  # a paragraph without a colon announces nothing


@pytest.mark.parametrize(
    ("name", "line", "context"),
    [
        ("azure", 47, "Core Concepts > Hierarchy, from top to bottom"),
        (
            "azure",
            85,
            "Azure Storage > Blob Storage > Three blob types > "
            "Block blobs - text and binary data, made of blocks of up to 4,000 MiB each.",
        ),
        ("azure", 203, "Compute > Azure Functions > Hosting plans > Consumption - pay per execution."),
        ("azure", 141, "Azure Storage > Create a storage account > Choose a region and a performance tier"),
        ("azure", 169, "Compute > Virtual Machines > SLA"),
        ("azure", 357, "Identity and Governance > Azure Key Vault stores secrets, keys and certificates."),
        ("edge", 38, "Heading with two spaces > Nested lists > Dash item > Star sub-item"),
    ],
)
def test_markdown_context_of_list_items(
    docs: dict[str, Document],
    name: str,
    line: int,
    context: str,
) -> None:
    assert docs[name].context(block_at(docs[name], line)) == context


@pytest.mark.parametrize(
    ("name", "start", "end", "text"),
    [
        ("edge", 53, 54, "An item whose text continues on the next indented line."),
        ("edge", 55, 56, "An item whose text continues on a line with no indentation at all."),
        (
            "azure",
            114,
            115,
            "Azure Files offers fully managed file shares in the cloud that can be mounted "
            "over SMB 3.x and NFS 4.1 from Windows, Linux and macOS.",
        ),
    ],
)
def test_markdown_lazy_continuation(
    docs: dict[str, Document],
    name: str,
    start: int,
    end: int,
    text: str,
) -> None:
    block = block_at(docs[name], end)
    assert (block.kind, block.line_start, block.line_end, block.text) == ("bullet", start, end, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n  - b\n    - c\n- d\n", [("a", 0, None), ("b", 1, 0), ("c", 2, 1), ("d", 0, None)]),
        ("* a\n+ b\n- c\n", [("a", 0, None), ("b", 0, None), ("c", 0, None)]),
        ("- a\n\n  - b\n\n- c\n", [("a", 0, None), ("b", 1, 0), ("c", 0, None)]),
        (
            "1. one\n2. two\n   - sub\n10. ten\n",
            [("one", 0, None), ("two", 0, None), ("sub", 1, 1), ("ten", 0, None)],
        ),
        ("1) one\n   1) nested\n", [("one", 0, None), ("nested", 1, 0)]),
        ("\t- tab indented\n\t\t- deeper\n", [("tab indented", 0, None), ("deeper", 1, 0)]),
        ("  - indented first item\n  - sibling\n", [("indented first item", 0, None), ("sibling", 0, None)]),
    ],
)
def test_markdown_lists_inline(text: str, expected: list[tuple[str, int, int | None]]) -> None:
    doc = md(text)
    assert [(b.text, b.depth, b.parent_id) for b in doc.blocks] == expected
    assert {b.kind for b in doc.blocks} == {"bullet"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\nlazy\n- b\n", [("bullet", 1, 2, "a lazy"), ("bullet", 3, 3, "b")]),
        ("- a\n\n  more of a\n- b\n", [("bullet", 1, 3, "a more of a"), ("bullet", 4, 4, "b")]),
        ("- a\n\nnot part of a\n", [("bullet", 1, 1, "a"), ("paragraph", 3, 3, "not part of a")]),
        ("- a\n  - b\n\n    more of b\n", [("bullet", 1, 1, "a"), ("bullet", 2, 4, "b more of b")]),
    ],
)
def test_markdown_continuation_inline(text: str, expected: list[tuple[str, int, int, str]]) -> None:
    assert [(b.kind, b.line_start, b.line_end, b.text) for b in md(text).blocks] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A block between an item and an indented line: the line does not stretch the item over it.
        (
            "- a\n  ```\n  code\n  ```\n  after the code\n  - b\n",
            [("bullet", 1, 1, 0), ("code", 2, 4, 0), ("paragraph", 5, 5, 0), ("bullet", 6, 6, 1)],
        ),
        ("- a\n<!-- c -->\nTitle\n", [("bullet", 1, 1, 0), ("comment", 2, 2, 0), ("paragraph", 3, 3, 0)]),
        ("- a\n> q\n  lazy\n", [("bullet", 1, 1, 0), ("quote", 2, 3, 0)]),
    ],
)
def test_markdown_item_never_spans_another_block(
    text: str,
    expected: list[tuple[str, int, int, int]],
) -> None:
    assert [(b.kind, b.line_start, b.line_end, b.depth) for b in md(text).blocks] == expected


# --- tables --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "start", "end", "header", "path"),
    [
        (
            "azure",
            70,
            68,
            73,
            [
                "Option",
                "Copies of data",
                "Where the copies live",
                "Durability (per year)",
                "Secondary readable?",
                "Survives",
            ],
            "Azure Storage > Redundancy",
        ),
        (
            "azure",
            101,
            99,
            105,
            ["", "Hot", "Cool", "Cold", "Archive"],
            "Azure Storage > Blob Storage > Access Tiers",
        ),
        (
            "azure",
            280,
            277,
            284,
            ["Feature", "NSG", "Azure Firewall"],
            "Networking > Network Security Groups",
        ),
        ("edge", 62, 60, 62, ["", "Hot", "Cool"], "Heading with two spaces > Table with empty first header"),
        (
            "edge",
            68,
            66,
            68,
            ["Name", "A", "B", "C", "D"],
            "Heading with two spaces > Wide table with line breaks",
        ),
    ],
)
def test_markdown_pipe_tables(
    docs: dict[str, Document], name: str, line: int, start: int, end: int, header: list[str], path: str
) -> None:
    doc = docs[name]
    block = block_at(doc, line)
    assert (block.kind, block.line_start, block.line_end) == ("table", start, end)
    rows = [row.split(" | ") for row in block.text.split("\n")]
    assert [cell.strip() for cell in rows[0]] == header
    assert len(rows) == end - start  # the delimiter row is dropped
    assert all(len(row) == len(header) for row in rows)
    assert doc.section_path(block.section_id) == path


@pytest.mark.parametrize(
    ("name", "line", "row_start", "cell"),
    [
        ("azure", 72, "GRS | 6", "LRS in primary region; + LRS in the paired region"),
        ("azure", 303, "Max message size | 64 KB", "256 KB (Standard); 100 MB (Premium)"),
        ("edge", 68, "Row one", "a1; a2"),
    ],
)
def test_markdown_table_br_cells(
    docs: dict[str, Document],
    name: str,
    line: int,
    row_start: str,
    cell: str,
) -> None:
    block = block_at(docs[name], line)
    row = next(r for r in block.text.split("\n") if r.startswith(row_start))
    assert cell in row.split(" | ")
    assert "<br>" not in block.text


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("|   | Hot | Cool<br>tier |", ["", "Hot", "Cool; tier"]),
        ("| a | b |", ["a", "b"]),
        ("a | b", ["a", "b"]),
        ("| `x \\| y` | **z** |", ["x | y", "z"]),
        ("| ✅ | ❌ |", ["✅", "❌"]),
        ("| [docs](https://x.y) | <br/> |", ["docs", ";"]),
    ],
)
def test_markdown_split_table_row(line: str, cells: list[str]) -> None:
    assert split_table_row(line) == cells


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("| a | b |\n|---|---|\n| 1 | 2 |\n", [("table", 1, 3)]),
        ("a | b\n--- | ---\n1 | 2\n", [("table", 1, 3)]),
        ("|  | X |\n|:---|---:|\n| r<br>s | 1 |\n\nafter\n", [("table", 1, 3), ("paragraph", 5, 5)]),
        ("Comparison:\n| a | b |\n|---|---|\n| 1 | 2 |\n", [("paragraph", 1, 1), ("table", 2, 4)]),
        ("- item\n| a | b |\n|---|---|\n", [("bullet", 1, 1), ("table", 2, 3)]),
        ("| a | b |\nno delimiter row\n", [("paragraph", 1, 2)]),
    ],
)
def test_markdown_tables_inline(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert shape(md(text)) == expected


# --- code ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "start", "end", "first_lines"),
    [
        ("azure", 150, 149, 158, ["[bash]", "az group create --name rg-notes --location westeurope"]),
        ("azure", 375, 369, 387, ["[json]", "{", '  "properties": {']),
        ("edge", 73, 72, 74, ["[bash]", 'echo "# not a heading"']),
        ("edge", 77, 76, 78, ["- not a list item"]),
        ("edge", 82, 82, 82, ["| not | a | table |"]),  # indented code
    ],
)
def test_markdown_code_blocks(
    docs: dict[str, Document], name: str, line: int, start: int, end: int, first_lines: list[str]
) -> None:
    block = block_at(docs[name], line)
    assert (block.kind, block.line_start, block.line_end) == ("code", start, end)
    assert block.text.split("\n")[: len(first_lines)] == first_lines


@pytest.mark.parametrize("title", ["not a heading"])
def test_markdown_code_and_comments_open_no_sections(edge: Document, title: str) -> None:
    assert title not in {s.title for s in edge.sections}
    assert not [b for b in edge.blocks if b.kind == "bullet" and "not a list item" in b.text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("```\n# no\n- no\n```\nafter\n", [("code", 1, 4), ("paragraph", 5, 5)]),
        ("~~~~\ncode\n~~~\nstill\n~~~~\n", [("code", 1, 5)]),
        ("```python\nx = 1\n\n\ny = 2\n```\n", [("code", 1, 6)]),
        ("```\nunclosed\n\nstill code\n", [("code", 1, 4)]),
        ("Intro line\n```\ncode\n```\n", [("paragraph", 1, 1), ("code", 2, 4)]),
        ("    indented code\n    more\n\ntext\n", [("code", 1, 2), ("paragraph", 4, 4)]),
    ],
)
def test_markdown_code_inline(text: str, expected: list[tuple[str, int, int]]) -> None:
    doc = md(text)
    assert shape(doc) == expected
    assert len(doc.sections) == 1


# --- blockquotes, comments, rules, emoji ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "start", "end", "text"),
    [
        ("azure", 52, 52, 52, "Note: Azure Resource Manager (ARM) is the deployment and management layer"),
        ("azure", 249, 246, 250, "Tip: Cosmos DB vs Azure SQL Database: pick Cosmos DB for schema-less data"),
        ("edge", 87, 86, 87, "Note: first line of the quote continues here."),
    ],
)
def test_markdown_blockquotes(
    docs: dict[str, Document],
    name: str,
    line: int,
    start: int,
    end: int,
    text: str,
) -> None:
    block = block_at(docs[name], line)
    assert (block.kind, block.line_start, block.line_end) == ("quote", start, end)
    assert block.text.startswith(text)
    assert ">" not in block.text.split(":")[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("> q1\n> q2\nlazy\n\n> q3\n", [("quote", 1, 3, "q1 q2 lazy"), ("quote", 5, 5, "q3")]),
        ("> a\n>\n> b\n", [("quote", 1, 3, "a b")]),
        ("> **Tip:** use `x`\n", [("quote", 1, 1, "Tip: use x")]),
    ],
)
def test_markdown_blockquotes_inline(text: str, expected: list[tuple[str, int, int, str]]) -> None:
    assert [(b.kind, b.line_start, b.line_end, b.text) for b in md(text).blocks] == expected


@pytest.mark.parametrize(
    ("name", "start", "end", "contains"),
    [
        ("azure", 11, 11, "TODO: add a section on Azure Virtual Desktop"),
        ("azure", 130, 133, "Exam trap"),
        ("azure", 286, 286, "Max 200 NSGs?"),
        ("edge", 8, 8, "single-line comment"),
        ("edge", 91, 94, "# not a heading"),
    ],
)
def test_markdown_html_comments(
    docs: dict[str, Document],
    name: str,
    start: int,
    end: int,
    contains: str,
) -> None:
    block = block_at(docs[name], start)
    assert (block.kind, block.line_start, block.line_end) == ("comment", start, end)
    assert contains in block.text
    assert block not in docs[name].content_blocks()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!-- a\nb -->\ntext\n", [("comment", 1, 2), ("paragraph", 3, 3)]),
        ("<!--\n- x\n# y\n", [("comment", 1, 3)]),  # unclosed: runs to the end
        ("text\n<!-- c -->\n", [("paragraph", 1, 1), ("comment", 2, 2)]),
    ],
)
def test_markdown_html_comments_inline(text: str, expected: list[tuple[str, int, int]]) -> None:
    doc = md(text)
    assert shape(doc) == expected
    assert len(doc.sections) == 1


@pytest.mark.parametrize(
    ("name", "lines"),
    [("azure", [38, 54, 160, 220, 252, 288, 322, 349]), ("edge", [30])],
)
def test_markdown_rules(docs: dict[str, Document], name: str, lines: list[int]) -> None:
    rules = [b for b in docs[name].blocks if b.kind == "rule"]
    assert [(b.line_start, b.line_end) for b in rules] == [(n, n) for n in lines]


@pytest.mark.parametrize(("before", "after"), [(28, 32)])
def test_markdown_rule_after_blank_is_no_setext_underline(edge: Document, before: int, after: int) -> None:
    assert block_at(edge, before).kind == block_at(edge, after).kind == "paragraph"
    assert block_at(edge, before).section_id == block_at(edge, after).section_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "text\n\n---\n\n***\n___\n- - -\n",
            [("paragraph", 1, 1), ("rule", 3, 3), ("rule", 5, 5), ("rule", 6, 6), ("rule", 7, 7)],
        ),
        ("- a\n\n---\n- b\n", [("bullet", 1, 1), ("rule", 3, 3), ("bullet", 4, 4)]),
    ],
)
def test_markdown_rules_inline(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert shape(md(text)) == expected


@pytest.mark.parametrize(
    ("name", "line", "kind", "start"),
    [
        ("azure", 75, "paragraph", "💡 Exam tip: LRS is the cheapest option"),
        ("azure", 110, "paragraph", "⚠️ Changing the default access tier"),
        ("azure", 389, "bullet", "✅ Use deny to block non-compliant deployments."),
        ("azure", 390, "bullet", "❌ Do not use audit if you expect creation to fail"),
        ("edge", 98, "paragraph", "✅ Bold, inline code, a link and emoji ❌ 💡 ⚠️."),
    ],
)
def test_markdown_emoji_kept(docs: dict[str, Document], name: str, line: int, kind: str, start: str) -> None:
    block = block_at(docs[name], line)
    assert (block.kind, block.line_start) == (kind, line)
    assert block.text.startswith(start)


@pytest.mark.parametrize(
    ("line", "cells"),
    [(280, ["Stateful", "✅", "✅"]), (281, ["FQDN filtering", "❌", "✅"])],
)
def test_markdown_emoji_table_cells(azure: Document, line: int, cells: list[str]) -> None:
    table = block_at(azure, line)
    assert " | ".join(cells) in table.text.split("\n")


# --- sections of ordinary blocks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "kind", "path"),
    [
        ("azure", 13, "paragraph", "Azure Study Notes (AZ-900 / AZ-104)"),
        ("azure", 61, "bullet", "Azure Storage"),
        ("azure", 117, "bullet", "Azure Storage > Azure Files"),
        ("azure", 125, "bullet", "Azure Storage > Queue Storage"),
        ("azure", 178, "paragraph", "Compute > Virtual Machines > Managed disks"),
        ("azure", 241, "bullet", "Databases > Azure Cosmos DB"),
        ("azure", 296, "bullet", "Messaging and Events > Service Bus"),
        ("azure", 312, "bullet", "Messaging and Events > Event Grid and Event Hubs"),
        ("azure", 345, "paragraph", "Monitoring and Backup > Azure Backup"),
        ("azure", 391, "bullet", "Identity and Governance > Azure Policy"),
        ("edge", 32, "paragraph", "Heading with two spaces > Horizontal rule"),
    ],
)
def test_markdown_section_paths(
    docs: dict[str, Document],
    name: str,
    line: int,
    kind: str,
    path: str,
) -> None:
    block = block_at(docs[name], line)
    assert (block.kind, block.line_start) == (kind, line)
    assert docs[name].section_path(block.section_id) == path


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("**Max** size: `5 TiB`, see [docs](https://x.y)<br>now", "Max size: 5 TiB, see docs; now"),
        ("__bold__ and *italic* and _under_ and ~~gone~~", "bold and italic and under and gone"),
        ("![diagram](img.png) <kbd>Ctrl</kbd>", "diagram Ctrl"),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
    ],
)
def test_markdown_clean_inline(text: str, cleaned: str) -> None:
    assert clean_inline(text) == cleaned


def test_markdown_a_bold_line_heads_a_section_below_the_last_heading() -> None:
    lines = [
        "# Identity",
        "",
        "## Hierarchy",
        "- one tenant",
        "",
        "**Tags**",
        "- up to 50 tags",
        "",
        "**Locks:**",
        "- two kinds",
    ]
    doc = parse_markdown(lines, "n.md")
    sections = {b.line_start: doc.section_path(b.section_id) for b in doc.blocks if b.kind == "bullet"}
    assert sections[4] == "Identity > Hierarchy"
    assert sections[7] == "Identity > Hierarchy > Tags"
    assert sections[10] == "Identity > Hierarchy > Locks"
    # bold words inside a line are no heading
    doc = parse_markdown(["# S3", "", "**Max** size is 5 TB"], "n.md")
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph"]
