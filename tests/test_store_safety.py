"""A store folder is the store's alone: ingest never deletes or moves a file it did not create.

Each case here lost a user's files before stores had generations (issue 18, item 1 and 2).
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from kg.builder import build_store
from kg.cli import main
from kg.errors import StoreError
from kg.explore import build_upload_store
from kg.store import KnowledgeStore
from kg.store.generations import GENERATIONS_DIR, WriterLock, current_generation

NOTES = "# S3\n\n- Max object size is 5 TB\n- Buckets are private by default\n"


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes (what a user would miss)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "mynotes"
    (folder / "sub").mkdir(parents=True)
    (folder / "s3.md").write_text(NOTES, encoding="utf-8")
    (folder / "sub" / "ec2.md").write_text("# EC2\n\n- Up to 20 instances per region\n", encoding="utf-8")
    return folder


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("extra", [["keep.txt"], ["keep.txt", "sub/deep.txt"]])
def test_ingest_refuses_a_folder_that_is_not_a_store(
    tmp_path: Path, notes: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "DIR"
    for name in extra:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text("mine\n", encoding="utf-8")
    before = _tree(target)
    err = _refused(["ingest", str(notes), "--store", str(target)], capsys)
    assert "not a notes-kg store" in err and str(target) in err
    assert _tree(target) == before and sorted(p.name for p in target.iterdir()) == sorted(
        {e.split("/")[0] for e in extra}
    )


@pytest.mark.parametrize("where", ["same", "inside"])
def test_ingest_refuses_a_store_in_the_notes_folder(
    notes: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree(notes)
    target = notes if where == "same" else notes / "store"
    err = _refused(["ingest", str(notes), "--store", str(target)], capsys)
    assert "notes folder" in err
    assert _tree(notes) == before and not (notes / "store").exists()


@pytest.mark.parametrize("name", ["somefile.txt"])
def test_ingest_refuses_a_file_as_store(
    tmp_path: Path, notes: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    target.write_text("precious\n", encoding="utf-8")
    err = _refused(["ingest", str(notes), "--store", str(target)], capsys)
    assert "is a file" in err
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mynotes", name]


@pytest.mark.parametrize("fixture", ["small_store"])
def test_ingest_refuses_notes_inside_the_store(
    tmp_path: Path, fixture: str, request: pytest.FixtureRequest, fake_encoder
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_store([request.getfixturevalue("small_notes")], store, encoder=fake_encoder)
    inside = store / "my.md"
    inside.write_text(NOTES, encoding="utf-8")
    with pytest.raises(StoreError, match="inside the store folder"):
        build_store([inside], store, encoder=fake_encoder)
    assert inside.read_text(encoding="utf-8") == NOTES


@pytest.mark.parametrize("layout", ["empty", "hidden-in-notes"])
def test_ingest_accepts_an_empty_folder_and_a_hidden_one(
    tmp_path: Path, notes: Path, fake_encoder, layout: str
) -> None:  # type: ignore[no-untyped-def]
    if layout == "empty":
        target = tmp_path / "empty"
        target.mkdir()
    else:
        target = notes / ".kg-store"  # `cd notes && kg ingest .`: discovery never reads hidden folders
    before = _tree(notes)
    build_store([notes], target, encoder=fake_encoder)
    assert set(KnowledgeStore(target).manifest.files) == {"s3.md", "sub/ec2.md"}
    assert {k: v for k, v in _tree(notes).items() if not k.startswith(".kg-store/")} == before


@pytest.mark.parametrize("extra", ["keep.txt"])
def test_reingest_keeps_files_it_did_not_create(tmp_path: Path, notes: Path, fake_encoder, extra: str) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_store([notes], store, encoder=fake_encoder)
    (store / extra).write_text("mine\n", encoding="utf-8")
    build_store([notes / "s3.md"], store, encoder=fake_encoder)
    build_store([notes], store, encoder=fake_encoder)
    assert (store / extra).read_text(encoding="utf-8") == "mine\n"
    assert len(list((store / GENERATIONS_DIR).iterdir())) == 1  # old generations no reader holds are gone


@pytest.mark.parametrize("entries", [("graph", "index", "sources", "passages.jsonl")])
def test_reingest_replaces_a_format_7_store_and_nothing_else(
    tmp_path: Path, notes: Path, fake_encoder, entries: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    (store / "graph").mkdir(parents=True)
    (store / "index" / "dense").mkdir(parents=True)
    (store / "sources").mkdir()
    (store / "passages.jsonl").write_text("", encoding="utf-8")
    (store / "manifest.json").write_text(json.dumps({"format_version": 7, "files": {}, "model": "m"}), encoding="utf-8")
    (store / "keep.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(StoreError, match="older than"):
        KnowledgeStore(store)
    build_store([notes], store, encoder=fake_encoder)
    names = {p.name for p in store.iterdir()}
    assert not names & set(entries) and "keep.txt" in names
    assert KnowledgeStore(store).passages


@pytest.mark.parametrize("fixture", ["small_notes"])
def test_second_writer_gets_a_clear_error(
    tmp_path: Path, fake_encoder, fixture: str, request: pytest.FixtureRequest
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    notes = request.getfixturevalue(fixture)
    build_store([notes], store, encoder=fake_encoder)
    generation = current_generation(store)
    with WriterLock(store), pytest.raises(StoreError, match="another `kg ingest` is writing"):
        build_store([notes], store, encoder=fake_encoder)
    assert current_generation(store) == generation


@pytest.mark.parametrize("leftover", [".building-killed"])
def test_next_ingest_removes_a_killed_builds_leftover(tmp_path: Path, notes: Path, fake_encoder, leftover: str) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_store([notes], store, encoder=fake_encoder)
    (store / GENERATIONS_DIR / leftover / "graph").mkdir(parents=True)
    build_store([notes], store, encoder=fake_encoder)
    assert not (store / GENERATIONS_DIR / leftover).exists()


@pytest.mark.parametrize("bad", [b"\x00\x01binary"])
def test_failed_first_build_leaves_nothing(tmp_path: Path, fake_encoder, bad: bytes) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "notes"
    source.mkdir()
    (source / "bad.md").write_bytes(bad)
    with pytest.raises(Exception, match="binary"):
        build_store([source], tmp_path / "store", encoder=fake_encoder)
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("sessions", [2, 4])
def test_concurrent_uploads_each_keep_their_store(tmp_path: Path, fake_encoder, sessions: int) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path / "store"
    results: dict[int, Path] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(sessions)

    def upload(n: int) -> None:
        try:
            start.wait()
            files = [(f"notes-{n}.md", f"# Topic {n}\n\n- Item {n} holds {n} GB\n".encode())]
            results[n] = build_upload_store(files, base, encoder=fake_encoder)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results.values())) == sessions
    for n, folder in results.items():
        assert set(KnowledgeStore(folder).manifest.files) == {f"notes-{n}.md"}


@pytest.mark.parametrize("names", [("a.md", "dir/a.md")])
def test_upload_with_two_files_of_one_name_is_refused(tmp_path: Path, fake_encoder, names: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match="share this name"):
        build_upload_store([(n, NOTES.encode()) for n in names], tmp_path / "store", encoder=fake_encoder)
    assert list(tmp_path.iterdir()) == []
