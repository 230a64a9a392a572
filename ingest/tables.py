"""Table shapes a rendered page leaves in plain text, shared by the parser and the extractors.

An *identifier table* keeps a header of capitalised names and cells that are single words or
resource identifiers (``igw-1a2b3c4d``, ``vpce-0f1e2d3c``, ``sg-xxxxxxxx``): a route table, an
association list. Its rows may run on the header's line ("Destination Target Local igw-1a2b3c4d")
and a row may have lost leading cells (a CIDR rendered as a link): such a row is aligned right,
its lost cells left empty.
"""

from __future__ import annotations

import re

# A resource identifier: a lowercase prefix, a dash and a hex or placeholder id ("vpce-1a2b3c4d").
IDENTIFIER_CELL_RE = re.compile(r"^[a-z][a-z0-9]{0,11}-(?:[0-9a-f]{6,}|x{6,})$")
NAME_CELL_RE = re.compile(r"^[A-Z][A-Za-z]{1,30}$")
MAX_IDENTIFIER_TABLE_WORDS = 16  # per line: longer lines are prose that mentions an identifier


def is_identifier_cell(word: str) -> bool:
    """True for a resource identifier ("igw-1a2b3c4d", "sg-xxxxxxxx").

    >>> is_identifier_cell("igw-1a2b3c4d"), is_identifier_cell("read-only")
    (True, False)
    """
    return bool(IDENTIFIER_CELL_RE.match(word))


def identifier_rows(lines: list[str]) -> tuple[list[str], list[list[str]]] | None:
    """Split an identifier table into its header and rows; None when ``lines`` are not one.

    The header is the longest run of names opening the first line that leaves whole rows after it;
    every other line holds whole rows, or one row short of its leading cells.

    >>> identifier_rows(["Destination Target Local igw-1a2b3c4d", "pl-1a2b3c4d vpce-1a2b3c4d"])
    (['Destination', 'Target'], [['Local', 'igw-1a2b3c4d'], ['pl-1a2b3c4d', 'vpce-1a2b3c4d']])
    >>> identifier_rows(["Name Target", "igw-1a2b3c4d"])
    (['Name', 'Target'], [['', 'igw-1a2b3c4d']])
    >>> identifier_rows(["Attach the gateway igw-1a2b3c4d to the VPC"]) is None
    True
    """
    token_lines = [line.split() for line in lines if line.strip()]
    if not token_lines or any(len(tokens) > MAX_IDENTIFIER_TABLE_WORDS for tokens in token_lines):
        return None
    words = [word for tokens in token_lines for word in tokens]
    if not any(is_identifier_cell(w) for w in words):
        return None
    if not all(is_identifier_cell(w) or NAME_CELL_RE.match(w) for w in words):
        return None
    first = token_lines[0]
    names = 0
    while names < len(first) and not is_identifier_cell(first[names]):
        names += 1
    for width in range(names, 1, -1):
        rest = first[width:]
        if len(rest) % width or any(len(tokens) > width for tokens in token_lines[1:]):
            continue
        rows = [rest[i : i + width] for i in range(0, len(rest), width)]
        rows += [[""] * (width - len(tokens)) + tokens for tokens in token_lines[1:]]
        if rows and any(is_identifier_cell(cell) for row in rows for cell in row):
            return first[:width], rows
    return None
