"""Adding, replacing, renaming and removing notes files of a store equals a cold build of the same files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.builder import build_store
from kg.cli import main
from kg.store.edits import edit_store

MORE = "# More\n\n## Amazon SQS\n\n- Maximum message size = 256 KB\n- Amazon SNS delivers messages to Amazon SQS\n"


def _facts(store: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["facts", "--json", "--store", str(store)]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _cold(files: dict[str, Path | str], folder: Path, fake_encoder) -> Path:  # type: ignore[no-untyped-def]
    notes = folder / "notes"
    notes.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, notes / name)
        else:
            (notes / name).write_text(content, encoding="utf-8")
    build_store([notes], folder / "store", encoder=fake_encoder)
    return folder / "store"


@pytest.mark.parametrize(
    ("add", "remove", "expected"),
    [
        ({"more.md": MORE}, [], {"small-notes.md", "small-rendered.txt", "more.md"}),  # add
        ({"small-rendered.txt": MORE}, [], {"small-notes.md", "small-rendered.txt"}),  # edit: same name replaces
        ({}, ["small-rendered.txt"], {"small-notes.md"}),  # delete
        ({"renamed.txt": None}, ["small-rendered.txt"], {"small-notes.md", "renamed.txt"}),  # rename
    ],
)
def test_edits_equal_a_cold_build(  # type: ignore[no-untyped-def]
    small_notes: Path,
    tmp_path: Path,
    fake_encoder,
    capsys: pytest.CaptureFixture[str],
    add: dict[str, str | None],
    remove: list[str],
    expected: set[str],
) -> None:
    store = tmp_path / "edited"
    build_store([small_notes], store, encoder=fake_encoder)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name, content in add.items():  # None: the removed file's own text under a new name
        text = content if content is not None else (small_notes / remove[0]).read_text(encoding="utf-8")
        (incoming / name).write_text(text, encoding="utf-8")
    manifest = edit_store(store, add=[incoming / n for n in add], remove=remove, encoder=fake_encoder)
    assert set(manifest.files) == expected
    files: dict[str, Path | str] = {n: small_notes / n for n in ("small-notes.md", "small-rendered.txt")}
    files = {n: v for n, v in files.items() if n not in remove}
    files.update({n: incoming / n for n in add})
    cold = _cold(files, tmp_path / "cold", fake_encoder)
    assert _facts(store, capsys) == _facts(cold, capsys)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["remove", "nowhere.md"], "has no notes file 'nowhere.md'"),
        (["remove", "small-notes.md", "small-rendered.txt"], "without notes"),
        (["ingest", "--add"], "needs the notes files"),
    ],
)
def test_edits_refused_in_one_line_and_store_kept(  # type: ignore[no-untyped-def]
    small_notes: Path, tmp_path: Path, fake_encoder, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    store = tmp_path / "store"
    build_store([small_notes], store, encoder=fake_encoder)
    before = (store / "manifest.json").read_bytes()
    assert main([*argv, "--store", str(store)]) != 0
    err = capsys.readouterr().err.strip()
    assert said in err and "\n" not in err
    assert (store / "manifest.json").read_bytes() == before
