"""Shared fixtures (listed in tests/README.md).

- ``repo``: the repository root.
- ``aws_notes``: path of the bundled AWS notes.
- ``fake_encoder``: a deterministic hashing encoder (no model) for unit tests.
- ``small_notes``: a folder with a short Markdown and a short text notes file.
- ``small_store``: a store built from ``small_notes`` with the fake encoder (fast).
- ``aws_store``: a store built from the bundled notes with the real MiniLM model (slow, once).
- ``aws_engine``: a question-answering engine over ``aws_store`` (slow, once).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"


class FakeEncoder:
    """Deterministic bag-of-words hashing encoder: similar texts get similar vectors."""

    name = "fake-hashing-encoder"
    dimension = 64

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.sha1(word.strip(".,:;()").encode()).digest()
                vectors[row, digest[0] % self.dimension] += 1.0
            norm = np.linalg.norm(vectors[row])
            vectors[row] = vectors[row] / norm if norm else vectors[row]
        return vectors


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def aws_notes() -> Path:
    return REPO / "data" / "notes" / "aws-notes.txt"


@pytest.fixture(scope="session")
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def small_notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small-notes")
    shutil.copy(DATA / "small-notes.md", folder / "small-notes.md")
    shutil.copy(DATA / "small-rendered.txt", folder / "small-rendered.txt")
    return folder


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory, small_notes: Path, fake_encoder: FakeEncoder) -> Path:
    from kg.builder import build_store

    store = tmp_path_factory.mktemp("small-store") / "store"
    build_store([small_notes], store, encoder=fake_encoder)
    return store


@pytest.fixture(scope="session")
def aws_store(tmp_path_factory: pytest.TempPathFactory, aws_notes: Path) -> Path:
    from kg.builder import build_store

    store = tmp_path_factory.mktemp("aws-store") / "store"
    build_store([aws_notes], store)
    return store


@pytest.fixture(scope="session")
def aws_engine(aws_store: Path):  # type: ignore[no-untyped-def]
    from kg.qa.engine import Engine

    return Engine.open(aws_store)
