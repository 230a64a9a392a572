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
from kg.errors import KGError
from kg.explore import Cell, Edge, Entity, Explorer, Span, entity_id
from kg.qa.answer import Citation
from kg.sparql import term_to_python
from kg.store import KnowledgeStore

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


def citation(store: KnowledgeStore, item: Citation, number: int, expanded: bool) -> None:
    """One citation: source, line span and section, with the lines in context."""
    title = f"**{number}.** `{item.source}:{item.line_start}`  {lines_label(item.line_start, item.line_end)}"
    with st.expander(f"{title} · {md(short_section(item.section))}", expanded=expanded):
        try:
            lines = store.source_lines(item.source)
        except KGError:
            lines = []
        if lines:
            st.html(context_html(lines, item.line_start, item.line_end))
        else:
            st.markdown(md(item.text))


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
    """HTML table, one column per item and one row per dimension; each cell cites its lines."""
    border = "border: 1px solid rgba(128, 128, 128, 0.3); padding: 6px 8px; vertical-align: top;"
    head = "".join(f'<th style="{border} text-align: left;">{html.escape(c)}</th>' for c in columns)
    body = []
    for dimension, cells in rows:
        tds = []
        for column in columns:
            cell = cells.get(column)
            text = (
                f'{html.escape(cell.value)}<div style="font-size: 0.75rem; color: #888; margin-top: 2px;">'
                f"{html.escape(cell.span.label)}</div>"
                if cell
                else '<span style="color: #888;">—</span>'
            )
            tds.append(f'<td style="{border}">{text}</td>')
        body.append(f'<tr><th style="{border} text-align: left;">{html.escape(dimension)}</th>{"".join(tds)}</tr>')
    return (
        '<table style="border-collapse: collapse; width: 100%; font-size: 0.9rem;">'
        f'<thead><tr><th style="{border}"></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def neighbourhood_dot(focus: str, edges: Sequence[Edge], explorer: Explorer) -> str:
    """A DOT graph of an entity's neighbourhood; each node links to its Explore page."""
    nodes = dict.fromkeys([focus, *(k for e in edges for k in (e.subject, e.object))])
    lines = [
        "digraph {",
        '  graph [rankdir=LR, bgcolor="transparent", fontname="Helvetica", nodesep=0.25, ranksep=0.6];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fa", color="#9aa5b8", fontcolor="#1f2933",'
        ' fontname="Helvetica", fontsize=11];',
        '  edge [color="#8a94a6", fontcolor="#5b6577", fontname="Helvetica", fontsize=9];',
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
    lines.append("}")
    return "\n".join(lines)
