"""`kg conflicts`: contradictions found in hand-made notes, near misses left alone, the JSON contract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kg.cli import main
from kg.conflicts import Conflict, NotesView, find_conflicts
from kg.conflicts.claims import sentence_claims
from kg.conflicts.notes import calm, item_label, parse
from kg.conflicts.values import ValueStatement, values_disagree
from kg.passages import Passage

DATA = Path(__file__).resolve().parent / "data"
NOTES = "conflict-notes.md"


@pytest.fixture(scope="module")
def conflict_store(tmp_path_factory: pytest.TempPathFactory, fake_encoder) -> Path:  # type: ignore[no-untyped-def]
    """A store of tests/data/conflict-notes.md built with the real pipeline and the fake encoder."""
    from kg.builder import build_store

    folder = tmp_path_factory.mktemp("conflict-notes")
    shutil.copy(DATA / NOTES, folder / NOTES)
    store = tmp_path_factory.mktemp("conflict-store") / "store"
    build_store([folder], store, encoder=fake_encoder)
    return store


@pytest.fixture(scope="module")
def found(conflict_store: Path) -> list[Conflict]:
    from kg.conflicts import store_view
    from kg.store import KnowledgeStore

    with KnowledgeStore(conflict_store) as store:
        return find_conflicts(store_view(store))


def lines_of(conflict: Conflict) -> set[int]:
    return {s.line_start for s in conflict.statements}


@pytest.mark.parametrize(
    ("subject", "kind", "lines", "values"),
    [
        ("S3 object", "value", {5, 45}, {"5 TB", "10 TB"}),
        ("Amazon DynamoDB", "negation", {31, 58}, {"supports ACID transactions", "does not support ACID transactions"}),
        ("S3 bucket", "state", {6, 47}, {"private", "public"}),
    ],
)
def test_conflicts_found_in_hand_made_notes(
    found: list[Conflict], subject: str, kind: str, lines: set[int], values: set[str]
) -> None:
    match = [c for c in found if c.subject == subject and c.kind == kind]
    assert len(match) == 1, [c.to_text() for c in found]
    assert lines_of(match[0]) == lines
    assert {s.value for s in match[0].statements} == values
    assert all(s.source == NOTES and s.line_start == s.line_end for s in match[0].statements)


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        (12, 46, "40 TB and 40,000 GB are one value"),
        (18, 53, "256 KB and 256 KiB are one figure"),
        (16, 17, "a default and a maximum"),
        (16, 52, "a default and a minimum"),
        (7, 48, "per account and per region"),
        (23, 27, "Lambda's and API Gateway's timeouts: different subjects"),
        (35, 36, "security groups and the default security group"),
        (38, 39, "Public: and Private: items of one list"),
        (19, 54, "a rule under a condition"),
    ],
)
def test_conflicts_near_misses_not_reported(found: list[Conflict], first: int, second: int, why: str) -> None:
    assert not any({first, second} <= lines_of(c) for c in found), why
    assert len(found) == 3, [c.to_text() for c in found]


@pytest.mark.parametrize("flag", ["--json"])
def test_conflicts_cli_json_is_the_contract(
    conflict_store: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", flag, "--store", str(conflict_store)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert isinstance(document, list) and len(document) == 3
    for conflict in document:
        assert list(conflict) == ["subject", "attribute", "statements"]
        assert len(conflict["statements"]) >= 2
        for statement in conflict["statements"]:
            assert list(statement) == ["text", "value", "source", "line_start", "line_end"]
            assert isinstance(statement["line_start"], int) and statement["line_start"] <= statement["line_end"]
    assert document[0]["subject"] == "S3 object"  # surest first: two maxima of one attribute


@pytest.mark.parametrize("cite", ["conflict-notes.md:5", "conflict-notes.md:58"])
def test_conflicts_cli_text_cites_each_statement(
    conflict_store: Path, cite: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", "--store", str(conflict_store)]) == 0
    out = capsys.readouterr().out
    assert f"  {cite}  [" in out
    assert out.count("\n\n") >= 2  # one block per conflict


@pytest.mark.parametrize(("args", "expected"), [(["--json"], "[]"), ([], "No contradictions found")])
def test_conflicts_cli_none_found_exits_zero(
    small_store: Path, args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", *args, "--store", str(small_store)]) == 0
    assert capsys.readouterr().out.strip().startswith(expected)


@pytest.mark.parametrize("args", [["conflicts", "--store", "no-such-store"]])
def test_conflicts_cli_without_store_is_one_line_error(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("kg: error:") and err.count("\n") == 1


def _limit(kind: str, value: float, unit: str = "TB", high: float | None = None, **extra: Any) -> ValueStatement:
    scale = {"TB": 1e12, "GB": 1e9, "KB": 1e3, "KiB": 1024, "percent": 1, "count": 1}[unit]
    row = {
        "kind": kind,
        "value": value,
        "value_max": high,
        "unit": unit,
        "base_unit": "count" if unit == "count" else "percent" if unit == "percent" else "bytes",
        "normalized_value": value * scale,
        "normalized_value_max": None if high is None else high * scale,
    }
    fields: dict[str, Any] = {"modal": "", "per": frozenset(), "modifiers": {}, "verb": "", **extra}
    return ValueStatement(row=row, statement=None, passage=None, key=("size",), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b", "disagree"),
    [
        (_limit("max", 5), _limit("max", 10), True),
        (_limit("max", 5), _limit("max", 5000, "GB"), False),
        (_limit("max", 64, "KB"), _limit("max", 64, "KiB"), False),
        (_limit("max", 5), _limit("min", 10), False),
        (_limit("default", 5), _limit("max", 10), False),
        (_limit("max", 72, "percent"), _limit("percent", 75, "percent"), True),
        (_limit("max", 80, "percent"), _limit("percent", 75, "percent"), False),
        (_limit("min", 16, "count"), _limit("exact", 4, "count"), False),
        (_limit("max", 100, "percent"), _limit("exact", 120, "percent", verb="reserve"), False),
        (_limit("range", 1, high=16), _limit("range", 1, high=64), True),
        (_limit("range", 1, high=16), _limit("exact", 20), True),
        (_limit("range", 1, high=16), _limit("exact", 8), False),
    ],
)
def test_conflicts_values_disagree(a: ValueStatement, b: ValueStatement, disagree: bool) -> None:
    assert values_disagree(a, b)[0] is disagree
    assert values_disagree(b, a)[0] is disagree


@pytest.mark.parametrize(
    ("sentence", "predicate", "state", "negated", "by_default"),
    [
        ("By default, every object is world-readable", "be", "readable", False, True),
        ("All S3 objects are by default private.", "be", "private", False, True),
        ("Default SG CANNOT be deleted.", "delete", "", True, False),
        ("Buckets have no file system hierarchy.", "have", "", True, False),
        ("Kinesis Data Streams can replay records.", "replay", "", False, False),
    ],
)
def test_conflicts_claims_read_polarity_and_defaults(
    sentence: str, predicate: str, state: str, negated: bool, by_default: bool
) -> None:
    claims = sentence_claims(next(parse([sentence])[0].sents))
    assert claims, sentence
    claim = claims[0]
    assert (claim.predicate, claim.state, claim.negated, claim.by_default) == (predicate, state, negated, by_default)


@pytest.mark.parametrize(
    "sentence",
    [
        "If versioning is on, objects are not deleted.",  # a rule for a case
        "Some objects are public by default.",  # not every object
        "It is private by default.",  # no subject to link
    ],
)
def test_conflicts_claims_none_for_cases_and_pronouns(sentence: str) -> None:
    assert sentence_claims(next(parse([sentence])[0].sents)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Subnets CANNOT span zones", "Subnets cannot span zones"), ("The VPC DOES NOT route", "The VPC does not route")],
)
def test_conflicts_calm_lowercases_shouted_function_words(text: str, expected: str) -> None:
    assert calm(text) == expected


def _passage(pid: int, text: str, *, block: int, parent: int | None = None, section: str = "S") -> Passage:
    return Passage(pid, "n.md", pid, pid, "bullet", text, section, section, block_id=block, parent=parent)


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        (_passage(1, "x", block=1), _passage(2, "y", block=1), True),  # one block
        (_passage(1, "x", block=1, parent=0), _passage(2, "y", block=2, parent=0), True),  # one list
        (_passage(1, "x", block=1, parent=0), _passage(2, "y", block=2, parent=5), True),  # under other items
        (_passage(1, "LRS - 11 nines", block=1), _passage(2, "GRS - 16 nines", block=2), True),
        (_passage(1, "Max 5 TB", block=1), _passage(2, "Max 10 TB", block=2), False),
        (_passage(1, "LRS - 11 nines", block=1), _passage(2, "GRS - 16", block=2, section="T"), False),
    ],
)
def test_conflicts_side_by_side_cases(a: Passage, b: Passage, apart: bool) -> None:
    assert NotesView.side_by_side(a, b) is apart
    assert item_label("Public : route table directs traffic") == "public"


@pytest.mark.parametrize("page", ["views/conflicts.py"])
def test_conflicts_app_page_lists_each_with_citations(
    conflict_store: Path, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KG_STORE", str(conflict_store))
    app = AppTest.from_file(str(DATA.parent.parent / "app" / "streamlit_app.py"), default_timeout=120)
    app.switch_page(page).run()  # straight to the page: the Ask page (and its model) is never loaded
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Contradictions"
    texts = [m.value for m in app.markdown]
    assert any("S3 object" in t and "object size" in t for t in texts)
    labels = [e.label for e in app.expander]
    assert any("`conflict-notes.md:5`" in label and "5 TB" in label for label in labels)
    assert any("`conflict-notes.md:58`" in label for label in labels)
    assert any("58</span>" in str(getattr(h, "value", "")) for h in app.get("html"))  # the line, in context


@pytest.mark.slow
def test_conflicts_bundled_notes_s3_default_access(aws_store: Path) -> None:
    from kg.conflicts import store_view
    from kg.store import KnowledgeStore

    with KnowledgeStore(aws_store) as store:
        found = find_conflicts(store_view(store))
    s3 = [c for c in found if c.subject == "S3 object"]
    assert s3 and lines_of(s3[0]) == {51, 140, 192}
    assert {s.value for s in s3[0].statements} == {"world-readable", "private"}
    # Every finding is one the blind, hand-checked list of the bundled notes' contradictions holds.
    from benchmarks.conflicts_eval import GOLD, score

    figures = score([c.to_json() for c in found], json.loads(GOLD.read_text(encoding="utf-8")))
    assert figures["precision"] == 1.0 and figures["near_misses_reported"] == 0, [c.to_text() for c in found]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("excerpts", "lines"),
    [
        (
            {
                "pricing.txt": ("data/notes/aws-notes.txt", 569, 599),
                "purchase.md": ("benchmarks/data/aws-extra-notes.md", 95, 110),
            },
            {("pricing.txt", 8), ("purchase.md", 8)},
        )
    ],
)
def test_conflicts_across_files_reserved_instance_discount(
    repo: Path, tmp_path: Path, excerpts: dict[str, tuple[str, int, int]], lines: set[tuple[str, int]]
) -> None:
    """Two real notes disagree on the Reserved Instance discount: "75% less cost" against "up to 72%"."""
    from kg.builder import build_store
    from kg.conflicts import store_view
    from kg.store import KnowledgeStore

    notes = tmp_path / "notes"
    notes.mkdir()
    for name, (path, first, last) in excerpts.items():
        text = (repo / path).read_text(encoding="utf-8").splitlines()[first - 1 : last]
        (notes / name).write_text("\n".join(text) + "\n", encoding="utf-8")
    build_store([notes], tmp_path / "store")  # the real pipeline and the real encoder
    with KnowledgeStore(tmp_path / "store") as store:
        found = find_conflicts(store_view(store))
    match = [c for c in found if c.subject == "Reserved Instance"]
    assert match, [c.to_text() for c in found]
    assert {(s.source, s.line_start) for s in match[0].statements} == lines
    assert {s.value for s in match[0].statements} == {"75%", "72%"}
