"""Docs are tested: every command and every setting is documented in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kg.cli import build_parser
from kg.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


@pytest.mark.parametrize("command", _commands())
def test_docs_every_command_in_readme(command: str) -> None:
    assert f"kg {command}" in README


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_docs_every_setting_in_readme(setting) -> None:  # type: ignore[no-untyped-def]
    assert (
        f"| {setting.name} | `{setting.env}` | {setting.default if setting.name != 'store' else '`.kg-store`'} |"
        in README
    )
    assert setting.help in README


@pytest.mark.parametrize("phrase", ["make run", "make test", "make bench", "make lint"])
def test_docs_readme_commands(phrase: str) -> None:
    assert phrase in README


@pytest.mark.parametrize("path", [".ci/run"])
def test_docs_ci_runs_the_readme_test_command(path: str) -> None:
    assert "make test" in (Path(__file__).resolve().parent.parent / path).read_text(encoding="utf-8")
