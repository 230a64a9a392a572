"""Explore: a page per service or component (found by fuzzy name), and an overview of the corpus."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import components, state
from kg.explore import entity_id

explorer = state.explorer()
st.title("Explore")
entity_tab, overview_tab = st.tabs([":material/hub: Service or component", ":material/monitoring: Corpus overview"])

with entity_tab:
    search = st.text_input(
        "Search a service or component",
        key=state.EXPLORE_SEARCH,
        placeholder="e.g. S3, simple queue, cloudfrnt (typos are fine)",
    )
    key = st.query_params.get("entity")
    if search.strip():
        hits = explorer.search(search)
        if hits:
            pick = st.selectbox(
                f"{len(hits)} match{'es' if len(hits) > 1 else ''}",
                hits,
                key=f"{state.EXPLORE_PICK}:{search}",
                format_func=lambda h: (
                    f"{h.entity.label} ({h.entity.kind})"
                    + (f" · matched “{h.matched}”" if h.matched != h.entity.label else "")
                ),
            )
            key = pick.entity.id if pick else key
            st.query_params.update({"entity": key or "", **state.store_param()})
        else:
            st.warning(f"No service or component is named like “{search}”.")
    page = explorer.page(key) if key else None
    if key and page is None:
        st.warning(f"The graph has no entity `{key}`.")
    if page is None:
        st.info("Search a name above, or pick a service in the corpus overview.", icon=":material/search:")
    else:
        entity = page.entity
        st.header(entity.label)
        facts = [
            entity.kind,
            page.category,
            f"first mentioned at {entity.span.label}" if entity.span.line_start else "",
            f"id `{entity.id}`",
        ]
        st.caption(" · ".join(f for f in facts if f))
        if entity.aliases:
            st.markdown("**Also called:** " + ", ".join(components.md(a) for a in entity.aliases))
        if page.whole:
            st.markdown("**Part of:** " + ", ".join(components.entity_link(e) for e in page.whole))
        if page.definition:
            st.markdown(f"> {components.md(page.definition)}")
            st.caption(f"Definition, {components.span_text(page.definition_span)}")

        st.subheader(f"Limits ({len(page.limits)})")
        if page.limits:
            limits = pd.DataFrame(
                [
                    {
                        "about": row["subject_label"],
                        "attribute": row["attribute"],
                        "as written": row["value_text"],
                        "value": row["value"],
                        "up to": row["value_max"],
                        "unit": row["unit"],
                        "kind": row["kind"],
                        "cited": f"{row['source']}:{row['line_start']}",
                    }
                    for row in page.limits
                ]
            )
            if limits["up to"].isna().all():
                limits = limits.drop(columns=["up to"])
            number = st.column_config.NumberColumn(format="%.12g", width=110)
            st.dataframe(
                limits,
                hide_index=True,
                width="stretch",
                height=components.table_height(len(limits)),
                column_config={"value": number, "up to": number},
            )
        else:
            st.caption("No limits were read for this entity.")

        st.subheader("Relationships")
        for rows, direction, other in ((page.relations_out, "Out", "object"), (page.relations_in, "In", "subject")):
            st.markdown(f"**{direction}** ({len(rows)})")
            if rows:
                frame = pd.DataFrame(
                    [
                        {
                            other: components.link_cell(entity_id(r[other]), r[f"{other}_label"]),
                            "relation": r["predicate_label"],
                            "cited": f"{r['source']}:{r['line_start']}",
                            "text": r["text"],
                        }
                        for r in rows
                    ],
                    columns=["relation", other, "cited", "text"]
                    if direction == "Out"
                    else [other, "relation", "cited", "text"],
                )
                st.dataframe(
                    frame,
                    hide_index=True,
                    width="stretch",
                    height=components.table_height(len(frame)),
                    column_config={other: components.link_column(other)},
                )
            else:
                st.caption("None in the notes.")

        st.subheader(f"Comparisons ({len(page.comparisons)})")
        for comparison in page.comparisons:
            st.page_link(
                state.PAGES["compare"][0],
                icon=":material/compare_arrows:",
                label=f"{comparison['title']} (as “{comparison['item']}”), "
                f"{comparison['source']}:{comparison['line_start']}–{comparison['line_end']}",
                query_params={"comparison": comparison["iri"].rsplit("/", 1)[-1], **state.store_param()},
            )
        if not page.comparisons:
            st.caption("It appears in no comparison.")

        st.subheader("Neighbourhood")
        if page.edges:
            st.caption("Click a node to open its page. Arrows read subject → object.")
            st.graphviz_chart(
                components.neighbourhood_dot(entity.id, page.edges, explorer, page.hidden_parts), width="stretch"
            )
        else:
            st.caption("No relationships to draw.")
        if page.parts:
            with st.expander(f"Parts ({len(page.parts)})"):
                st.markdown(" · ".join(components.entity_link(part) for part in page.parts))

with overview_tab:
    counts = explorer.counts()
    for row in (list(counts.items())[:4], list(counts.items())[4:]):
        for column, (name, value) in zip(st.columns(4), row, strict=False):
            column.metric(name + ("es" if name.endswith("ss") else "s"), f"{value:,}")

    st.subheader("Services per category")
    for category, members in explorer.services_by_category().items():
        links = ", ".join(components.entity_link(e) for e in members)
        st.markdown(f"**{components.md(category)}** ({len(members)}): {links}")

    st.subheader("Coverage")
    coverage = explorer.coverage
    share = coverage.covered / coverage.lines if coverage.lines else 0.0
    st.progress(share, text=f"{coverage.covered:,} of {coverage.lines:,} content lines ({share:.0%}) produced a fact")
    sections = (
        pd.DataFrame(coverage.sections)
        .sort_values(["coverage", "lines"], ascending=[True, False])
        .rename(columns={"with_facts": "with facts"})
    )
    st.markdown("**Sections, least covered first**")
    st.dataframe(
        sections,
        hide_index=True,
        width="stretch",
        height=280,
        column_config={
            "coverage": st.column_config.ProgressColumn("coverage", format="%d%%", min_value=0, max_value=100)
        },
    )
    st.markdown(f"**Lines that produced no fact** ({len(coverage.uncovered):,})")
    st.dataframe(pd.DataFrame(coverage.uncovered), hide_index=True, width="stretch", height=320)
