"""Readers pin one store generation; re-ingests and killed ingests never pull files from under them."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.builder import build_store
from kg.qa.engine import Engine
from kg.server import make_server
from kg.store import KnowledgeStore, LiveStore
from kg.store.generations import GENERATIONS_DIR, current_generation

FIRST = {"one.md": "# Alpha\n\n- Alpha holds up to 10 GB\n- Alpha is a queue service\n"}
SECOND = {
    "two.md": "# Beta\n\n- Beta holds up to 20 GB\n- Beta is a stream service\n",
    "three.md": "# Gamma\n\n- Gamma keeps records for 7 days\n",
}


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("readers", [1])
def test_reader_keeps_its_generation_through_a_reingest(tmp_path: Path, fake_encoder, readers: int) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_store([_write(tmp_path / "a", FIRST)], store, encoder=fake_encoder)
    reader = KnowledgeStore(store)
    held = reader.path
    build_store([_write(tmp_path / "b", SECOND)], store, encoder=fake_encoder)
    assert not reader.is_current() and held.exists()
    # Everything the reader loads after the swap is still its own generation's: no mix.
    assert {p.source for p in reader.passages} == {"one.md"}
    assert len(reader.dense) == len(reader.passages)
    assert reader.source_lines("one.md")[0] == "# Alpha"
    reader.close()
    build_store([_write(tmp_path / "b", SECOND)], store, encoder=fake_encoder)
    assert not held.exists()  # released, so the next ingest removed it
    assert {p.source for p in KnowledgeStore(store).passages} == {"two.md", "three.md"}


@pytest.mark.parametrize(("rounds", "asks"), [(5, 200)])
def test_reader_loop_during_reingests_sees_one_generation_per_answer(
    tmp_path: Path, fake_encoder, rounds: int, asks: int
) -> None:  # type: ignore[no-untyped-def]
    """200 engines opened and asked while the store is rebuilt back to back: no failure, no mixed answer."""
    store = tmp_path / "store"
    first, second = _write(tmp_path / "a", FIRST), _write(tmp_path / "b", SECOND)
    build_store([first], store, encoder=fake_encoder)
    failures: list[BaseException] = []
    mixed: list[set[str]] = []
    generations: set[str] = set()
    done = threading.Event()
    rebuilds = 0

    def write() -> None:
        nonlocal rebuilds
        while not done.is_set() or rebuilds < rounds:
            try:
                build_store([second if rebuilds % 2 == 0 else first], store, encoder=fake_encoder)
            except BaseException as exc:
                failures.append(exc)
                return
            rebuilds += 1

    writer = threading.Thread(target=write)
    writer.start()
    for _ in range(asks):
        try:
            with KnowledgeStore(store) as opened:
                engine = Engine(opened, fake_encoder)
                answer = engine.ask("how much does it hold?")
                generations.add(opened.generation)
                sources = {c.source for c in answer.citations} | {p.source for p in engine.store.passages[:3]}
                if not (sources <= set(FIRST) or sources <= set(SECOND)):
                    mixed.append(sources)
        except BaseException as exc:
            failures.append(exc)
    done.set()
    writer.join()
    assert not failures and not mixed and rebuilds >= rounds and len(generations) > 1


@pytest.mark.parametrize("fixture", ["small_notes"])
def test_serve_moves_to_the_new_generation_between_requests(
    tmp_path: Path, fake_encoder, fixture: str, request: pytest.FixtureRequest
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_store([_write(tmp_path / "a", FIRST)], store, encoder=fake_encoder)
    server = make_server(LiveStore(store), "127.0.0.1", 0)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    query = "SELECT (COUNT(?d) AS ?n) WHERE { ?d a nkg:Document }"
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode(
        {"query": "PREFIX nkg: <https://notes-kg.dev/ontology#> " + query}
    )

    def documents() -> int:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(json.load(response)["results"]["bindings"][0]["n"]["value"])

    try:
        assert documents() == 1
        build_store([request.getfixturevalue(fixture), tmp_path / "a"], store, encoder=fake_encoder)
        assert documents() == 3
    finally:
        server.shutdown()
        server.server_close()


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


# The parts of a generation in the order an ingest writes them; the kill comes when each appears.
PHASES = ["parse", "graph", "passages.jsonl", "index/sparse", "index/dense", "sources"]


@pytest.mark.slow
@pytest.mark.parametrize("phase", PHASES)
def test_killed_ingest_leaves_the_old_store_answering(tmp_path: Path, fake_encoder, phase: str) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_store([_write(tmp_path / "a", FIRST)], store, encoder=fake_encoder)
    before = KnowledgeStore(store).manifest
    notes = _write(tmp_path / "b", {f"n{i}.md": f"# Topic {i}\n\n- Topic {i} holds {i} GB\n" * 40 for i in range(30)})
    notes_before = _hashes(notes)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "kg"), "ingest", str(notes), "--store", str(store), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    if phase == "parse":
        time.sleep(1.0)
    else:
        while time.monotonic() < deadline and process.poll() is None:
            building = list((store / GENERATIONS_DIR).glob(".building-*"))
            if building and (building[0] / phase).exists():
                break
            time.sleep(0.005)
    if process.poll() is not None:
        pytest.skip(f"the ingest finished before reaching {phase}")  # a machine too fast to catch the phase
    process.send_signal(signal.SIGKILL)
    process.wait()
    reader = KnowledgeStore(store)
    assert reader.manifest.files == before.files and reader.generation == before.generation
    assert {p.source for p in reader.passages} == {"one.md"} and len(reader.dense) == len(reader.passages)
    assert _hashes(notes) == notes_before
    reader.close()
    build_store([notes], store, encoder=fake_encoder)  # the next ingest cleans up and succeeds
    assert not list((store / GENERATIONS_DIR).glob(".building-*"))
    assert current_generation(store) != before.generation
