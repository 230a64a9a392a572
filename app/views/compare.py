"""Compare: two or more items side by side, every cell citing the line it was read from."""

from __future__ import annotations

import streamlit as st

from app import components, state

explorer = state.explorer()
st.title("Compare")
st.caption(
    "Pick items (services, storage classes, volume types, …) to see what the notes say about each, side by side."
)
tables = {c["iri"]: c for c in explorer.comparisons if len(c["items"]) >= 2 and c["cells"]}
state.follow_comparison_link(list(tables))
st.selectbox(
    "Start from a comparison in the notes",
    list(tables),
    index=None,
    key=state.COMPARE_TABLE,
    placeholder="Choose a comparison…",
    on_change=state.load_comparison,
    format_func=lambda iri: (
        f"{tables[iri]['title']}: {', '.join(tables[iri]['items'])} "
        f"({tables[iri]['source']}:{tables[iri]['line_start']})"
    ),
)
options = explorer.compare_options
st.multiselect(
    "Items",
    list(options),
    key=state.COMPARE_ITEMS,
    format_func=lambda key: options.get(key, key),
    placeholder="Pick two or more items…",
)
picked: list[str] = list(st.session_state.get(state.COMPARE_ITEMS) or [])

if len(picked) < 2:
    st.info("Pick at least two items, or start from one of the notes' comparisons.", icon=":material/compare_arrows:")
else:
    found = explorer.compare(picked)
    for table in found:
        st.subheader(table.title)
        st.caption(f"Comparison at {table.span.label}; each cell cites its line.")
        st.html(components.cells_table(table.items, table.rows))
    rows = explorer.side_by_side(picked)
    if rows:
        st.subheader("From the graph: definitions and limits")
        labels = [options[k] for k in picked if k.startswith("entity:")]
        st.html(components.cells_table(labels, rows))
    if not found and not rows:
        st.info(
            "The notes compare none of these items with each other, and hold no limits or definitions for two of them.",
            icon=":material/info:",
        )
