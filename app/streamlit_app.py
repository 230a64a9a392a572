"""notes-kg in the browser: `kg app` runs this with ``KG_STORE`` naming the store.

The entry point draws what every page shares (the sidebar: the loaded store, the settings, the
uploader) and routes to the pages with ``st.navigation``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts app/ on the path, not the repository
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import state  # noqa: E402
from app.components import md  # noqa: E402
from kg import settings  # noqa: E402
from kg.errors import KGError  # noqa: E402
from kg.explore import build_upload_store  # noqa: E402
from kg.store import KnowledgeStore  # noqa: E402

ICONS = {
    "ask": ":material/question_answer:",
    "sparql": ":material/code:",
    "explore": ":material/hub:",
    "compare": ":material/compare_arrows:",
    "conflicts": ":material/report:",
}


def _shown(folder: Path) -> str:
    """The store folder as the user knows it: relative to where the app was started when inside it."""
    try:
        return str(folder.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(folder)


def store_panel(store: KnowledgeStore) -> None:
    manifest = store.manifest
    st.subheader("Store")
    stores: list[str] = st.session_state[state.STORES]
    if len(stores) > 1:
        chosen = st.selectbox(
            "Loaded store",
            stores,
            index=stores.index(state.store_folder()),
            format_func=lambda folder: Path(folder).name,
        )
        if chosen != state.store_folder():
            state.use_store(chosen)
            st.rerun()
    st.caption(f"`{_shown(Path(store.folder))}`")
    sources = ", ".join(md(name) for name in sorted(manifest.files)) or "none"
    counts = manifest.counts
    built = sum(manifest.timings.values())
    st.markdown(
        f"**Sources:** {sources}  \n"
        f"**Built:** {manifest.created.replace('T', ' ')} in {built:.0f} s  \n"
        f"**Facts:** {counts.get('services', 0)} services, {counts.get('components', 0)} components, "
        f"{counts.get('limits', 0)} limits, {counts.get('relations', 0)} relations, "
        f"{counts.get('comparisons', 0)} comparisons, {counts.get('definitions', 0)} definitions  \n"
        f"**Index:** {counts.get('passages', 0):,} passages, {counts.get('triples', 0):,} triples"
    )


def settings_panel() -> None:
    with st.expander("Settings"):
        rows = [
            {"setting": s.name, "value": str(settings.get(s.name)), "env": s.env, "help": s.help}
            for s in settings.SETTINGS
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption("Set a setting with its environment variable before starting the app.")


def upload_panel() -> None:
    with st.expander("Add notes"):
        st.caption("Build a new store from `.txt` or `.md` notes. The current store stays as it is.")
        key = f"{state.UPLOADS}-{st.session_state.get(state.UPLOADS, 0)}"
        files = st.file_uploader("Notes files", type=["txt", "md", "markdown"], accept_multiple_files=True, key=key)
        if st.button("Build a new store", disabled=not files, width="stretch"):
            with st.spinner(f"Building a store from {len(files or [])} file(s)…"):
                try:
                    folder = build_upload_store([(f.name, f.getvalue()) for f in files or []], state.default_store())
                except KGError as exc:
                    st.error(md(f"Not ingested: {exc}. The current store is still loaded."))
                    return
                except Exception as exc:  # a UI boundary: report, keep the current store
                    st.error(md(f"Building failed ({type(exc).__name__}: {exc}). The current store is still loaded."))
                    return
            st.session_state[state.UPLOADS] = st.session_state.get(state.UPLOADS, 0) + 1
            state.use_store(str(folder))
            st.rerun()


st.set_page_config(page_title="notes-kg", page_icon=":material/hub:", layout="wide")
st.set_option("client.toolbarMode", "viewer")  # no "Deploy" button: this is a local tool
state.init()
try:
    current = state.store()
except KGError as exc:
    st.error(f"{exc}")
    st.stop()
with st.sidebar:
    store_panel(current)
    settings_panel()
    upload_panel()
pages = [
    st.Page(path, title=title, icon=ICONS[name], url_path=name, default=name == "ask")
    for name, (path, title) in state.PAGES.items()
]
st.navigation(pages, position="top").run()
