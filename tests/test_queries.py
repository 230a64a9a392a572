"""The example queries in kg/queries/, run against the bundled notes and checked against them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.query import execute
from kg.sparql import term_text
from kg.store import KnowledgeStore

QUERIES = Path(__file__).resolve().parent.parent / "kg" / "queries"


def _rows(store: Path, name: str) -> list[dict[str, str]]:
    result = execute(KnowledgeStore(store).graph, (QUERIES / name).read_text(encoding="utf-8"))
    return [{v: term_text(t) for v, t in zip(result.variables, row, strict=True)} for row in result.rows]


def _line(aws_notes: Path, number: int) -> str:
    return aws_notes.read_text(encoding="utf-8").split("\n")[number - 1]


@pytest.mark.parametrize("name", sorted(p.name for p in QUERIES.glob("*.rq")))
def test_queries_are_documented(name: str) -> None:
    assert (QUERIES / name).read_text(encoding="utf-8").startswith("# ")


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["limits-above-size.rq"])
def test_query_limits_above_a_size(aws_store: Path, aws_notes: Path, name: str) -> None:
    rows = _rows(aws_store, name)
    assert rows
    labels = {(r["subject_label"], r["value"], r["unit"]) for r in rows}
    assert ("S3 object", "5", "TB") in labels
    for row in rows:
        assert (
            row["value"] in _line(aws_notes, int(row["line_start"])).replace(" ", "")
            or row["line_start"] != row["line_end"]
        )


@pytest.mark.parametrize("name", ["delivers-to-s3.rq"])
def test_query_delivers_to_s3(aws_store: Path, aws_notes: Path, name: str) -> None:
    rows = _rows(aws_store, name)
    subjects = {r["subject_label"] for r in rows}
    assert {"EBS snapshot", "AWS CloudTrail"} & subjects
    for row in rows:
        assert "S3" in _line(aws_notes, int(row["line_start"]))


@pytest.mark.parametrize("name", ["comparisons-with-service.rq"])
def test_query_comparisons_with_ebs(aws_store: Path, name: str) -> None:
    rows = _rows(aws_store, name)
    assert {"EBS Volume Types"} <= {r["title"] for r in rows}
    assert any(r["line_start"] == "249" for r in rows)


@pytest.mark.parametrize("name", ["neighbourhood.rq"])
def test_query_neighbourhood_of_sqs(aws_store: Path, aws_notes: Path, name: str) -> None:
    rows = _rows(aws_store, name)
    assert ("in", "delivers to") in {(r["direction"], r["predicate_label"]) for r in rows}
    for row in rows:
        # an outgoing statement's line names SQS or its queues (the subject may come from the heading)
        line = _line(aws_notes, int(row["line_start"]))
        assert re.search(r"SQS|queue", line, re.IGNORECASE) or row["direction"] == "in"


@pytest.mark.parametrize("name", ["facts-in-lines.rq"])
def test_query_facts_cited_from_line_range(aws_store: Path, name: str) -> None:
    rows = _rows(aws_store, name)
    assert rows and all(int(r["line_start"]) <= 90 and int(r["line_end"]) >= 60 for r in rows)
    assert any(r["text"] == "5TB" for r in rows)
