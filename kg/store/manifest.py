"""The store manifest: format version, package versions, model name, per-file hashes, counts."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from kg.errors import StoreError

FORMAT_VERSION = 8  # 8: generations (kg/store/generations.py)
MANIFEST_NAME = "manifest.json"
TRACKED_PACKAGES = (
    "notes-kg",
    "pyoxigraph",
    "rdflib",
    "spacy",
    "sentence-transformers",
    "faiss-cpu",
    "bm25s",
)


def package_versions() -> dict[str, str]:
    found = {}
    for name in TRACKED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    found["python"] = platform.python_version()
    return found


@dataclass
class Manifest:
    """What a store holds and how it was built."""

    format_version: int = FORMAT_VERSION
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    packages: dict[str, str] = field(default_factory=package_versions)
    model: str = ""
    files: dict[str, str] = field(default_factory=dict)  # source -> sha256
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    generation: str = ""  # the generation folder this manifest describes (set when published)
    graph: dict[str, Any] = field(default_factory=dict)  # {} embedded; else the graph server (kg/store/graphs.py)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def write(self, folder: Path) -> None:
        (folder / MANIFEST_NAME).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read a store's manifest.

        Raises:
            StoreError: There is no store at ``folder``, or it was built by another format version.
        """
        path = folder / MANIFEST_NAME
        if not path.exists():
            raise StoreError(f"no store at {folder}: run `kg ingest` (or pass --store / set KG_STORE)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path} is unreadable ({exc}): run `kg ingest` again") from None
        found = data.get("format_version")
        if found != FORMAT_VERSION:
            relation = "older" if isinstance(found, int) and found < FORMAT_VERSION else "newer"
            raise StoreError(
                f"store format {found} at {folder} is {relation} than {FORMAT_VERSION}: run `kg ingest` again"
            )
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})
