"""Session keys, the pages, and the loaded store: the one place the app keeps state.

The store folder comes from ``KG_STORE`` (set by `kg app`), else the `store` setting. A store built
from uploaded notes lives beside it as ``<store>.upload-<n>``; the session remembers which one is
loaded, and links carry it as ``?store=upload-<n>`` so a page opened from a link keeps it.
Heavy objects (the store, the question-answering engine, the explorer) load once per process with
``st.cache_resource`` and are shared by every session.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from kg import settings
from kg.conflicts import Conflict, find_conflicts, store_view
from kg.errors import QueryError
from kg.explore import Explorer, answerable, example_questions
from kg.qa.answer import Answer
from kg.qa.engine import Engine
from kg.query import QueryResult, execute
from kg.store import KnowledgeStore
from kg.store.generations import current_generation

# Session keys.
STORE = "store"  # str: folder of the loaded store
STORES = "stores"  # list[str]: stores this session can switch between
HISTORY = "history"  # list[AskRecord]: questions asked this session, oldest first
SHOWN = "shown"  # int: index in HISTORY of the answer on screen
QUESTION = "question"  # the question box
PENDING = "pending_question"  # str: an example question clicked, to ask on this run
EXAMPLE = "example"  # the example-question pills
SPARQL_TEXT = "sparql_text"  # str: the SPARQL editor's text, kept across pages
SPARQL_EDITOR = "sparql_editor"  # the SPARQL editor widget
SPARQL_EXAMPLE = "sparql_example"  # the example-query menu
SPARQL_TIMEOUT = "sparql_timeout"  # the time-limit input (seconds)
SPARQL_ROW_CAP = "sparql_row_cap"  # the row-cap input
SPARQL_RUN = "sparql_run"  # bool: run the editor's query on this run (opened from Ask or the menu)
SPARQL_RESULT = "sparql_result"  # SparqlOutcome: the last query run and its result
EXPLORE_SEARCH = "explore_search"  # the Explore search box
EXPLORE_PICK = "explore_pick"  # the Explore search result picked
COMPARE_ITEMS = "compare_items"  # the Compare multiselect
COMPARE_TABLE = "compare_table"  # the Compare "comparison from the notes" menu
COMPARE_LINKED = "compare_linked"  # str: the ?comparison= link already applied
UPLOADS = "uploads"  # the sidebar uploader

# Pages: file (relative to streamlit_app.py), title, URL path.
PAGES: dict[str, tuple[str, str]] = {
    "ask": ("views/ask.py", "Ask"),
    "sparql": ("views/sparql.py", "SPARQL"),
    "explore": ("views/explore.py", "Explore"),
    "compare": ("views/compare.py", "Compare"),
    "conflicts": ("views/conflicts.py", "Contradictions"),
}
UPLOAD_RE = re.compile(r"upload-\d+")


@dataclass
class SparqlOutcome:
    """A query run from the SPARQL page: its result, or the error shown instead."""

    query: str
    result: QueryResult | None
    error: str
    seconds: float


@dataclass
class AskRecord:
    """One question of the session, its answer and how long answering took."""

    question: str
    answer: Answer
    seconds: float
    store: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def default_store() -> Path:
    return Path(os.environ.get("KG_STORE") or settings.get("store")).resolve()


def init() -> None:
    """Set every session key to its starting value (once per session)."""
    base = str(default_store())
    if STORE not in st.session_state:
        wanted = str(st.query_params.get("store", ""))
        upload = f"{base}.{wanted}" if UPLOAD_RE.fullmatch(wanted) and Path(f"{base}.{wanted}").is_dir() else None
        st.session_state[STORE] = upload or base
        st.session_state[STORES] = [base] + ([upload] if upload else [])
    st.session_state.setdefault(HISTORY, [])
    st.session_state.setdefault(SHOWN, -1)
    st.session_state.setdefault(SPARQL_TEXT, "")


def store_folder() -> str:
    return str(st.session_state[STORE])


def use_store(folder: str) -> None:
    """Switch the session to another store (one of the default store's uploads, or the default)."""
    if folder not in st.session_state[STORES]:
        st.session_state[STORES].append(folder)
    st.session_state[STORE] = folder
    st.session_state[COMPARE_ITEMS] = []
    for key in (COMPARE_TABLE, SPARQL_RESULT):
        st.session_state.pop(key, None)


def store_param() -> dict[str, str]:
    """The query parameter that names the session's store, when it is not the default one."""
    current, base = store_folder(), str(default_store())
    return {"store": current[len(base) + 1 :]} if current != base else {}


def stamp(folder: str) -> str:
    """The store's current generation: a session moves to a newly ingested one on its next run."""
    return current_generation(Path(folder))


@st.cache_resource(show_spinner="Opening the store…", max_entries=4)
def _store(folder: str, written: str) -> KnowledgeStore:
    return KnowledgeStore(folder)


@st.cache_resource(show_spinner="Loading the question-answering engine…", max_entries=2)
def _engine(folder: str, written: str) -> Engine:
    return Engine(_store(folder, written))


@st.cache_resource(show_spinner=False, max_entries=4)
def _explorer(folder: str, written: str) -> Explorer:
    store = _store(folder, written)
    return Explorer(store.graph, store.source_lines)


@st.cache_resource(show_spinner="Choosing example questions…", max_entries=4)
def _examples(folder: str, written: str) -> list[str]:
    return answerable(example_questions(_explorer(folder, written)), _engine(folder, written).ask_many)


@st.cache_resource(show_spinner="Reading the notes for contradictions…", max_entries=4)
def _conflicts(folder: str, written: str) -> list[Conflict]:
    return find_conflicts(store_view(_store(folder, written)))


def store(folder: str | None = None) -> KnowledgeStore:
    """The session's store, or the store at ``folder`` (an earlier answer's, to show its lines)."""
    folder = folder or store_folder()
    return _store(folder, stamp(folder))


def engine() -> Engine:
    folder = store_folder()
    return _engine(folder, stamp(folder))


def explorer(folder: str | None = None) -> Explorer:
    """The session's explorer, or the one of the store at ``folder``."""
    folder = folder or store_folder()
    return _explorer(folder, stamp(folder))


def conflicts() -> list[Conflict]:
    """The contradictions of the session's store (found once per store generation)."""
    folder = store_folder()
    return _conflicts(folder, stamp(folder))


def examples() -> list[str]:
    folder = store_folder()
    return _examples(folder, stamp(folder))


def ask_example() -> None:
    """Pills callback: put the example in the question box, ask it on this run, clear the pill."""
    question = st.session_state.get(EXAMPLE)
    if question:
        st.session_state[QUESTION] = question
        st.session_state[PENDING] = question
    st.session_state[EXAMPLE] = None


def ask(question: str) -> None:
    """Answer a question with the session's store, add it to the history and show it."""
    started = time.perf_counter()
    answer = engine().ask(question)
    seconds = time.perf_counter() - started
    st.session_state[HISTORY].append(AskRecord(question, answer, seconds, store_folder()))
    st.session_state[SHOWN] = len(st.session_state[HISTORY]) - 1


def shown() -> AskRecord | None:
    history: list[AskRecord] = st.session_state[HISTORY]
    index = st.session_state[SHOWN]
    return history[index] if 0 <= index < len(history) else None


def show(index: int) -> None:
    st.session_state[SHOWN] = index


def open_in_sparql(query: str) -> None:
    """Put a query in the SPARQL editor, go to the SPARQL page and run it there."""
    st.session_state[SPARQL_TEXT] = query
    st.session_state.pop(SPARQL_EDITOR, None)
    st.session_state[SPARQL_RUN] = True
    st.switch_page(PAGES["sparql"][0])


def run_sparql(query: str, timeout: float, row_cap: int) -> None:
    """Run the editor's query (read-only, capped) and keep the outcome for the page to show."""
    started = time.perf_counter()
    try:
        result, error = execute(store().graph, query, timeout=timeout, row_cap=row_cap), ""
    except QueryError as exc:
        result, error = None, str(exc)
    except (OSError, ValueError) as exc:  # raised while rows stream, after parsing succeeded
        result, error = None, f"the query failed: {exc}"
    st.session_state[SPARQL_RESULT] = SparqlOutcome(query, result, error, time.perf_counter() - started)


def editor_text(default: str) -> str:
    """Start the SPARQL editor from the kept text (the editor's own key is dropped on other pages)."""
    if not st.session_state[SPARQL_TEXT]:
        st.session_state[SPARQL_TEXT] = default
    if SPARQL_EDITOR not in st.session_state:
        st.session_state[SPARQL_EDITOR] = st.session_state[SPARQL_TEXT]
    return str(st.session_state[SPARQL_EDITOR])


def keep_editor_text() -> None:
    st.session_state[SPARQL_TEXT] = st.session_state[SPARQL_EDITOR]


def load_example_query(queries: dict[str, str]) -> None:
    """Menu callback: put the chosen example in the editor and run it."""
    chosen = st.session_state.get(SPARQL_EXAMPLE)
    if chosen in queries:
        st.session_state[SPARQL_TEXT] = st.session_state[SPARQL_EDITOR] = queries[chosen]
        st.session_state[SPARQL_RUN] = True


def load_comparison() -> None:
    """Menu callback: pick every item of the chosen comparison."""
    iri = st.session_state.get(COMPARE_TABLE)
    st.session_state[COMPARE_ITEMS] = explorer().comparison_keys(iri) if iri else []


def follow_comparison_link(comparisons: list[str]) -> None:
    """Open the comparison a link names (``?comparison=<id>``), once, before the widgets are drawn."""
    wanted = str(st.query_params.get("comparison", ""))
    if wanted and wanted != st.session_state.get(COMPARE_LINKED):
        st.session_state[COMPARE_LINKED] = wanted
        found = [iri for iri in comparisons if iri.rsplit("/", 1)[-1] == wanted]
        if found:
            st.session_state[COMPARE_TABLE] = found[0]
            load_comparison()
