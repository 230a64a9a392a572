"""The learned relation check: the shipped model's features, and what it drops on real notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.extract.relation_check import FEATURES, MODEL_FILE, RelationModel
from ingest.parse import parse_string


def _excerpt(aws_notes: Path, heading: str, line: int) -> str:
    """A heading of the bundled notes and one of its lines, as a small Markdown file."""
    text = aws_notes.read_text(encoding="utf-8").splitlines()[line - 1].strip().lstrip("• ")
    return f"# {heading}\n\n{text}\n"


@pytest.mark.parametrize("path", [MODEL_FILE])
def test_relation_check_shipped_model_matches_the_code(path: Path) -> None:
    model = RelationModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    assert model.names == FEATURES
    assert len(model.coef) == len(model.mean) == len(model.scale) == len(FEATURES)
    assert 0.0 < model.threshold < 1.0


@pytest.mark.parametrize(
    ("heading", "line", "wrong"),
    [
        # the MFA paragraph: "EC2 instance" and "S3" are not linked by "store" in any sentence
        ("AWS Credentials", 2537, ("ec2-instance", "storesDataIn", "s3")),
        # the workloads use Auto Scaling; the EC2 instances are not its subject
        ("Auto Scaling Plans", 647, ("ec2-instance", "uses", "auto-scaling")),
    ],
)
def test_relation_check_drops_ends_the_sentence_does_not_link(
    aws_notes: Path, heading: str, line: int, wrong: tuple[str, str, str]
) -> None:
    document = parse_string(_excerpt(aws_notes, heading, line), "notes.md")
    proposed = {(r.subject_id, r.predicate, r.object_id) for r in extract([document], check=False).relations}
    kept = {(r.subject_id, r.predicate, r.object_id) for r in extract([document]).relations}
    assert wrong in proposed  # the cue patterns alone propose it
    assert wrong not in kept


@pytest.mark.parametrize(
    ("heading", "line", "right"),
    [
        ("Amazon Redshift", 1562, ("redshift", "integratesWith", "kms")),
        ("AWS CloudTrail", 1980, ("cloudtrail", "deliversTo", "cw-log-group")),
    ],
)
def test_relation_check_keeps_stated_relations(
    aws_notes: Path, heading: str, line: int, right: tuple[str, str, str]
) -> None:
    document = parse_string(_excerpt(aws_notes, heading, line), "notes.md")
    assert right in {(r.subject_id, r.predicate, r.object_id) for r in extract([document]).relations}


@pytest.mark.parametrize("seed", [0])
def test_relation_check_fitting_repeats(seed: int) -> None:
    from kg.learn.relations import Candidate, fit

    rng = __import__("random").Random(seed)
    rows = [
        Candidate("a", {}, {name: float(rng.random() < 0.3) for name in FEATURES}, int(rng.random() < 0.7))
        for _ in range(60)
    ]
    assert fit(rows) == fit(rows)
