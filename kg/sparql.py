"""SPARQL helpers: the read-only guard, term conversion, and result formatting.

>>> check_read_only("SELECT * WHERE { ?s ?p 'INSERT' }")
>>> check_read_only("INSERT DATA { <a> <b> <c> }")
Traceback (most recent call last):
...
kg.errors.QueryError: refused: INSERT would change the graph; `kg sparql` and the endpoint are read-only
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError

_STRIP_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
# Keywords only: not inside prefixed names (ex:add, ex:a.delete), variables (?load) or IRIs (stripped first).
_WORD_RE = re.compile(r"(?<![:?$\w.-])(" + "|".join(UPDATE_WORDS) + r"|SERVICE)(?![:\w-])", re.IGNORECASE)


def check_read_only(query: str) -> None:
    """Refuse updates, LOAD and SERVICE (federated queries) with a clear message.

    None of these words is a keyword of a SPARQL 1.1 *query*, so finding one outside strings,
    IRIs, comments and names means the text is an update or a federated query.

    Raises:
        QueryError: The query would change the graph or reach out to another endpoint.
    """
    bare = _STRIP_RE.sub(" ", query)
    match = _WORD_RE.search(bare)
    if match is None:
        return
    word = match.group(1).upper()
    if word == "SERVICE":
        raise QueryError("refused: SERVICE (federated query) is not allowed; query this graph only")
    raise QueryError(f"refused: {word} would change the graph; `kg sparql` and the endpoint are read-only")


def term_to_python(term: Any) -> Any:
    """A pyoxigraph term as a Python value: IRIs and blank nodes as strings, literals converted."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        value = term.value
        if datatype.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(value)
        if datatype.endswith("#decimal"):
            return Decimal(value)
        if datatype.endswith(("#double", "#float")):
            return float(value)
        if datatype.endswith("#boolean"):
            return value == "true"
        return value
    return str(term) if term is not None else None


def python_to_sparql(value: Any) -> str:
    """A Python value as a SPARQL term (strings starting with http as IRIs)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    text = str(value)
    if text.startswith(("http://", "https://")):
        return f"<{text}>"
    return json.dumps(text)


def term_text(term: Any) -> str:
    """How a term reads in a table cell."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def format_rows(variables: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """Format SELECT rows as an aligned table, SPARQL 1.1 JSON results, or CSV."""
    if fmt == "json":
        bindings = []
        for row in rows:
            binding = {}
            for name, term in zip(variables, row, strict=False):
                if term is not None:
                    binding[name] = _json_term(term)
            bindings.append(binding)
        return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}}, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([term_text(t) for t in row])
        return buffer.getvalue().rstrip("\n")
    texts = [[term_text(t) for t in row] for row in rows]
    widths = [min(60, max([len(v), *(len(r[i]) for r in texts)])) for i, v in enumerate(variables)]
    line = " | ".join(v.ljust(w) for v, w in zip(variables, widths, strict=False))
    out = [line, "-+-".join("-" * w for w in widths)]
    for row in texts:
        out.append(" | ".join(_cut(c, w).ljust(w) for c, w in zip(row, widths, strict=False)))
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cut(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and not term.datatype.value.endswith("#string"):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}
