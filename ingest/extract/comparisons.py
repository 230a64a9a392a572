"""Comparisons: tables rebuilt into items x dimensions x cells, and contrasts stated in prose.

Markdown tables split on pipes. Tables a rendered page flattened into lines are split back by a
small search: the header is cut into items where a name ends (a closing bracket, a repeated first
word, a catalog name, a ``?``), each row into a label and one cell per item at the cut points
that look most like cell starts (capitalised words, quantities, runs of ``+``, Yes/No, two spaces
where an empty cell was). Rows that cannot be cut are kept in the comparison's ``note``.

Contrasts stated in prose are in ``prose_comparisons.py``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from ingest.extract.entities import BlockContext, EntityIndex
from ingest.facts import ComparisonFact
from ingest.model import Block
from ingest.quantities import find_quantities
from ingest.tables import identifier_rows

MAX_CUT_CANDIDATES = 22
FUNCTION_WORDS = frozenset(
    """a an the of to in on at by for with and or but from as that which than is are be can if when
    its your their per into over under about approximately around below above up""".split()
)
# Capitalised words that do not name a thing on their own ("This", "There CANNOT", "AWS").
NOT_ITEM_WORDS = frozenset(
    """this that these those there it they we you he she each every all some any both either neither
    one also however aws amazon azure microsoft google gcp cloud""".split()
)
DANGLING_WORDS = frozenset("the a an of to for with by from in on at into your their its our my".split())
EMPHASIS_WORDS = frozenset("cannot not never no only must always none can't don't".split())
VALUE_TOKEN = re.compile(r"^(?:\++|-+|[Yy]es|YES|[Nn]o|NO|N/A|n/a|None|You|AWS|Customer|✓|✔|✗|✘|x|X)$")
# A header cell over the row labels that names what the rows are (dimensions: "| Feature | S3 | EBS |"),
# so the other header cells are the items. "Option", "Type", "Service", "Name" name the items instead
# ("| Option | Commitment | Discount |": each row is an option).
GENERIC_HEADER = frozenset(
    """feature features aspect aspects property properties criteria criterion dimension dimensions
    attribute attributes characteristic characteristics responsibility parameter metric""".split()
)

# Multi-word names common in table headers and row labels, singular and lowercase: kept whole when
# a header or row is cut ("Use Cases" is one row label, not "Use" followed by a cell "Cases").
HEADER_PHRASES = frozenset(
    phrase.strip()
    for phrase in """use case|typical use case|common use case|example use case|best for|best suited for|
    well-suited for|well suited for|suited for|ideal for|good for|designed for|used for|max throughput|
    maximum throughput|max iop|maximum iop|max size|maximum size|volume size|storage size|object size|
    pricing model|price model|cost model|billing model|data model|consistency model|access pattern|
    access frequency|retrieval time|retrieval fee|minimum storage duration|minimum object size|
    first byte latency|port range|key feature|performance tier|availability zone|free tier|service level|
    management overhead""".split("|")
)
# Head nouns closing a two-word header name ("Credential Type", "Storage Class", "IOPS Performance").
HEADER_HEADS = frozenset(
    """type class tier name size model level mode kind performance cost price pricing latency throughput
    durability availability capacity limit duration""".split()
)


def _phrase_key(words: list[str]) -> str:
    return " ".join(_singular_token(w.strip(",.:;")) for w in words)


def is_header_phrase(words: list[str], *, heads: bool = True) -> bool:
    """True when ``words`` form a known multi-word header name ("Use Cases", "Pricing model").

    With ``heads``, also a capitalised word and a header head noun ("Storage Class"): only sound
    where a name is expected (a row label), not inside running text.

    >>> is_header_phrase(["Use", "Cases"]), is_header_phrase(["Storage", "Class"]), is_header_phrase(["Use"])
    (True, True, False)
    """
    if len(words) < 2:
        return False
    key = _phrase_key(words)
    if key in HEADER_PHRASES:
        return True
    head = key.split()[-1]
    return heads and len(words) == 2 and head in HEADER_HEADS and words[0][:1].isupper() and words[0].isalpha()


# -- tables ----------------------------------------------------------------------------------------


def table_comparison(block: Block, context: BlockContext, index: EntityIndex) -> ComparisonFact | None:
    """Rebuild a table block into a Comparison (None when it has no usable header)."""
    lines = [line for line in block.text.split("\n") if line.strip()]
    title = _title(context)
    identifiers = identifier_rows(lines) if context.document.format != "markdown" else None
    if identifiers is not None:
        return _identifier_comparison(*identifiers, title, context, index)
    if len(lines) < 2:
        return None
    if context.document.format == "markdown" or all(" | " in line or "|" in line for line in lines[:2]):
        rows = [[c.strip() for c in line.split(" | ")] for line in lines]
        return _grid_comparison(rows, title, context, index)
    return _flattened_comparison(lines, title, context, index)


def _identifier_comparison(
    header: list[str], rows: list[list[str]], title: str, context: BlockContext, index: EntityIndex
) -> ComparisonFact:
    """An identifier table: one item per row, named by its first cell (its last when that was lost)."""
    items = [row[0] or row[-1] for row in rows]
    dimensions = header[1:]
    cells = [(i, d, row[d + 1]) for i, row in enumerate(rows) for d in range(len(dimensions)) if row[d + 1]]
    return _make(title, "table", items, dimensions, cells, context, index)


def _title(context: BlockContext) -> str:
    return context.section_titles[-1] if context.section_titles else context.document.source


def _grid_comparison(
    rows: list[list[str]], title: str, context: BlockContext, index: EntityIndex
) -> ComparisonFact | None:
    header, body = rows[0], rows[1:]
    if len(header) < 2 or not body:
        return None
    width = len(header)
    body = [(row + [""] * width)[:width] for row in body]
    first_column = [row[0] for row in body]
    header_entities = sum(bool(index.find_text(h)) for h in header[1:])
    column_entities = sum(bool(index.find_text(c)) for c in first_column)
    items_are_columns = (
        not header[0].strip() or header[0].strip().lower() in GENERIC_HEADER or header_entities > column_entities
    )
    if items_are_columns:
        items, dimensions = header[1:], first_column
        cells = [(i, d, body[d][i + 1]) for d in range(len(body)) for i in range(len(items)) if body[d][i + 1]]
    else:
        items, dimensions = first_column, header[1:]
        cells = [(i, d, body[i][d + 1]) for i in range(len(body)) for d in range(len(dimensions)) if body[i][d + 1]]
    return _make(title, "table", items, dimensions, cells, context, index)


def _make(
    title: str,
    kind: str,
    items: list[str],
    dimensions: list[str],
    cells: list[tuple[int, int, str]],
    context: BlockContext,
    index: EntityIndex,
    note: str = "",
) -> ComparisonFact:
    entities = []
    for item in items:
        found = index.lookup_in_context(item, context.service_id) or next(
            (m.entity_id for m in index.find_text(item)), None
        )
        entities.append(found)
    return ComparisonFact(
        title=title,
        kind=kind,
        items=items,
        dimensions=dimensions,
        cells=cells,
        prov=context.prov(),
        item_entities=entities,
        note=note,
    )


ROW_ITEM_HEADERS = frozenset(
    """edition editions type types tier tiers class classes plan plans option options sku service services
    product products name engine engines version model instance size sizes family""".split()
)
COLUMN_ITEM_HEADERS = frozenset(
    """feature features aspect aspects property properties criteria criterion characteristic characteristics
    attribute attributes responsibility responsibilities dimension dimensions category metric parameter""".split()
)
MAX_COLUMNS = 7


def split_header(header: str, index: EntityIndex | None = None, n_names: int | None = None) -> list[str]:
    """Cut a flattened table header into its column names (``n_names`` of them when given).

    >>> split_header("S3 Standard S3 Standard - Infrequent Access (IA) Reduced Redundancy Storage (RRS) Amazon Glacier")
    ['S3 Standard', 'S3 Standard - Infrequent Access (IA)', 'Reduced Redundancy Storage (RRS)', 'Amazon Glacier']
    >>> split_header("Magnetic Volume General-Purpose SSD Provisioned IOPS SSD Throughput-Optimized HDD Volumes Cold HDD Volumes")
    ['Magnetic Volume', 'General-Purpose SSD', 'Provisioned IOPS SSD', 'Throughput-Optimized HDD Volumes', 'Cold HDD Volumes']
    """
    best = _header_segmentations(header, index)
    if not best:
        return [header.strip()]
    if n_names is not None:
        return best.get(n_names, (0.0, [header.strip()]))[1]
    return max(best.values(), key=lambda pair: pair[0])[1]


def _header_segmentations(header: str, index: EntityIndex | None) -> dict[int, tuple[float, list[str]]]:
    """Best segmentation of the header for each number of names, with its score."""
    if "?" in header.rstrip().rstrip("?"):
        names = [p.strip() + "?" for p in header.split("?") if p.strip()]
        return {len(names): (5.0, names)}
    tokens = header.split()
    n = len(tokens)
    if n < 2:
        return {}
    counts: dict[str, int] = {}
    for token in tokens:
        key = _singular_token(token)
        counts[key] = counts.get(key, 0) + 1
    starter = tokens[0] if counts[_singular_token(tokens[0])] > 1 else None
    scores: dict[tuple[int, int], float] = {}
    for a in range(n):
        for b in range(a + 1, min(n, a + 7) + 1):
            scores[(a, b)] = _segment_score(tokens[a:b], counts, starter, index)
            if a > 0:
                scores[(a, b)] += _cut_score(tokens[a - 1], tokens[a], counts, starter)
    best: dict[int, tuple[float, list[str]]] = {}
    # dp[k][j]: best score cutting tokens[:j] into k segments.
    dp: list[dict[int, tuple[float, list[int]]]] = [{0: (0.0, [0])}]
    for k in range(1, min(MAX_COLUMNS, n) + 1):
        layer: dict[int, tuple[float, list[int]]] = {}
        for j in range(1, n + 1):
            for i, (score, cuts) in dp[k - 1].items():
                if (i, j) in scores:
                    total = score + scores[(i, j)]
                    if j not in layer or total > layer[j][0]:
                        layer[j] = (total, [*cuts, j])
        dp.append(layer)
        if n in layer and k >= 2:
            total, cuts = layer[n]
            best[k] = (total, [" ".join(tokens[a:b]) for a, b in itertools.pairwise(cuts)])
    return best


def _cut_score(previous: str, token: str, counts: dict[str, int], starter: str | None) -> float:
    """How much a header looks cut between ``previous`` and ``token`` (negative: looks joined)."""
    score = -1.2
    if previous.endswith((")", "?")):
        score += 2.5
    if starter and token == starter:
        score += 2.0
    repeated = counts.get(_singular_token(previous), 0) > 1 and previous != starter
    if repeated and previous[:1].isupper() and token[:1].isupper() and token not in {"-", "–"}:
        score += 1.5
    if token[:1].islower() or token.startswith(("(", "-", "–")) or previous in {"-", "–"}:
        score -= 3
    return score


def _singular_token(token: str) -> str:
    low = token.lower()
    return low[:-1] if low.endswith("s") and len(low) > 3 and not low.endswith("ss") else low


def _segment_score(segment: list[str], counts: dict[str, int], starter: str | None, index: EntityIndex | None) -> float:
    first, last = segment[0], segment[-1]
    score = 0.0
    if last.endswith(")"):
        score += 1
    if index is not None and len(segment) <= 5 and index.lookup(" ".join(segment)):
        score += 3
    elif is_header_phrase(segment):
        score += 2
    if len(segment) >= 2 and counts.get(_singular_token(last), 0) > 1 and last[:1].isupper():
        score += 0.5
    if starter and starter in segment[1:]:
        score -= 3
    if len(segment) > 1 and counts.get(_singular_token(first), 0) > 1 and first != starter:
        score -= 2  # a repeated closing word ("Volumes") does not open a name
    if first[:1].islower() or first.lower() in FUNCTION_WORDS or first.startswith(("-", "–", "(")):
        score -= 4
    if last in {"-", "–", "("} or last.lower() in FUNCTION_WORDS:
        score -= 4
    if len(segment) == 1 and not (first.isupper() or (index is not None and index.lookup(first))):
        score -= 0.5
    if len(segment) > 6:
        score -= 0.5 * (len(segment) - 6)
    return score


def _split_by_entities(header: str, index: EntityIndex) -> list[str]:
    mentions = index.find_text(header)
    if len(mentions) < 2:
        return []
    covered = sum(m.end - m.start for m in mentions)
    if covered < 0.6 * len(header.replace(" ", "")):
        return []
    return [m.text for m in mentions]


def _flattened_comparison(
    lines: list[str], title: str, context: BlockContext, index: EntityIndex
) -> ComparisonFact | None:
    header_tokens = lines[0].split()
    label_header = ""
    if len(header_tokens) >= 3 and header_tokens[0].lower() in ROW_ITEM_HEADERS | COLUMN_ITEM_HEADERS:
        label_header = header_tokens[0]
    header = " ".join(header_tokens[1:]) if label_header else lines[0]
    segmentations = _header_segmentations(header, index)
    if not segmentations:
        return None
    best: tuple[float, list[str], list[tuple[str, list[str]]], list[str]] | None = None
    for n_names, (header_score, names) in segmentations.items():
        # A row label followed by an empty cell ("Cost   Has ...") shows the rows are labelled.
        labelled_only = bool(label_header) or any(_opens_row(line) for line in lines[1:])
        for labelled in (True,) if labelled_only else (False, True):
            row_score, rows, unsplit = _split_rows(lines[1:], n_names, labelled=labelled)
            total = header_score + row_score
            if best is None or total > best[0]:
                best = (total, names, rows, unsplit)
    assert best is not None
    _, names, rows, unsplit = best
    note = f"{len(unsplit)} of {len(lines) - 1} lines could not be split into cells" if unsplit else ""
    if label_header.lower() in ROW_ITEM_HEADERS:
        items, dimensions = [label for label, _ in rows], names
        cells = [(i, d, value) for i, (_, values) in enumerate(rows) for d, value in enumerate(values) if value]
    else:
        items = names
        dimensions = [label or _row_topic(values, n) for n, (label, values) in enumerate(rows)]
        cells = [(i, d, value) for d, (_, values) in enumerate(rows) for i, value in enumerate(values) if value]
    return _make(title, "table", items, dimensions, cells, context, index, note)


UNSPLIT_ROW_SCORE = -2.5


def _split_rows(
    lines: list[str], n_cells: int, *, labelled: bool
) -> tuple[float, list[tuple[str, list[str]]], list[str]]:
    """Split body lines into rows, a row spreading over several lines when its cells wrapped.

    A line joins the row above when it continues it (it opens in lower case, or the line above ends
    with a comma) or when only the joined lines can be cut into cells; a line that opens with a label
    followed by an empty cell ("Cost   Has ...") always opens a row. Lines that fit no row are
    returned as unsplit.

    Returns:
        The summed row scores, the rows (label and cells) and the unsplit lines.
    """
    cache: dict[tuple[str, ...], tuple[float, tuple[str, list[str]]] | None] = {}

    def split(group: tuple[str, ...]) -> tuple[float, tuple[str, list[str]]] | None:
        if group not in cache:
            cache[group] = _split_row_scored(" ".join(group), n_cells, labelled=labelled, breaks=_line_breaks(group))
        return cache[group]

    def score(group: tuple[str, ...]) -> float:
        scored = split(group)
        return UNSPLIT_ROW_SCORE if scored is None else min(3.0, scored[0] / n_cells)

    groups: list[tuple[str, ...]] = []
    for line in lines:
        if groups and not _opens_row(line):
            previous = groups[-1]
            merged = (*previous, line)
            continues = line[:1].islower() or previous[-1].rstrip().endswith(",")
            gain = score(merged) - score(previous) - score((line,))
            if (continues and gain >= -1.0) or (split(merged) is not None and gain >= 0):
                groups[-1] = merged
                continue
            if _join_unsplit(groups, line, split):
                continue
        groups.append((line,))
    total = 0.0
    rows: list[tuple[str, list[str]]] = []
    unsplit: list[str] = []
    for group in groups:
        scored = split(group)
        total += score(group)
        if scored is None:
            unsplit.extend(group)
        else:
            rows.append(scored[1])
    return total, rows, unsplit


def _join_unsplit(
    groups: list[tuple[str, ...]],
    line: str,
    split: Callable[[tuple[str, ...]], tuple[float, tuple[str, list[str]]] | None],
) -> bool:
    """Join ``line`` and the unsplit groups right above it into one row when that row splits.

    A row whose cells wrapped over lines that each look like a row of their own ("Cost   Has ...",
    "Price model ...", "Reduced cost ...") only splits once all its lines are together.
    """
    for back in range(2, 4):
        tail = groups[-back:]
        if len(tail) < back or any(split(group) is not None for group in tail):
            return False
        merged = (*itertools.chain.from_iterable(tail), line)
        if split(merged) is not None:
            groups[-back:] = [merged]
            return True
    return False


def _line_breaks(group: tuple[str, ...]) -> frozenset[int]:
    """Word positions where a line of ``group`` starts a new cell (the line above ends without a comma)."""
    breaks = set()
    position = 0
    for before in group[:-1]:
        position += len(before.split())
        if not before.rstrip().endswith(","):
            breaks.add(position)
    return frozenset(breaks)


def _opens_row(line: str) -> bool:
    """A row label followed by an empty cell: two or more spaces within the first three words."""
    return bool(re.match(r"^\S+(?: \S+){0,2}\s{2,}\S", line.strip()))


def _common_prefix(words: list[str]) -> str:
    """The longest string every one of ``words`` starts with."""
    if not words:
        return ""
    prefix = words[0]
    for word in words[1:]:
        while not word.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def _row_topic(values: list[str], position: int) -> str:
    """A name for a row without a label: the words its cells open with ("Operates at the")."""
    words = [v.split() for v in values if v]
    common: list[str] = []
    for group in zip(*words, strict=False):
        if len({w.lower().strip(":") for w in group}) != 1:
            break
        common.append(group[0].strip(":"))
    if common:
        return " ".join(common)
    firsts = [w[0].strip(":") for w in words if w]
    prefix = _common_prefix([f.lower() for f in firsts])
    return firsts[0][: len(prefix)] + "…" if len(prefix) >= 4 else f"row {position + 1}"


def keyvalue_comparison(block: Block, context: BlockContext, index: EntityIndex) -> ComparisonFact | None:
    """A run of ``Key: value`` / ``Key = value`` lines as a one-item table (the keys its dimensions)."""
    pairs = []
    for line in block.text.split("\n"):
        match = re.match(r"^\s*([^:=]{1,40}?)\s*[:=]\s*(.+)$", line)
        if match:
            pairs.append((match.group(1).strip(), match.group(2).strip()))
    if len(pairs) < 2:
        return None
    title = _title(context)
    item = pairs[0][1].strip('"') if pairs[0][0].lower() in {"name", "id", "title"} else title
    return _make(
        title,
        "table",
        [item],
        [k for k, _ in pairs],
        [(0, d, v) for d, (_, v) in enumerate(pairs)],
        context,
        index,
    )


def split_row(line: str, n_cells: int, *, labelled: bool = True) -> tuple[str, list[str]] | None:
    """Cut a flattened table row into a label and ``n_cells`` cells; None when it does not fit.

    >>> split_row("Volume Size 1 GB to 1 TB 1 GB to 16 TB 4 GB to 16 TB up to 16 TB Max 16 TB", 5)
    ('Volume Size', ['1 GB to 1 TB', '1 GB to 16 TB', '4 GB to 16 TB', 'up to 16 TB', 'Max 16 TB'])
    >>> split_row("IOPS Performance Consistently performs at provisioned level, up to 20,000 IOPS max max 500 Max 250", 3)
    ('IOPS Performance', ['Consistently performs at provisioned level, up to 20,000 IOPS max', 'max 500', 'Max 250'])
    >>> split_row("Standard One ++++ Yes KMS", 3)
    ('Standard One', ['++++', 'Yes', 'KMS'])
    >>> split_row("Supports allow rules only Supports both allow and deny rules", 2, labelled=False)
    ('', ['Supports allow rules only', 'Supports both allow and deny rules'])
    """
    scored = _split_row_scored(line, n_cells, labelled=labelled)
    return scored[1] if scored else None


def _split_row_scored(
    line: str, n_cells: int, *, labelled: bool, breaks: frozenset[int] = frozenset()
) -> tuple[float, tuple[str, list[str]]] | None:
    """Best cut of ``line`` into a label and ``n_cells`` cells, with its score.

    ``breaks`` are the word positions where a physical line of a row spread over several lines
    begins: a cell usually starts there.
    """
    tokens = re.findall(r"\S+|\s{2,}", line.strip())
    words = [t for t in tokens if t.strip()]
    if len(words) < n_cells + (1 if labelled else 0):
        return None
    candidates = _cut_candidates(line.strip(), tokens, words, breaks)
    best: Best | None = None
    label_lengths = range(1, min(5, len(words) - n_cells) + 1) if labelled else range(0, 1)
    inside = _inside_phrases(words[:6], breaks, heads=True) if labelled else set()
    for label_len in label_lengths:
        if label_len in inside:
            continue  # the label would end inside a name: "Use | Cases"
        # Strongest candidates first, so a good cut is found early and weaker ones are pruned.
        usable = sorted((i for i in candidates if i > label_len), key=lambda i: (-candidates[i], i))
        usable = usable[:MAX_CUT_CANDIDATES]
        label_bonus = (candidates.get(label_len, -1.0) + _label_score(words, label_len)) if label_len else 1.0
        weights = [candidates[i] for i in usable]
        best = _best_cut(words, label_len, usable, weights, n_cells - 1, label_bonus, best)
    if best is None or best[0] < 0.5 * n_cells:
        return None
    score, label_len, starts = best
    cells_text = [" ".join(words[a:b]) for a, b in zip(starts, (*starts[1:], len(words)), strict=False)]
    return score, (" ".join(words[:label_len]), cells_text)


Best = tuple[float, int, tuple[int, ...]]  # score, label length, cell starts


def _best_cut(
    words: list[str],
    label_len: int,
    usable: list[int],
    weights: list[float],
    count: int,
    bonus: float,
    best: Best | None,
) -> Best | None:
    """``best``, or a better cut of ``words`` into ``count`` more cells at positions of ``usable``.

    The same search as over ``itertools.combinations(usable, count)`` (same order, the same float
    scores summed as they come, the first of equal scores kept), without the branches that cannot
    win: ``weights`` (the cut scores) do not increase, so once a prefix's strongest completion
    cannot beat the best, no later prefix can.
    """

    def walk(start: int, chosen: tuple[int, ...], partial: float) -> None:
        nonlocal best
        need = count - len(chosen)
        if need == 0:
            score = partial + bonus
            if best is not None and score + MAX_SHAPE_BONUS <= best[0]:
                return  # cannot win whatever the cells look like
            starts = (label_len, *sorted(chosen))
            cells = [words[a:b] for a, b in zip(starts, (*starts[1:], len(words)), strict=False)]
            score += _shape_bonus(cells)
            if best is None or score > best[0]:
                best = (score, label_len, starts)
            return
        for j in range(start, len(usable) - need + 1):
            total = partial + weights[j]
            if best is not None and total + sum(weights[j + 1 : j + need]) + bonus + MAX_SHAPE_BONUS + 1e-9 <= best[0]:
                break
            walk(j + 1, (*chosen, usable[j]), total)

    walk(0, (), 0)
    return best


def _cut_candidates(
    line: str, tokens: list[str], words: list[str], breaks: frozenset[int] = frozenset()
) -> dict[int, float]:
    """Word positions where a cell may start, scored by how much they look like a cell start."""
    gaps = _empty_cell_gaps(tokens)
    quantity_starts, quantity_interiors = _quantity_words(line, words)
    inside = _inside_brackets(words) | quantity_interiors | _inside_phrases(words, breaks, heads=False)
    # Cells that open in lower case (the first line of each starts a cell): case says little here.
    lowercase_penalty = 0.5 if any(words[b][:1].islower() for b in breaks if b < len(words)) else 2.0
    candidates: dict[int, float] = {}
    for i in range(1, len(words)):
        if i in inside:
            continue  # a cell never starts inside brackets, a quantity or a name: "(max 10,000 IOPS)", "Use Cases"
        previous, word = words[i - 1], words[i]
        score = 0.0
        if i in gaps:
            score += 3
        if i in breaks:
            score += 3
        if i in quantity_starts and previous.lower() not in FUNCTION_WORDS:
            score += 2.5
        if VALUE_TOKEN.match(word):
            score += 2
        if VALUE_TOKEN.match(previous) and not VALUE_TOKEN.match(word):
            # A value cell ended ("You | AWS"), unless the value word is inside a phrase ("the AWS Console").
            score += 1.5 if i < 2 or words[i - 2].lower() not in DANGLING_WORDS else 0.0
        if word[:1].isupper() and previous.lower() not in FUNCTION_WORDS and not previous.endswith(("-", "/")):
            score += 0.8 if _is_acronym(word) else 1.2
            if word in {"A", "An", "The"} and not previous.endswith((".", "!", "?")):
                score += 1.5  # outside a sentence start, a capitalised article opens a cell
        if previous.endswith((".", ")", ":", "?")):
            score += 0.8
        if previous.endswith(","):
            score -= 1.5
        if previous.lower() in DANGLING_WORDS:
            score -= 2  # a cell does not end with an article or a preposition: "login to the | AWS ..."
        if word.startswith("(") or (previous.startswith("(") and not previous.endswith(")")):
            score -= 3
        if word[:1].islower() and not VALUE_TOKEN.match(word) and i not in quantity_starts:
            score -= lowercase_penalty
        if score > 0:
            candidates[i] = score
    return candidates


def _is_acronym(word: str) -> bool:
    """All capitals, a plural too ("IOPS", "APIs")."""
    return word.isupper() or (word.endswith("s") and len(word) > 2 and word[:-1].isupper())


def _inside_brackets(words: list[str]) -> set[int]:
    """Positions of words that continue an open bracket (not the word that opens it)."""
    inside: set[int] = set()
    depth = 0
    for i, word in enumerate(words):
        if depth > 0:
            inside.add(i)
        depth = max(0, depth + word.count("(") + word.count("[") - word.count(")") - word.count("]"))
    return inside


def _inside_phrases(words: list[str], breaks: frozenset[int] = frozenset(), *, heads: bool) -> set[int]:
    """Positions of words that continue a known header name ("Cases" in "Use Cases").

    A name never runs across a line break of a wrapped row.
    """
    inside: set[int] = set()
    for start in range(len(words) - 1):
        for length in (2, 3, 4):
            span = range(start + 1, start + length)
            if (
                start + length <= len(words)
                and not breaks.intersection(span)
                and is_header_phrase(words[start : start + length], heads=heads)
            ):
                inside.update(span)
    return inside


def _label_score(words: list[str], label_len: int) -> float:
    """How much ``words[:label_len]`` looks like a row label: short, capitalised, a known name."""
    label = words[:label_len]
    if not label:
        return -5
    score = 1.0 if label[0][:1].isupper() else -1.0
    if len(label) > 3:
        score -= len(label) - 3
    if any(VALUE_TOKEN.match(w) for w in label[1:]):
        score -= 2
    if is_header_phrase(label):
        score += 2
    if label_len < len(words) and words[label_len].lower() in FUNCTION_WORDS:
        score -= 1
    return score


MAX_SHAPE_BONUS = 4.0  # the most _shape_bonus gives


def _shape_bonus(cells: list[list[str]]) -> float:
    """Reward cells that look alike: same first word ("Operates ... Operates"), same shape."""
    firsts = [c[0].lower() for c in cells]
    bonus = 0.0
    if len(set(firsts)) == 1 and len(cells) > 1:
        bonus += 2
    elif len(cells) > 1 and len(_common_prefix(firsts)) >= 4:
        bonus += 1.5  # "Stateful firewall: ..." / "Stateless firewall: ..."
    if len(cells) > 1 and all(len(c) > 1 for c in cells) and len({c[1].lower() for c in cells}) == 1:
        bonus += 1.5
    shapes = {bool(VALUE_TOKEN.match(" ".join(c))) for c in cells}
    if len(shapes) == 1:
        bonus += 0.5
    lengths = [len(c) for c in cells]
    if max(lengths) > 4 * min(lengths) + 6:
        bonus -= 1
    return bonus


def _empty_cell_gaps(tokens: list[str]) -> set[int]:
    """Word positions that follow a run of 2+ spaces (where an empty cell was flattened)."""
    gaps: set[int] = set()
    word_index = 0
    pending = False
    for token in tokens:
        if not token.strip():
            pending = True
            continue
        if pending and word_index > 0:
            gaps.add(word_index)
        pending = False
        word_index += 1
    return gaps


def _quantity_words(line: str, words: list[str]) -> tuple[set[int], set[int]]:
    """Positions of words that open a quantity, and of words inside one ("3 | IOPS/GB")."""
    starts: set[int] = set()
    interiors: set[int] = set()
    offsets = []
    position = 0
    for word in words:
        position = line.find(word, position)
        offsets.append(position)
        position += len(word)
    spans = []
    for quantity in find_quantities(line):
        start = quantity.start
        # Extend back over a leading cue word ("up to 16 TB", "Max 16 TB").
        cue = re.search(r"(?:up\s+to|max(?:imum)?|min(?:imum)?|average|baseline)\s*$", line[:start], re.IGNORECASE)
        spans.append((cue.start() if cue else start, quantity.start, quantity.end))
    # A bare number after a cue word is a value too, its unit in the row label ("IOPS ... max 500 Max 250").
    for bare in BARE_CUED_NUMBER.finditer(line):
        if not any(a <= bare.start() < end or bare.start() <= a < bare.end() for a, _, end in spans):
            spans.append((bare.start(), bare.start("number"), bare.end()))
    for start, value_start, end in spans:
        for i, offset in enumerate(offsets):
            if offset == start:
                starts.add(i)
            elif value_start < offset < end:
                interiors.add(i)
    return starts, interiors


BARE_CUED_NUMBER = re.compile(
    r"\b(?:up\s+to|max(?:imum)?|min(?:imum)?)\s+(?P<number>\d[\d,.]*)(?![\w%])", re.IGNORECASE
)
