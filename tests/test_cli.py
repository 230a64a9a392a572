"""The `kg` command line: version, settings, ingest, ask, export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg import __version__
from kg.cli import main


@pytest.mark.parametrize("flag", ["--version"])
def test_cli_version(flag: str) -> None:
    done = subprocess.run([sys.executable, "-m", "kg.cli", flag], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"notes-kg {__version__}"


@pytest.mark.parametrize("command", [["settings"]])
def test_cli_settings_lists_environment(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "KG_STORE" in out and "KG_TOP_K" in out


@pytest.mark.parametrize("fmt", ["turtle", "nq"])
def test_cli_export_to_file(small_store: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"graph.{fmt}"
    assert main(["export", "--format", fmt, "--output", str(target), "--store", str(small_store)]) == 0
    assert target.stat().st_size > 1000


@pytest.mark.parametrize("question", ["max object size in s3"])
def test_cli_ask_text_and_json(
    small_store: Path,
    question: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_encoder,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kg.qa.engine.default_encoder", lambda: fake_encoder)
    assert main(["ask", question, "--store", str(small_store)]) == 0
    text = capsys.readouterr().out
    assert "5 TB" in text and "small-notes.md:5-5" in text
    assert main(["ask", question, "--json", "--store", str(small_store)]) == 0
    assert json.loads(capsys.readouterr().out)["citations"][0]["line_start"] == 5


@pytest.mark.parametrize("option", ["--if-changed"])
def test_cli_ingest_if_changed_skips(
    small_notes: Path,
    tmp_path: Path,
    option: str,
    monkeypatch: pytest.MonkeyPatch,
    fake_encoder,
    capsys: pytest.CaptureFixture[str],
) -> None:  # type: ignore[no-untyped-def]
    from kg.builder import build_store

    store = tmp_path / "store"
    build_store([small_notes], store, encoder=fake_encoder)
    assert main(["ingest", str(small_notes), "--store", str(store), option]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [[]])
def test_cli_without_command_prints_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert "ingest" in capsys.readouterr().out
