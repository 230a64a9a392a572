"""Add notes files to a store or remove some, without the folder it was built from.

A store keeps the notes as ingested (``sources/`` of its generation). An edit copies them out,
applies the change and rebuilds from them with :func:`kg.builder.build_store`, so the result is
exactly a cold build of the same files; unchanged passages are not encoded again (the embedding
cache). Atomic like any ingest: readers see the old store or the new one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.parse import NOTE_SUFFIXES, discover
from kg.errors import StoreError
from kg.store import SOURCES_DIR, KnowledgeStore
from kg.store.manifest import Manifest


def edit_store(
    store: Path,
    *,
    add: Sequence[str | Path] = (),
    remove: Sequence[str] = (),
    **build: Any,
) -> Manifest:
    """Rebuild ``store`` from its own notes with ``add`` files added (or replaced) and ``remove`` sources gone.

    Args:
        store: An existing store.
        add: Notes files or folders; a file whose source name the store holds replaces it.
        remove: Source names as the store lists them (`kg stats`, citations).
        build: Passed to :func:`kg.builder.build_store` (encoder, progress, graph).

    Raises:
        StoreError: The store does not hold a named source, or the edit would leave it empty.
    """
    from kg.builder import build_store

    added = discover(add)  # a missing path is said before anything is copied
    with tempfile.TemporaryDirectory(prefix="notes-kg-edit-") as tmp:
        folder = Path(tmp) / "notes"
        with KnowledgeStore(store, build.get("graph")) as opened:  # one generation, pinned while copying
            sources = sorted(opened.manifest.files)
            for source in sources:
                if Path(source).suffix.lower() not in NOTE_SUFFIXES:
                    raise StoreError(
                        f"the store at {store} holds {source!r}, read from a pipe: ingest the notes from files "
                        "to add or remove one"
                    )
                target = folder / source
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(opened.path / SOURCES_DIR / source, target)
        for source in remove:
            if source not in sources:
                raise StoreError(f"the store at {store} has no notes file {source!r}: it holds {', '.join(sources)}")
            (folder / source).unlink()
        for path, source in added:
            target = folder / source
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        if not any(p.is_file() for p in folder.rglob("*")):
            raise StoreError(f"removing {', '.join(remove)} would leave the store at {store} without notes")
        return build_store([folder], store, **build)
