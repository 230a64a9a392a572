"""Tables run into one paragraph after a caption ("TABLE 4.2 Key Types Key Type Use Description ...").

A page that lost a table's layout may keep it inside a paragraph: the caption, the header names,
then each row's label and cells, one after the other. It is read back like this:

- the caption is ``TABLE n.n`` (or ``Table n``) and a capitalised title; a table named inside a
  sentence ("Table 4.2 lists ...") is not a caption;
- the header opens with a two-word name ending in a header noun ("Key Type", "Storage Class"); the
  words before it are the title; the column names run to the last generic column word ("Use",
  "Description"), and the words left before the first cell are the first row's label;
- a later row opens where a sentence ends and two or more capitalised words follow ("... account.
  Access Keys Digitally-signed requests"): the run but its last word is the row label, the last
  word opens the row's first cell; each row's text is cut into one cell per column.

What cannot be split: a header without such a first name gives no table; a row label of one word
right after a sentence is read as part of the cell before it; the last row stops at its first
sentence, since prose after the table cannot be told from a cell of several sentences.
"""

from __future__ import annotations

import re

from ingest.extract.comparisons import (
    FUNCTION_WORDS,
    NOT_ITEM_WORDS,
    _make,
    _singular_token,
    _split_row_scored,
    is_header_phrase,
)
from ingest.extract.entities import BlockContext, EntityIndex
from ingest.facts import ComparisonFact

CAPTION_RE = re.compile(r"\b(?:TABLE|Table)\s+\d+(?:[.-]\d+)*\s+(?=[A-Z])")
# Words that name a column of descriptions rather than a thing compared.
COLUMN_WORDS = frozenset(
    """use usage purpose description detail note comment remark example meaning definition explanation
    value default""".split()
)
SENTENCE_END = (".", "!", "?", ".)", ".]")


def caption_table(text: str, context: BlockContext, index: EntityIndex) -> ComparisonFact | None:
    """The table a caption opens inside the paragraph ``text``; None when there is none.

    Args:
        text: The paragraph.
        context: Where the paragraph stands (provenance, section).
        index: Entities, to link the row labels.

    Returns:
        A table comparison: rows are items, columns dimensions.
    """
    caption = CAPTION_RE.search(text)
    if caption is None:
        return None
    words = text[caption.end() :].split()
    parsed = _caption_header(words)
    if parsed is None:
        return None
    title, dimensions, first_label = parsed
    rows = _caption_rows(words, first_label)
    if not rows:
        return None
    labels: list[str] = []
    cells: list[tuple[int, int, str]] = []
    unsplit = 0
    for label, body in rows:
        values = _cells(label, body, len(dimensions))
        if values is None:
            unsplit += 1
            continue
        labels.append(label)
        cells.extend((len(labels) - 1, d, value) for d, value in enumerate(values) if value)
    if not cells:
        return None
    note = f"{unsplit} of {len(rows)} rows could not be split into cells" if unsplit else ""
    heading = title or (context.section_titles[-1] if context.section_titles else context.document.source)
    return _make(heading, "table", labels, dimensions, cells, context, index, note)


def _capitalised(word: str) -> bool:
    stripped = word.lstrip("([")
    return bool(stripped) and (stripped[0].isupper() or stripped[0].isdigit())


def _caption_header(words: list[str]) -> tuple[str, list[str], tuple[int, int]] | None:
    """Title, column names and the span of the first row's label, from the words after the caption."""
    run = 0
    while run < len(words) and _capitalised(words[run]):
        run += 1
    if run >= len(words):
        return None
    names = words[: run - 1]  # the run's last word opens the first cell
    start = next((k for k in range(len(names) - 1) if is_header_phrase(names[k : k + 2])), None)
    if start is None:
        return None
    rest = names[start + 2 :]
    generic = [g for g, word in enumerate(rest) if _singular_token(word.strip(",.:;")) in COLUMN_WORDS]
    columns = generic[-1] + 1 if generic else len(rest) - 1
    if columns < 1 or columns >= len(rest):
        return None
    dimensions = rest[:columns]
    label_start = start + 2 + columns
    return " ".join(names[:start]), dimensions, (label_start, run - 1)


def _caption_rows(words: list[str], first_label: tuple[int, int]) -> list[tuple[str, str]]:
    """(label, text) of each row: the first one after the header, then one per sentence-led label."""
    starts = [first_label]
    i = first_label[1] + 1
    while i < len(words):
        if words[i - 1].endswith(SENTENCE_END) and _opens_label(words[i]):
            run = i
            while run < len(words) and _capitalised(words[run]):
                run += 1
            if run - i >= 2 and run < len(words):
                starts.append((i, run - 1))
                i = run
                continue
        i += 1
    rows = []
    for n, (label_start, body_start) in enumerate(starts):
        body_end = starts[n + 1][0] if n + 1 < len(starts) else _first_sentence_end(words, body_start)
        rows.append((" ".join(words[label_start:body_start]), " ".join(words[body_start:body_end])))
    return rows


def _opens_label(word: str) -> bool:
    low = word.lower()
    return _capitalised(word) and low not in FUNCTION_WORDS and low not in NOT_ITEM_WORDS and len(word) > 1


def _first_sentence_end(words: list[str], start: int) -> int:
    for i in range(start, len(words)):
        if words[i].endswith(SENTENCE_END):
            return i + 1
    return len(words)


def _cells(label: str, body: str, columns: int) -> list[str] | None:
    """One cell per column; only the last cell holds more than one sentence."""
    words = body.split()
    if columns == 1:
        return [body]
    head = _first_sentence_end(words, 0)
    breaks = _restatements(label, words[:head])
    scored = _split_row_scored(" ".join(words[:head]), columns, labelled=False, breaks=breaks)
    if scored is None:
        return None
    values = scored[1][1]
    values[-1] = " ".join([values[-1], *words[head:]])
    return values


def _restatements(label: str, words: list[str]) -> frozenset[int]:
    """Where a cell restates the row label ("Key Pairs" ... "A key pair is ..."): a cell starts there."""
    key = _singular_token(label.split()[0]) if label.split() else ""
    found = set()
    for i in range(1, len(words)):
        named = _singular_token(words[i]) == key and words[i][:1].isupper()
        article = words[i] in {"A", "An", "The"} and i + 1 < len(words) and _singular_token(words[i + 1]) == key
        if named or article:
            found.add(i)
    return frozenset(found)
