"""Whether a store was built from exactly the given notes: cheap to ask (no spaCy, no model).

`kg ingest --if-changed` (what `make run` uses) answers from this alone when nothing changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ingest.parse import discover
from kg.errors import KGError
from kg.store.graphs import wanted_graph
from kg.store.manifest import Manifest

BUNDLED_NOTES = Path(__file__).resolve().parent.parent.parent / "data" / "notes"


def default_paths() -> list[Path]:
    """The notes shipped with the project."""
    return [BUNDLED_NOTES]


def is_up_to_date(paths: Sequence[str | Path], store: Path, graph: str | None = None) -> bool:
    """True when ``store`` was built from exactly these files' current contents, with its graph where wanted."""
    import hashlib

    try:
        manifest = Manifest.read(store)
        server = wanted_graph(graph, manifest.graph)
    except KGError:
        return False
    if (server.query if server else "") != manifest.graph.get("server", {}).get("query", ""):
        return False
    files = discover(paths)
    current = {source: hashlib.sha256(path.read_bytes()).hexdigest() for path, source in files}
    return current == manifest.files
