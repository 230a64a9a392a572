"""Parser for Markdown notes, line-oriented so every block keeps its exact line span.

Handles what real study notes use: front matter, ATX headings (also ``##Title`` and ``#  Title``),
setext headings, nested ``-``/``*``/``+``/``1.`` lists with blank lines between items, lazy and
indented continuation lines, pipe tables (``<br>`` in cells, empty first header cell), fenced and
indented code, blockquotes, HTML comments, tables of contents made of anchor links (kept as
``navigation``), horizontal rules and emoji.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Block, Document
from ingest.parse.builder import DocumentBuilder
from ingest.parse.text import KEYVALUE_RE

ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|(?=[^#\s]))(.*?)(?:[ \t]+#+)?[ \t]*$")
SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
RULE_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
FENCE_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+•]|\d{1,9}[.)])(?:[ \t]+(?P<text>.*)|$)")
QUOTE_RE = re.compile(r"^ {0,3}>[ ]?(?P<text>.*)$")
TABLE_DELIM_RE = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
ANCHOR_ONLY_RE = re.compile(r"^(?:\[[^\]]*\]\(#[^)]*\)[\s,|·•-]*)+$")
LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
EMPHASIS_RE = re.compile(r"(\*\*|__|~~)(.+?)\1")
ITALIC_RE = re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])")
CODE_SPAN_RE = re.compile(r"`+([^`]*)`+")
# Obsidian: "![[embed]]" shows another note (dropped); "[[target|alias]]" reads as its alias.
EMBED_RE = re.compile(r"!\[\[[^\]]*\]\]")
WIKI_LINK_RE = re.compile(r"\[\[([^\]|#^]*)(?:[#^][^\]|]*)?(?:\|([^\]]*))?\]\]")
CALLOUT_RE = re.compile(r"^\s*\[![\w-]+\][+-]?\s*")
# GitBook/Jinja template tags ("{% hint style=\"info\" %}"): markup, not notes.
TEMPLATE_TAG_RE = re.compile(r"\{%.*?%\}")
# A flashcard "Question::Answer" (Obsidian spaced repetition) reads "Question: Answer".
FLASHCARD_RE = re.compile(r"^(?P<front>[^:`]*)::(?=\S)")
SUMMARY_RE = re.compile(r"<summary>(?P<title>.*?)</summary>", re.IGNORECASE)
# "### 1. Region", "#### 04-01. Network Policy": the numbering is no part of the title.
HEADING_NUMBER_RE = re.compile(r"^\d{1,3}(?:[.-]\d{1,3})*[.)]\s+(?=\S)")


def clean_inline(text: str) -> str:
    """Strip inline Markdown: links keep their text, emphasis and code spans their content.

    >>> clean_inline("**Max** size: `5 TiB`, see [docs](https://x.y)<br>now")
    'Max size: 5 TiB, see docs; now'
    >>> clean_inline("see [[dev/vim|vim]] and [[bash]] ![[systemd.svg]]")
    'see vim and bash'
    >>> clean_inline("Deployment slot::An instance of an app")
    'Deployment slot: An instance of an app'
    """
    text = BR_RE.sub("; ", text)
    text = EMBED_RE.sub("", text)
    text = WIKI_LINK_RE.sub(lambda m: m.group(2) or m.group(1).rsplit("/", 1)[-1], text)
    text = TEMPLATE_TAG_RE.sub("", text)
    card = FLASHCARD_RE.match(text) if "::" in text else None
    if card and re.search(r"[\s?]", card.group("front")):  # "std::vector" is no card
        text = f"{card.group('front')}: {text[card.end() :]}"
    text = LINK_RE.sub(r"\1", text)
    text = CODE_SPAN_RE.sub(r"\1", text)
    text = TAG_RE.sub("", text)
    text = EMPHASIS_RE.sub(r"\2", text)
    text = ITALIC_RE.sub(r"\2", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _indent_of(text: str) -> int:
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def split_table_row(line: str) -> list[str]:
    """Split a pipe-table row into cleaned cells (escaped pipes kept inside cells).

    >>> split_table_row("|   | Hot | Cool<br>tier |")
    ['', 'Hot', 'Cool; tier']
    """
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return [clean_inline(c.replace("\\|", "|")) for c in cells]


@dataclass(slots=True)
class _State:
    lines: list[str]
    builder: DocumentBuilder
    i: int = 0
    in_list: bool = False
    after_blank: bool = True
    heading_level: int = 0  # of the last ``#`` or setext heading: a bold line heads a section below it


def parse_markdown(lines: list[str], source: str, *, sha256: str = "") -> Document:
    """Parse the physical ``lines`` of a Markdown file into a ``Document``.

    >>> lines = ["# S3", "", "- Limits", "  - Max 5 TB", "", "| a | b |", "|---|---|", "| 1 | 2 |"]
    >>> doc = parse_markdown(lines, "n.md")
    >>> [(b.kind, b.line_start, b.line_end, b.depth) for b in doc.blocks]
    [('heading', 1, 1, 0), ('bullet', 3, 3, 0), ('bullet', 4, 4, 1), ('table', 6, 8, 0)]
    >>> doc.context(doc.blocks[2])
    'S3 > Limits'
    """
    state = _State(lines=lines, builder=DocumentBuilder(source, "markdown", lines, sha256))
    state.builder.title_intros = True
    _front_matter(state)
    count = len(lines)
    while state.i < count:
        line = lines[state.i]
        if not line.strip():
            state.after_blank = True
            state.i += 1
            continue
        _block(state)
        state.after_blank = False
    return state.builder.build()


def _front_matter(state: _State) -> None:
    lines = state.lines
    if not lines or lines[0].strip() not in {"---", "+++"}:
        return
    closer = {"---": {"---", "..."}, "+++": {"+++"}}[lines[0].strip()]
    for j in range(1, min(len(lines), 200)):
        if lines[j].strip() in closer:
            state.builder.add_block("frontmatter", "\n".join(lines[1:j]), 1, j + 1)
            state.i = j + 1
            return


def _block(state: _State) -> None:
    lines, builder, i = state.lines, state.builder, state.i
    line = lines[i]
    number = i + 1
    stripped = line.strip()
    indent = _indent_of(line)

    if stripped.startswith("<!--"):
        j = i
        rest = stripped[4:]
        while "-->" not in rest and j + 1 < len(lines):
            j += 1
            rest = lines[j]
        builder.add_block("comment", "\n".join(lines[i : j + 1]).strip(), number, j + 1)
        state.i = j + 1
        return

    fence = FENCE_RE.match(line)
    if fence:
        marker = fence.group("fence")
        j = i + 1
        while j < len(lines) and not re.match(rf"^ {{0,3}}{marker[0]}{{{len(marker)},}}\s*$", lines[j]):
            j += 1
        end = min(j, len(lines) - 1)
        body = "\n".join(lines[i + 1 : j])
        info = fence.group("info").strip()
        builder.add_block("code", f"[{info}]\n{body}" if info else body, number, end + 1)
        state.i = end + 1
        return

    atx = ATX_RE.match(line)
    if atx and not (atx.group(1) == "#" and re.match(r"^#\d", stripped)):
        title = HEADING_NUMBER_RE.sub("", clean_inline(atx.group(2))) or clean_inline(atx.group(2))
        builder.open_section(title, len(atx.group(1)), number)
        builder.add_block("heading", title, number, number)
        state.heading_level = len(atx.group(1))
        state.i += 1
        return

    if RULE_RE.match(line) and not (stripped.startswith("*") and ITEM_RE.match(line) and not state.after_blank):
        builder.add_block("rule", stripped, number, number)
        builder.close_list()
        state.i += 1
        return

    if QUOTE_RE.match(line):
        j = i
        texts = []
        while j < len(lines) and lines[j].strip() and (QUOTE_RE.match(lines[j]) or j > i):
            quoted = QUOTE_RE.match(lines[j])
            if not quoted and (ITEM_RE.match(lines[j]) or ATX_RE.match(lines[j])):
                break
            texts.append(quoted.group("text") if quoted else lines[j].strip())
            j += 1
        texts = [CALLOUT_RE.sub("", t) for t in texts]
        builder.add_block("quote", clean_inline(" ".join(t for t in texts if t.strip())), number, j)
        state.i = j
        return

    summary = SUMMARY_RE.search(stripped)
    if summary and clean_inline(summary.group("title")):
        # "<details><summary>Outline state locking</summary>": a collapsible part, a heading in all but syntax
        title = HEADING_NUMBER_RE.sub("", clean_inline(summary.group("title"))) or clean_inline(summary.group("title"))
        builder.open_section(title, min(6, state.heading_level + 1), number)
        builder.add_block("heading", title, number, number)
        state.in_list = False
        state.i += 1
        return
    if _markup_only(stripped):
        builder.add_block("comment", stripped, number, number)  # "<p>", "</details>", "{% hint %}": no notes
        state.i += 1
        return

    if "|" in stripped and i + 1 < len(lines) and TABLE_DELIM_RE.match(lines[i + 1]) and "-" in lines[i + 1]:
        j = i + 2
        while j < len(lines) and lines[j].strip() and "|" in lines[j]:
            j += 1
        rows = [split_table_row(lines[k]) for k in range(i, j) if k != i + 1]
        text = "\n".join(" | ".join(cells) for cells in rows)
        builder.close_list()
        builder.add_block("table", text, number, j)
        state.i = j
        return

    item = ITEM_RE.match(line)
    if item:
        _list_item(state, item)
        return

    last = builder.last_item()
    if last is not None and state.in_list and (indent >= 2 or not state.after_blank):
        # An indented line under an item (after a blank too) or a lazy continuation line.
        j = _paragraph_end(lines, i)
        text = clean_inline(" ".join(x.strip() for x in lines[i:j]))
        if builder.document.blocks[-1] is last:
            builder.extend(last, text, j)
            state.i = j
            return
        if indent >= 2:
            # Another block (code, comment, quote) came between: extending the item would make
            # it overlap that block, so the text stands as a paragraph inside the open list.
            builder.add_block("paragraph", text, number, j)
            state.i = j
            return

    if indent >= 4 and state.after_blank:
        j = i
        while j < len(lines) and (not lines[j].strip() or _indent_of(lines[j]) >= 4):
            j += 1
        while not lines[j - 1].strip():
            j -= 1
        builder.add_block(
            "code", "\n".join(x[4:] if x.startswith("    ") else x.strip() for x in lines[i:j]), number, j
        )
        state.i = j
        return

    j = _paragraph_end(lines, i)
    if j < len(lines) and SETEXT_RE.match(lines[j]):
        level = 1 if lines[j].strip().startswith("=") else 2
        title = clean_inline(" ".join(x.strip() for x in lines[i:j]))
        builder.open_section(title, level, number)
        builder.add_block("heading", title, number, j + 1)
        state.heading_level = level
        state.in_list = False
        state.i = j + 1
        return
    builder.close_list()
    state.in_list = False
    run = [x.strip() for x in lines[i:j]]
    bold = BOLD_HEADING_RE.match(run[0]) if len(run) == 1 else None
    if bold and len(bold.group("title").split()) <= 8 and j < len(lines):
        # "**Tags**" alone on its line, then the notes about tags: a heading in all but syntax,
        # one level below the last real heading
        title = clean_inline(bold.group("title"))
        builder.open_section(title, min(6, state.heading_level + 1), number)
        builder.add_block("heading", title, number, j)
        state.i = j
        return
    if len(run) >= 2 and sum(bool(KEYVALUE_RE.match(x)) for x in run) >= 0.8 * len(run):
        # "Memory: 128 MB to 10 GB" then "Timeout: max 900 seconds": notes written a fact a line,
        # not one paragraph of soft-wrapped text.
        builder.add_block("keyvalue", "\n".join(clean_inline(x) for x in run), number, j)
    else:
        builder.add_block("paragraph", clean_inline(" ".join(run)), number, j)
    state.i = j


# a line that is all bold ("**Networking**", "__Tags:__"): a heading the notes wrote in bold
BOLD_HEADING_RE = re.compile(r"^(?:\*\*|__)(?P<title>[^*_]{1,60}?):?(?:\*\*|__):?$")


def _markup_only(stripped: str) -> bool:
    """A line of HTML or template tags alone ("</p>", "<details>", "{% endhint %}")."""
    if not (stripped.startswith("<") or stripped.startswith("{%")):
        return False
    return not TEMPLATE_TAG_RE.sub("", TAG_RE.sub("", stripped)).strip()


def _paragraph_end(lines: list[str], i: int) -> int:
    """Index after the paragraph starting at ``i`` (stops at blank lines and block starts)."""
    j = i + 1
    while j < len(lines):
        nxt = lines[j]
        if (
            not nxt.strip()
            or SETEXT_RE.match(nxt)
            or ATX_RE.match(nxt)
            or FENCE_RE.match(nxt)
            or QUOTE_RE.match(nxt)
            or ITEM_RE.match(nxt)
            or nxt.strip().startswith("<!--")
            or RULE_RE.match(nxt)
            or _table_header_at(lines, j)
            or _markup_only(nxt.strip())
            or SUMMARY_RE.search(nxt)
        ):
            break
        j += 1
    return j


def _table_header_at(lines: list[str], j: int) -> bool:
    """A pipe row followed by a piped delimiter row: a table interrupting a paragraph (as in GFM)."""
    if j + 1 >= len(lines) or "|" not in lines[j]:
        return False
    delimiter = lines[j + 1]
    return bool(TABLE_DELIM_RE.match(delimiter)) and "|" in delimiter and "-" in delimiter


def _list_item(state: _State, item: re.Match[str]) -> None:
    lines, builder, i = state.lines, state.builder, state.i
    number = i + 1
    indent = _indent_of(item.group("indent"))
    text = clean_inline(item.group("text") or "")
    marker = item.group("marker")
    block = builder.add_item(indent, text, number, ordered=marker[0].isdigit())
    state.in_list = True
    j = i + 1
    # Lazy continuation lines (no blank line, not another block start).
    while j < len(lines) and lines[j].strip() and not _starts_block(lines[j]):
        j += 1
    if j > i + 1:
        builder.extend(block, clean_inline(" ".join(x.strip() for x in lines[i + 1 : j])), j)
    if ANCHOR_ONLY_RE.match((item.group("text") or "").strip()):
        _mark_navigation(builder, block)
    state.i = j


def _starts_block(line: str) -> bool:
    return bool(
        ITEM_RE.match(line)
        or ATX_RE.match(line)
        or FENCE_RE.match(line)
        or QUOTE_RE.match(line)
        or RULE_RE.match(line)
        or line.strip().startswith("<!--")
        or line.strip().startswith("|")
    )


def _mark_navigation(builder: DocumentBuilder, block: Block) -> None:
    """Merge a table-of-contents item into the navigation block just before it, or start one."""
    blocks = builder.document.blocks
    previous = blocks[-2] if len(blocks) >= 2 else None
    if previous is not None and previous.kind == "navigation" and previous.section_id == block.section_id:
        previous.text = f"{previous.text}\n{block.text}"
        previous.line_end = block.line_end
        blocks.pop()
        # Nested TOC items attach to the navigation block that absorbed this one.
        builder.retarget_open_item(previous.id)
        return
    block.kind = "navigation"
