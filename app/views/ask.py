"""Ask: a question in; the answer first, then its citations, the facts and SPARQL behind it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import components, state

st.title("Ask the notes")

with st.form("ask", border=False):
    box, button = st.columns([7, 1], vertical_alignment="bottom")
    box.text_input("Question", key=state.QUESTION, placeholder="e.g. What is the maximum size of an S3 object?")
    submitted = button.form_submit_button("Ask", type="primary", width="stretch")

examples = state.examples()  # loads the engine (once per process) while the question is typed
if examples:
    st.pills("Try an example", examples, key=state.EXAMPLE, on_change=state.ask_example, format_func=components.md)

pending = st.session_state.pop(state.PENDING, None)
question = pending or (str(st.session_state.get(state.QUESTION) or "") if submitted else "")
if question.strip():
    with st.spinner("Answering…"):
        state.ask(question)

record = state.shown()
if record is not None:
    answer = record.answer
    st.markdown(f"##### {components.md(record.question)}")
    if answer.abstained:
        st.info(answer.message or "The notes do not answer this question.", icon=":material/help:")
        if answer.citations:
            st.markdown("**Related, but not an answer**")
    else:
        with st.container(border=True):
            st.markdown(components.md(answer.answer))
        st.caption(f"Answered in {1000 * record.seconds:.0f} ms · {answer.intent or 'question'}")
        if answer.citations:
            st.markdown("**Sources**")
    explorer = state.explorer(record.store)  # the store that answered, even after a switch
    for number, item in enumerate(answer.citations, start=1):
        components.citation(explorer, item, number, expanded=number == 1 and not answer.abstained)

    if answer.facts:
        with st.expander(f"Facts used ({len(answer.facts)})"):
            frame = pd.DataFrame(
                [
                    {
                        "subject": f.subject,
                        "predicate": f.predicate,
                        "object": f.object,
                        "cited": f"{f.source}:{components.lines_label(f.line_start, f.line_end)}",
                    }
                    for f in answer.facts
                ]
            )
            st.dataframe(frame, hide_index=True, width="stretch")
    if answer.sparql:
        with st.expander(f"SPARQL run ({len(answer.sparql)})"):
            for number, query in enumerate(answer.sparql):
                st.code(query, language="sparql")
                if st.button("Open in the SPARQL page", key=f"open-sparql-{number}", icon=":material/open_in_new:"):
                    state.open_in_sparql(query)

history = st.session_state[state.HISTORY]
if len(history) > 1:
    st.divider()
    st.markdown("**Asked this session**")
    for index in reversed(range(len(history))):
        past = history[index]
        mark = "abstained" if past.answer.abstained else "answered"
        st.button(
            f"{components.md(past.question)} ({mark})",
            key=f"history-{index}",
            on_click=state.show,
            args=(index,),
            type="tertiary",
            disabled=index == st.session_state[state.SHOWN],
        )
