"""Small rendering helpers shared by the pages: escaping, links, cited lines, tables."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
import pyoxigraph as ox
import streamlit as st

from app import state
from kg.build import PREFIXES
from kg.explore import Cell, Edge, Entity, Explorer, Span, entity_id
from kg.qa.answer import Citation
from kg.sparql import term_to_python

LINK_LABEL = r"#(.*)$"  # LinkColumn shows the label carried after "#" in the link
CONTEXT_LINES = 3
HIGHLIGHT = "background: rgba(255, 200, 0, 0.28); border-left: 3px solid #e0a800;"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$])")


def md(text: str) -> str:
    """Text shown literally in Markdown (``$`` would start LaTeX, ``*`` emphasis)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text).strip())
    return "  \n".join(" ".join(line.split()) for line in escaped.splitlines())


def entity_href(key: str) -> str:
    """The Explore page of an entity, relative to the app (keeps an uploaded store selected)."""
    return "explore?" + urlencode({"entity": key, **state.store_param()}, quote_via=quote)


def entity_link(entity: Entity) -> str:
    return f"[{md(entity.label)}]({entity_href(entity.id)})"


def link_cell(key: str | None, label: str) -> str:
    """A LinkColumn value: an Explore link (or none) with the label to show after ``#``."""
    return f"{entity_href(key) if key else ''}#{label}"


def link_column(title: str, help: str | None = None) -> Any:
    return st.column_config.LinkColumn(title, display_text=LINK_LABEL, help=help)


def short_section(section: str, parts: int = 2) -> str:
    pieces = [p.strip() for p in section.split(">") if p.strip()]
    return (" › ".join(pieces[-parts:]) if len(pieces) <= parts else "… › " + " › ".join(pieces[-parts:])) or "—"


def lines_label(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}–{end}"


def context_html(lines: Sequence[str], start: int, end: int, around: int = CONTEXT_LINES) -> str:
    """Numbered note lines ``start``–``end`` highlighted among ``around`` lines either side."""
    first, last = max(1, start - around), min(len(lines), end + around)
    rows = []
    for n in range(first, last + 1):
        style = HIGHLIGHT if start <= n <= end else "opacity: 0.62; border-left: 3px solid transparent;"
        text = html.escape(lines[n - 1]) or "&nbsp;"
        rows.append(
            f'<div style="{style} padding: 1px 6px; white-space: pre-wrap;">'
            f'<span style="display: inline-block; width: 3.5em; color: #888; user-select: none;">{n}</span>'
            f"{text}</div>"
        )
    body = "".join(rows)
    return f'<div style="font-family: ui-monospace, monospace; font-size: 0.82rem; line-height: 1.45;">{body}</div>'


def citation(explorer: Explorer, item: Citation, number: int, expanded: bool) -> None:
    """One citation: source, line span and section, with the lines in context."""
    title = f"**{number}.** `{item.source}` · {lines_label(item.line_start, item.line_end)}"
    with st.expander(f"{title} · {md(short_section(item.section))}", expanded=expanded):
        lines = explorer.lines(item.source)  # read once per store, not once per citation
        if lines:
            st.html(context_html(lines, item.line_start, item.line_end))
        else:
            st.markdown(md(item.text))


def table_height(rows: int, most: int = 16) -> int:
    """Pixels for a dataframe showing up to ``most`` rows without scrolling (35 px a row, plus header)."""
    return 38 + 35 * max(1, min(rows, most))


def span_text(span: Span | None) -> str:
    return span.label if span else ""


def number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compact(iri: str) -> str:
    """``https://notes-kg.dev/ontology#Limit`` → ``nkg:Limit``."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def results_frame(
    variables: Sequence[str], rows: Sequence[Sequence[Any]], explorer: Explorer
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """SPARQL rows as a table: IRIs as labels (entities linking to Explore), numbers as numbers."""
    iris = [t.value for row in rows for t in row if isinstance(t, ox.NamedNode)]
    labels = explorer.labels(list(dict.fromkeys(iris))[:5000])
    data: dict[str, list[Any]] = {}
    config: dict[str, Any] = {}
    for index, name in enumerate(variables):
        terms = [row[index] if index < len(row) else None for row in rows]
        named = [t for t in terms if isinstance(t, ox.NamedNode)]
        if any(entity_id(t.value) for t in named):
            data[name] = [
                link_cell(entity_id(t.value), labels.get(t.value, compact(t.value)))
                if isinstance(t, ox.NamedNode)
                else (None if t is None else f"#{term_to_python(t)}")
                for t in terms
            ]
            config[name] = link_column(name, help="Opens the entity's Explore page")
            continue
        values = [
            labels.get(t.value, compact(t.value)) if isinstance(t, ox.NamedNode) else term_to_python(t) for t in terms
        ]
        numbers = [number(v) for v in values if v is not None]
        if values and all(n is not None for n in numbers) and numbers:
            data[name] = [number(v) for v in values]
        else:
            data[name] = [None if v is None else str(v) for v in values]
    return pd.DataFrame(data, columns=list(variables)), config


def cells_table(columns: Sequence[str], rows: Sequence[tuple[str, dict[str, Cell]]]) -> str:
    """HTML table, one column per item and one row per dimension; each cell cites its lines.

    When every cell comes from one file, cells cite lines only and the header names the file.
    """
    sources = {cell.span.source for _, cells in rows for cell in cells.values()}
    single = next(iter(sources)) if len(sources) == 1 else None
    border = "border: 1px solid rgba(128, 128, 128, 0.3); padding: 6px 8px; vertical-align: top;"
    corner = f'<span style="font-weight: normal; color: #888;">{html.escape(single)}</span>' if single else ""
    head = "".join(f'<th style="{border} text-align: left;">{html.escape(c)}</th>' for c in columns)
    body = []
    for dimension, cells in rows:
        tds = []
        for column in columns:
            cell = cells.get(column)
            if cell is None:
                tds.append(f'<td style="{border}"><span style="color: #888;">—</span></td>')
                continue
            cite = lines_label(cell.span.line_start, cell.span.line_end) if single else cell.span.label
            tds.append(
                f'<td style="{border}">{html.escape(cell.value)}'
                f'<div style="font-size: 0.75rem; color: #888; margin-top: 2px;">{html.escape(cite)}</div></td>'
            )
        body.append(f'<tr><th style="{border} text-align: left;">{html.escape(dimension)}</th>{"".join(tds)}</tr>')
    return (
        '<table style="border-collapse: collapse; width: 100%; font-size: 0.9rem;">'
        f'<thead><tr><th style="{border} text-align: left;">{corner}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def neighbourhood_dot(focus: str, edges: Sequence[Edge], explorer: Explorer, hidden_parts: int = 0) -> str:
    """A DOT graph of an entity's neighbourhood; each node links to its Explore page."""
    nodes = dict.fromkeys([focus, *(k for e in edges for k in (e.subject, e.object))])
    lines = [
        "digraph {",
        # twopi draws the neighbours in a circle around the focus: compact however many there are.
        f'  graph [layout=twopi, root="{_dot_text(focus)}", ranksep=1.6, overlap=false, bgcolor="transparent",'
        ' fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fa", color="#9aa5b8", fontcolor="#1f2933",'
        ' fontname="Helvetica", fontsize=14];',
        '  edge [color="#8a94a6", fontcolor="#5b6577", fontname="Helvetica", fontsize=11];',
    ]
    for key in nodes:
        entity = explorer.entities.get(key)
        label = entity.label if entity else key
        extra = ', fillcolor="#ffd75e", color="#b88a00", penwidth=1.6' if key == focus else ""
        if entity and entity.kind != "service" and key != focus:
            extra += ', fillcolor="#ffffff"'
        lines.append(
            f'  "{_dot_text(key)}" [label="{_dot_text(label)}", URL="{_dot_text(entity_href(key))}",'
            f' target="_self", tooltip="{_dot_text(label)}"{extra}];'
        )
    for edge in edges:
        cite = f" ({edge.span.label})" if edge.span else ""
        lines.append(
            f'  "{_dot_text(edge.subject)}" -> "{_dot_text(edge.object)}" [label="{_dot_text(edge.predicate)}",'
            f' tooltip="{_dot_text(edge.predicate + cite)}"];'
        )
    if hidden_parts:
        lines.append(
            f'  "more parts" [label="+{hidden_parts} more parts", shape=plaintext, style="", fontcolor="#5b6577"];'
        )
        lines.append(f'  "more parts" -> "{_dot_text(focus)}" [label="part of", style=dashed];')
    lines.append("}")
    return "\n".join(lines)
