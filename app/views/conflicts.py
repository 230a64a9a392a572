"""Contradictions: statements of the notes that give one fact two ways, each with its lines in context."""

from __future__ import annotations

import streamlit as st

from app import components, state

st.title("Contradictions")
st.caption(
    "Statements of the notes that give one subject's attribute two values, or state a thing and its "
    "negation. Each statement cites its lines; the surest contradictions come first."
)
found = state.conflicts()
explorer = state.explorer()
if not found:
    st.success(
        "No contradictions found: no two statements of the notes give one fact two ways.", icon=":material/done_all:"
    )
for number, conflict in enumerate(found, start=1):
    with st.container(border=True):
        st.markdown(f"**{number}. {components.md(conflict.subject)}**: {components.md(conflict.attribute)}")
        st.caption(f"{conflict.kind} conflict · confidence {conflict.confidence:.2f}")
        for statement in conflict.statements:
            label = f"`{statement.cite}` · **{components.md(statement.value)}**"
            with st.expander(f"{label}: {components.md(statement.text)}"):
                lines = explorer.lines(statement.source)
                if lines:
                    st.html(components.context_html(lines, statement.line_start, statement.line_end))
                else:
                    st.markdown(components.md(statement.text))
