"""SPARQL: a read-only editor over the graph, with example queries, a row cap and a time limit."""

from __future__ import annotations

import pyoxigraph as ox
import streamlit as st

from app import components, state
from kg import settings
from kg.build import sparql_prefixes
from kg.explore import example_queries
from kg.sparql import format_rows

STARTER = """
# Services and components with the most limits in the notes.
SELECT ?entity (COUNT(?limit) AS ?limits)
WHERE {
  ?limit a nkg:Limit ; nkg:about ?entity .
}
GROUP BY ?entity
ORDER BY DESC(?limits)
LIMIT 20
"""

st.title("SPARQL")
st.caption("Query the knowledge graph. Read-only: updates, LOAD and SERVICE are refused.")
queries = example_queries()
examples = {q.name: q.text for q in queries}
descriptions = {q.name: q.description for q in queries}
st.selectbox(
    "Example queries",
    list(examples),
    index=None,
    key=state.SPARQL_EXAMPLE,
    placeholder="Choose an example…",
    format_func=lambda name: descriptions.get(name, name),
    on_change=state.load_example_query,
    args=(examples,),
)
state.editor_text(sparql_prefixes() + "\n" + STARTER)
st.text_area("Query", key=state.SPARQL_EDITOR, height=400, on_change=state.keep_editor_text)
timeout_column, cap_column, run_column = st.columns([2, 2, 1], vertical_alignment="bottom")
timeout = timeout_column.number_input(
    "Time limit (s)", min_value=0.01, value=float(settings.get("sparql_timeout")), step=1.0, key=state.SPARQL_TIMEOUT
)
row_cap = cap_column.number_input(
    "Row cap", min_value=1, value=int(settings.get("sparql_row_cap")), step=100, key=state.SPARQL_ROW_CAP
)
clicked = run_column.button("Run", type="primary", width="stretch", icon=":material/play_arrow:")
if clicked or st.session_state.pop(state.SPARQL_RUN, False):
    state.run_sparql(str(st.session_state[state.SPARQL_EDITOR]), float(timeout), int(row_cap))

outcome: state.SparqlOutcome | None = st.session_state.get(state.SPARQL_RESULT)
if outcome is not None and outcome.error:
    st.error(outcome.error, icon=":material/error:")
elif outcome is not None and outcome.result is not None:
    result = outcome.result
    if result.kind == "ask":
        st.success(f"ASK: {'true' if result.boolean else 'false'}")
    else:
        if result.kind == "graph":
            variables = ["subject", "predicate", "object"]
            rows = [[t.subject, t.predicate, t.object] for t in result.triples]
        else:
            variables, rows = result.variables, result.rows
        frame, config = components.results_frame(variables, rows, state.explorer())
        st.caption(f"{len(rows)} row{'s' if len(rows) != 1 else ''} in {1000 * outcome.seconds:.0f} ms")
        if result.capped:
            st.warning(f"Stopped at the row cap: only the first {len(rows)} rows are shown.", icon=":material/block:")
        if result.timed_out:
            st.warning(
                f"Stopped at the time limit ({timeout:g} s): the rows read until then are shown.",
                icon=":material/timer_off:",
            )
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
        with st.container(horizontal=True):
            if result.kind == "graph":
                triples = ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES) or b""
                st.download_button(
                    "Download N-Triples",
                    triples,
                    "results.nt",
                    "application/n-triples",
                    on_click="ignore",
                    icon=":material/download:",
                )
            else:
                st.download_button(
                    "Download CSV",
                    format_rows(variables, rows, "csv"),
                    "results.csv",
                    "text/csv",
                    on_click="ignore",
                    icon=":material/download:",
                )
                st.download_button(
                    "Download JSON",
                    format_rows(variables, rows, "json"),
                    "results.json",
                    "application/sparql-results+json",
                    on_click="ignore",
                    icon=":material/download:",
                )
