"""Parser for notes rendered to plain text (a web page saved as text).

What the rendering leaves, and how it is read back:

- bullets are ``•`` (also ``-``, ``*``, ``▪``, ``◦`` and ``1.``) indented two spaces a level;
  an item's parent is the nearest preceding item that is less indented;
- headings are short unbulleted, unindented lines between blank lines, without end punctuation;
  a heading that names a service opens a service section (level 2), headings stacked directly
  above a service heading are categories (level 1), other headings are topics (level 3, a topic
  heading stacked above another one becomes its parent);
- a heading the page lost leaves two blank lines before content: such content opens an untitled
  section, so it does not fall under the previous heading;
- tables were flattened: a run of unbulleted lines (often opened by a header line indented two
  spaces) becomes one ``table`` block, and so does a single line of names and resource identifiers
  (a route table whose rows ran onto its header line); cells are rebuilt later, by the comparisons
  extractor;
- ``Name: value`` / ``Key = value`` runs are ``keyvalue`` blocks; tab-indented or brace lines are
  ``code`` (JSON policy snippets).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.model import Document
from ingest.parse.builder import DocumentBuilder
from ingest.tables import identifier_rows

BULLET_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[•▪◦●○■·]|[-*+](?=\s)|\d{1,3}[.)](?=\s))\s*(?P<text>.*)$")
KEYVALUE_RE = re.compile(r"^[A-Za-z][\w .()/#-]{0,40}?\s*(?::|=)\s+\S")
CODE_RE = re.compile(r"^(\t|\s*[{}\[\]]\s*,?$|\s*\"[^\"]+\"\s*:)")
ID_TOKEN_RE = re.compile(r"\b[a-z]+-?[0-9a-f]{6,}\b|\b\w+-\d\w*-\w+\b")
HEADING_MAX_CHARS = 90
HEADING_MAX_WORDS = 12
CATEGORY_WORDS = frozenset(
    """storage content delivery compute network networking database databases devops management tools
    security identity application applications services service analytics integration messaging
    monitoring migration compliance machine learning developer containers and & governance""".split()
)


@dataclass(slots=True)
class _Line:
    number: int  # 1-based
    text: str  # with NBSP folded to spaces, trailing whitespace removed
    indent: int  # columns of leading whitespace (a tab counts 4)
    blank: bool
    bullet: re.Match[str] | None


def _indent_of(text: str) -> int:
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4
        else:
            break
    return width


def _is_heading_text(text: str) -> bool:
    stripped = text.strip()
    if not stripped or len(stripped) > HEADING_MAX_CHARS or len(stripped.split()) > HEADING_MAX_WORDS:
        return False
    if stripped[-1] in ".:;,=" or stripped[0] in "{}[]\"'(|>" or ID_TOKEN_RE.search(stripped):
        return False
    return bool(re.search(r"[A-Za-z]", stripped))


def is_category_title(title: str) -> bool:
    """True when every word of ``title`` is a word of service categories ("Security and Identity")."""
    words = [w for w in re.split(r"[\s,/]+", title.lower()) if w]
    return len(words) >= 2 and all(w in CATEGORY_WORDS for w in words)


def parse_rendered_text(
    lines: list[str],
    source: str,
    *,
    sha256: str = "",
    is_service_title: Callable[[str], bool] | None = None,
) -> Document:
    """Parse the physical ``lines`` of a rendered-text notes file into a ``Document``.

    Args:
        lines: Physical lines without line endings.
        source: The name the document is cited by.
        sha256: Hash of the file's bytes, kept on the document.
        is_service_title: Tells whether a heading names a service (such headings open level-2
            sections); defaults to no heading being a service.

    >>> doc = parse_rendered_text(["Amazon S3", "", "  • Max object size = 5TB", "    • per object"], "n.txt",
    ...                           is_service_title=lambda t: t == "Amazon S3")
    >>> [(b.kind, b.line_start, b.depth) for b in doc.blocks]
    [('heading', 1, 0), ('bullet', 3, 0), ('bullet', 4, 1)]
    >>> doc.section_path(doc.blocks[2].section_id)
    'Amazon S3'
    """
    is_service = is_service_title or (lambda _title: False)
    rows = []
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip()
        blank = not text.strip()
        rows.append(
            _Line(
                number=number,
                text=text,
                indent=_indent_of(text),
                blank=blank,
                bullet=None if blank else BULLET_RE.match(text),
            )
        )
    headings = _find_headings(rows)
    levels = _heading_levels(rows, headings, is_service)
    builder = DocumentBuilder(source, "text", lines, sha256)
    _build(rows, headings, levels, builder)
    return builder.build()


def _find_headings(rows: list[_Line]) -> set[int]:
    """Indices of heading lines: short plain lines standing alone between blank lines."""
    found: set[int] = set()
    count = len(rows)
    for i, row in enumerate(rows):
        if row.blank or row.bullet or row.indent > 0 or not _is_heading_text(row.text):
            continue
        before_blank = i == 0 or rows[i - 1].blank
        after_blank = i + 1 >= count or rows[i + 1].blank
        if before_blank and after_blank:
            found.add(i)
    return found


def _next_nonblank(rows: list[_Line], i: int) -> int | None:
    j = i + 1
    while j < len(rows) and rows[j].blank:
        j += 1
    return j if j < len(rows) else None


def _heading_levels(rows: list[_Line], headings: set[int], is_service: Callable[[str], bool]) -> dict[int, int]:
    """Assign levels: services 2, categories 1, topics 3 and deeper when stacked."""
    ordered = sorted(headings)
    runs: list[list[int]] = []
    for i in ordered:
        if runs and _next_nonblank(rows, runs[-1][-1]) == i:
            runs[-1].append(i)
        else:
            runs.append([i])
    levels: dict[int, int] = {}
    sibling_level = 3
    for run in runs:
        service_flags = [is_service(rows[i].text.strip()) for i in run]
        last_service = max((k for k, flag in enumerate(service_flags) if flag), default=-1)
        level = 0
        for k, i in enumerate(run):
            title = rows[i].text.strip()
            if service_flags[k]:
                level, sibling_level = 2, 3
            elif k < last_service or is_category_title(title):
                level, sibling_level = 1, 3
            elif k == 0 or level == 0:
                level = 3 if len(run) > 1 else sibling_level
            else:
                level = 3 if level == 1 else min(level + 1, 6)
            levels[i] = level
        if not service_flags[-1] and levels[run[-1]] > 1:
            sibling_level = levels[run[-1]]
    _demote_services_among_topics(rows, ordered, levels)
    return levels


def _title_words(title: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]{4,}", title.lower())} - TITLE_STOPWORDS


TITLE_STOPWORDS = frozenset("amazon with from into about your options case cases".split())
BRIEF_SECTION_LINES = 8  # a service heading with more of its own lines than this opens a section


def _demote_services_among_topics(rows: list[_Line], ordered: list[int], levels: dict[int, int]) -> None:
    """A service heading set among the topics of another ("VM Import/Export" between "Lifecycle of
    Instances" and "Instance Metadata" on a page that lost its EC2 heading) is a topic too: the
    topics after it speak of what the topics before it spoke of, not of it."""
    before: set[str] = set()
    for n, i in enumerate(ordered):
        if levels[i] == 1:
            before = set()
            continue
        if levels[i] == 2 and before:
            after = []
            for j in ordered[n + 1 :]:
                if levels[j] <= 2:
                    break
                after.append(j)
            following = set().union(*(_title_words(rows[j].text) for j in after)) if after else set()
            end = after[0] if after else len(rows)
            brief = sum(1 for row in rows[i + 1 : end] if not row.blank) <= BRIEF_SECTION_LINES
            if brief and following & before and not following & _title_words(rows[i].text):
                levels[i] = 3
                before |= following
                continue
        if levels[i] == 2:
            before = set()
        else:
            before |= _title_words(rows[i].text)


def _build(rows: list[_Line], headings: set[int], levels: dict[int, int], builder: DocumentBuilder) -> None:
    count = len(rows)
    i = 0
    blank_run = 0
    previous_was_heading = True  # the top of the file behaves like a heading: no untitled section
    while i < count:
        row = rows[i]
        if row.blank:
            blank_run += 1
            i += 1
            continue
        if i in headings:
            builder.open_section(row.text.strip(), levels[i], row.number)
            builder.add_block("heading", row.text.strip(), row.number, row.number)
            previous_was_heading, blank_run = True, 0
            i += 1
            continue
        if blank_run >= 2 and not previous_was_heading:
            # The page lost a heading here: keep what follows out of the previous section.
            level = max(3, builder.current_section.level)
            builder.open_section("", level, row.number)
        if blank_run >= 1 and not row.bullet:
            builder.close_list()
        previous_was_heading, blank_run = False, 0
        i = _consume(rows, i, builder)


def _consume(rows: list[_Line], i: int, builder: DocumentBuilder) -> int:
    """Add the block starting at row ``i``; return the index after it."""
    row = rows[i]
    count = len(rows)
    if row.bullet:
        item_text = row.bullet.group("text").strip()
        ordered = row.bullet.group("marker")[0].isdigit()
        block = builder.add_item(row.indent, item_text, row.number, ordered=ordered)
        j = i + 1
        # Wrapped continuation lines: deeper-indented plain lines right below the item.
        wrapped: list[str] = []  # joined once: extending line by line is quadratic on long runs
        while j < count and not rows[j].blank and not rows[j].bullet and rows[j].indent > row.indent:
            if CODE_RE.match(rows[j].text) or _starts_table(rows, j):
                break
            wrapped.append(rows[j].text.strip())
            j += 1
        if wrapped:
            builder.extend(block, " ".join(wrapped), rows[j - 1].number)
        return j
    j = i + 1
    while j < count and not rows[j].blank and not rows[j].bullet:
        j += 1
    run = rows[i:j]
    builder.close_list()
    if all(CODE_RE.match(r.text) or r.text.startswith("\t") for r in run):
        builder.add_block("code", "\n".join(r.text.strip() for r in run), run[0].number, run[-1].number)
    elif len(run) >= 2 and sum(bool(KEYVALUE_RE.match(r.text.strip())) for r in run) >= 0.8 * len(run):
        builder.add_block("keyvalue", "\n".join(r.text.strip() for r in run), run[0].number, run[-1].number)
    elif any(r.text.startswith("\t") for r in run) and len(run) >= 2:
        builder.add_block("code", "\n".join(r.text.strip() for r in run), run[0].number, run[-1].number)
    elif (len(run) >= 2 and not _is_wrapped_prose(run)) or identifier_rows([r.text for r in run]):
        builder.add_block("table", "\n".join(r.text.strip() for r in run), run[0].number, run[-1].number)
    else:
        builder.add_block("paragraph", " ".join(r.text.strip() for r in run), run[0].number, run[-1].number)
    return j


def _starts_table(rows: list[_Line], j: int) -> bool:
    """A plain line followed directly by another plain, unindented line opens a table."""
    return j + 1 < len(rows) and not rows[j + 1].blank and not rows[j + 1].bullet and rows[j + 1].indent == 0


def _is_wrapped_prose(run: list[_Line]) -> bool:
    """Hard-wrapped prose: every line but the last is long and the next one continues a sentence."""
    if len(run) < 2:
        return True
    body = run[:-1]
    long_lines = all(55 <= len(r.text.strip()) <= 120 for r in body)
    continued = sum(
        1 for a, b in itertools.pairwise(run) if b.text.strip()[:1].islower() or a.text.rstrip()[-1:] in ",-"
    )
    return long_lines and continued >= 0.6 * len(body)
