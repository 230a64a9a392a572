"""Store generations: each ingest writes a new one; the top manifest names the one readers open.

    STORE/
      manifest.json              the current generation's manifest, with its "generation" name
      .lock                      held by the one ingest writing the store
      generations/g000007/       manifest.json graph/ passages.jsonl index/ sources/
      generations/.building-*    a generation being built (a killed build's leftover goes next ingest)

A generation whose graph is on a graph server names its graphs there in its manifest; removing
the generation makes them garbage, dropped from the server once no kept generation names them
(kg/store/graphs.py).

Publishing a generation is one atomic rename of the top manifest, so a reader sees the old store
or the new one. A reader pins its generation with a shared ``flock`` on that generation's manifest
and reads every part from it; an ingest removes an old generation only when it can take the lock
exclusively, so no reader loses files under it. A store folder is the store's alone: ingest refuses
a folder that holds anything else, and deletes only what it created.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kg.errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux: no reader pins, old generations are kept
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
GENERATIONS_DIR = "generations"
BUILDING_PREFIX = ".building-"
# What stores of format 7 and older kept at their top level: ours to delete when replacing one.
LEGACY_ENTRIES = ("graph", "index", "sources", "passages.jsonl")


def read_top_manifest(store: Path) -> dict[str, object] | None:
    """The store's top manifest as a dict, or None when the folder holds none (or not ours)."""
    try:
        data = json.loads((store / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and {"format_version", "files", "model"} <= data.keys():
        return data
    return None


def _ours_only(store: Path) -> bool:
    """True when every entry of the folder is one a store writes (an empty folder included)."""
    names = {p.name for p in store.iterdir()}
    return names <= {LOCK_NAME, GENERATIONS_DIR, MANIFEST_NAME} and MANIFEST_NAME not in names


def check_store_target(store: Path, inputs: list[Path] | None = None) -> None:
    """Refuse a ``--store`` that is not a store's to take, before anything is written.

    Args:
        store: The store folder asked for.
        inputs: The notes files and folders being ingested.

    Raises:
        StoreError: ``store`` is a file, a folder holding other things, the notes folder itself,
            inside a notes folder where ingest would read it, or holds an input.
    """
    resolved = store.resolve()
    for raw in inputs or []:
        path = Path(raw).resolve()
        if path == resolved:
            raise StoreError(f"--store {store} is the notes folder itself: give the store a folder of its own")
        if path.is_dir() and path in resolved.parents:
            inside = resolved.relative_to(path).parts
            if not any(part.startswith(".") for part in inside):  # a hidden folder is never read as notes
                raise StoreError(
                    f"--store {store} is inside the notes folder {raw}: "
                    "put the store outside it (or in a hidden folder)"
                )
        if resolved in path.parents:
            raise StoreError(f"{raw} is inside the store folder {store}: move the notes out of it")
    if not store.exists() and not store.is_symlink():
        return
    if not store.is_dir():
        raise StoreError(f"--store {store} is a file, not a folder: give a new or existing store folder")
    if read_top_manifest(store) is None and not _ours_only(store):
        raise StoreError(
            f"--store {store} is a folder that holds other files, not a notes-kg store: "
            "give an empty or new folder (nothing was changed)"
        )


class WriterLock:
    """One ingest at a time per store: an exclusive ``flock`` on ``STORE/.lock``.

    Creates the store folder when it does not exist; ``created`` tells whether it did.

    Raises:
        StoreError: Another ingest holds the lock.
    """

    def __init__(self, store: Path) -> None:
        self.store = store
        self.created = not store.exists()
        self._handle: IO[str] | None = None

    def __enter__(self) -> WriterLock:
        try:
            self.store.mkdir(parents=True, exist_ok=True)
            handle = (self.store / LOCK_NAME).open("a+", encoding="utf-8")
        except OSError as exc:
            raise StoreError(f"cannot create the store at {self.store} ({exc.strerror}): check the path") from None
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                raise StoreError(
                    f"another `kg ingest` is writing the store at {self.store}: wait for it to finish, then retry"
                ) from None
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()  # closing releases the lock
            self._handle = None
        if self.created and read_top_manifest(self.store) is None:
            # A first build that failed: remove the folder it made (only our own entries are in it).
            shutil.rmtree(self.store / GENERATIONS_DIR, ignore_errors=True)
            (self.store / LOCK_NAME).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.store.rmdir()


def staging_dir(store: Path) -> Path:
    """A fresh empty folder inside the store to build the next generation in."""
    parent = store / GENERATIONS_DIR
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=BUILDING_PREFIX, dir=parent))


def discard(staged: Path) -> None:
    """Remove a failed build (call with the writer lock held); graphs it wrote to a graph server are
    dropped by the next ingest (the server may be why it failed)."""
    _forget(staged.parent.parent, staged)
    shutil.rmtree(staged, ignore_errors=True)


def _forget(store: Path, folder: Path) -> None:
    """Note the graph-server graphs ``folder`` names as garbage before it is removed."""
    from kg.store.graphs import GARBAGE, remember

    remember(folder, store / GENERATIONS_DIR / GARBAGE)


def _drop_remote_garbage(store: Path) -> None:
    """Drop the garbage graphs no remaining generation names from their servers (best effort)."""
    from kg.store.graphs import GARBAGE, drop_garbage

    garbage = store / GENERATIONS_DIR / GARBAGE
    if garbage.exists():
        drop_garbage(garbage, [store / GENERATIONS_DIR / name for name in _generation_names(store)])


def _generation_names(store: Path) -> list[str]:
    folder = store / GENERATIONS_DIR
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("g") and p.name[1:].isdigit())


def publish(store: Path, staged: Path, manifest: dict[str, object]) -> str:
    """Make ``staged`` the store's current generation; call with the writer lock held.

    Returns:
        The new generation's name.
    """
    before = read_top_manifest(store)
    names = _generation_names(store)
    number = int(names[-1][1:]) + 1 if names else 1
    name = f"g{number:06d}"
    final = store / GENERATIONS_DIR / name
    os.replace(staged, final)
    body = json.dumps({**manifest, "generation": name}, indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=store)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, store / MANIFEST_NAME)  # the atomic step: readers now open `name`
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(store)
    if before is not None and "generation" not in before:
        _remove_legacy(store)
    collect(store)
    return name


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def collect(store: Path) -> None:
    """Remove what earlier ingests left: killed builds and generations no reader holds.

    Call with the writer lock held. Only entries a store writes are ever removed.
    """
    top = read_top_manifest(store)
    current = top.get("generation") if top else None
    folder = store / GENERATIONS_DIR
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.startswith(BUILDING_PREFIX):
                _forget(store, entry)
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name in _generation_names(store) and entry.name != current:
                _remove_if_unread(entry)
        _drop_remote_garbage(store)


def _remove_legacy(store: Path) -> None:
    """Remove the top-level parts of the format-7 store this folder held before (ours: it was a store)."""
    for name in LEGACY_ENTRIES:
        path = store / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)


def _remove_if_unread(generation: Path) -> None:
    try:
        handle = (generation / MANIFEST_NAME).open("rb")
    except FileNotFoundError:
        _forget(generation.parent.parent, generation)  # its write-ahead record, if any is left
        shutil.rmtree(generation, ignore_errors=True)  # a half-removed generation
        return
    except OSError:
        return
    with handle:
        if fcntl is None:
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.info("keeping %s: a reader still has it open", generation)
            return
        _forget(generation.parent.parent, generation)
        shutil.rmtree(generation, ignore_errors=True)


@dataclass
class Pin:
    """A reader's hold on one generation: its folder, kept from removal until ``release``."""

    folder: Path
    generation: str
    handle: IO[bytes] | None

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def pin(store: Path) -> Pin:
    """Open the store's current generation for reading and hold it.

    Raises:
        StoreError: The store names a generation that is not there (damaged).
    """
    for _ in range(20):
        top = read_top_manifest(store)
        name = top.get("generation") if top else None
        if not isinstance(name, str) or not name:
            return Pin(store, "", None)  # a store of an older layout: Manifest.read explains
        folder = store / GENERATIONS_DIR / name
        try:
            handle = (folder / MANIFEST_NAME).open("rb")
        except FileNotFoundError:
            if read_top_manifest(store) == top:
                raise StoreError(
                    f"the store at {store} is damaged (generation {name} is missing): re-run `kg ingest`"
                ) from None
            continue  # a newer generation was published meanwhile
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_SH)
            if os.fstat(handle.fileno()).st_nlink == 0:  # removed while we waited for the lock
                handle.close()
                continue
        return Pin(folder, name, handle)
    raise StoreError(f"the store at {store} keeps changing: retry when `kg ingest` has finished")


def current_generation(store: Path) -> str:
    """The name of the generation readers of ``store`` open now ("" when there is none)."""
    top = read_top_manifest(store)
    name = top.get("generation") if top else None
    return name if isinstance(name, str) else ""
