"""Question answering end to end: linking, fusion, the JSON contract, answers and abstentions."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.index.fusion import reciprocal_rank_fusion
from kg.qa.engine import Engine
from kg.qa.link import Lexicon, Linker
from kg.store import KnowledgeStore

AWS_ENTITIES = [
    ("s3-glacier", "Amazon S3 Glacier", ["Glacier", "Amazon Glacier"]),
    ("dynamodb", "Amazon DynamoDB", ["DynamoDB"]),
    ("elasticache", "Amazon ElastiCache", ["ElastiCache"]),
    ("cloudfront", "Amazon CloudFront", ["CloudFront"]),
    ("storage-gateway", "AWS Storage Gateway", ["Storage Gateway"]),
    ("security-group", "security group", ["SG", "security groups"]),
    ("redshift", "Amazon Redshift", ["Redshift"]),
]


@pytest.fixture(scope="module")
def linker() -> Linker:
    vocabulary = {"archive", "vault", "item", "size", "cache", "node", "max", "ttl", "volume", "the", "cloud"}
    return Linker(Lexicon.build(AWS_ENTITIES, vocabulary))


@pytest.mark.parametrize(
    ("question", "entity_id"),
    [
        ("how many vaults per account in Glaicer", "s3-glacier"),
        ("max item size in DyanmoDB?", "dynamodb"),
        ("max nodes in elasticashe", "elasticache"),
        ("default ttl for the cloud frnt cache", "cloudfront"),
        ("storage gatway cached volume max size", "storage-gateway"),
        ("how many SGs per vpc", "security-group"),
        ("what is reshift", "redshift"),
        ("DYNAMODB item size", "dynamodb"),
    ],
)
def test_link_typos_acronyms_and_case(linker: Linker, question: str, entity_id: str) -> None:
    assert entity_id in [link.entity_id for link in linker.link(question)]


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("what is aws fargate", "AWS Fargate"),
        ("how do i write an ecs task definition", "Amazon Elastic Container Service"),
        ("how do I create an Amazon EKS cluster", "Amazon Elastic Kubernetes Service"),
        # a long proper name of a component wins over the shorter names inside it
        ("what's the retrieval time for glacier deep archive", "S3 Glacier Deep Archive"),
    ],
)
def test_link_catalog_only_names_are_flagged(linker: Linker, question: str, label: str) -> None:
    links = linker.link(question)
    assert links and not links[0].in_notes and links[0].label == label


@pytest.mark.parametrize("question", ["what is the max size of an object", "how do subscriptions work"])
def test_link_plain_words_are_not_names(linker: Linker, question: str) -> None:
    assert [link for link in linker.link(question) if not link.weak] == []


rankings = st.lists(
    st.lists(st.tuples(st.integers(0, 40), st.floats(0, 1, allow_nan=False)), max_size=25),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(rankings, st.dictionaries(st.integers(0, 40), st.floats(0, 0.1, allow_nan=False), max_size=5))
def test_fusion_never_duplicates_and_keeps_every_id(lists, boosts) -> None:  # type: ignore[no-untyped-def]
    fused = reciprocal_rank_fusion(lists, boosts=boosts)
    ids = [i for i, _ in fused]
    assert len(ids) == len(set(ids))
    assert set(ids) == {i for ranking in lists for i, _ in ranking} | set(boosts)
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(fused))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=20, unique=True))
def test_fusion_single_ranking_keeps_order(order: list[int]) -> None:
    fused = reciprocal_rank_fusion([[(i, 0.0) for i in order]])
    assert [i for i, _ in fused] == order


@pytest.fixture(scope="module")
def small_engine(small_store: Path, fake_encoder) -> Engine:  # type: ignore[no-untyped-def]
    return Engine.open(small_store, encoder=fake_encoder)


@pytest.mark.parametrize(
    ("question", "expected", "line"),
    [
        ("max object size in s3", "5 TB", 5),
        ("what is amazon sqs", "managed message queueing service", 17),
        ("where can s3 event notifications be sent", "Amazon SQS", 7),
    ],
)
def test_qa_answers_cite_the_lines_and_the_graph(small_engine: Engine, question: str, expected: str, line: int) -> None:
    answer = small_engine.ask(question)
    assert not answer.abstained and expected in answer.answer[:300]
    assert answer.citations[0].source == "small-notes.md"
    assert any(c.line_start <= line <= c.line_end for c in answer.citations[:3])
    # the facts are read back by SPARQL from the lines of the best unit
    assert answer.sparql and all("nkg:source" in q for q in answer.sparql)
    assert all(f.source == answer.citations[0].source for f in answer.facts)


@pytest.mark.parametrize("question", ["max object size in s3", "sqs vs sns", "what is the capital of france", ""])
def test_answer_json_contract(small_engine: Engine, question: str) -> None:
    data = small_engine.ask(question).to_json()
    assert list(data) == ["question", "answer", "abstained", "citations", "facts", "sparql"]
    assert isinstance(data["answer"], str) and isinstance(data["abstained"], bool)
    assert data["answer"] == "" or not data["abstained"]
    for citation in data["citations"]:
        assert set(citation) == {"source", "line_start", "line_end", "section", "text", "score"}
        assert 1 <= citation["line_start"] <= citation["line_end"] <= citation["line_start"] + 11
        assert isinstance(citation["score"], float) and isinstance(citation["section"], str)
    for fact in data["facts"]:
        assert set(fact) == {"subject", "predicate", "object", "source", "line_start", "line_end"}
    assert all(isinstance(q, str) for q in data["sparql"])


@pytest.mark.parametrize("question", ["what is aws fargate"])
def test_abstains_on_a_service_the_notes_never_mention(small_engine: Engine, question: str) -> None:
    answer = small_engine.ask(question)
    assert answer.abstained and answer.answer == "" and answer.message


@pytest.mark.parametrize(
    ("question", "ordinary", "rare"),
    [("what colour is a bucket", 1.0, 0.0), ("can a bucket frobnicate", 0.0, 1.0), ("what is a bucket", 0.0, 0.0)],
)
def test_engine_words_the_notes_lack_are_ordinary_or_rare(
    small_engine: Engine, question: str, ordinary: float, rare: float
) -> None:
    # an ordinary English word the notes do not use is likely a paraphrase; a rare one, a thing they lack
    asked, _ = small_engine.analyse(question, None)
    assert (asked.evidence["unknown_ordinary"], asked.evidence["unknown_rare"]) == (ordinary, rare)


@pytest.mark.parametrize("version", [99])
def test_ask_other_format_version_is_clear_error(tmp_path: Path, small_store: Path, version: int) -> None:
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(small_store, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = version
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "ask", "what is s3", "--store", str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "newer than" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected", "line"),
    [
        ("what's the max size of an s3 object?", "5TB", 70),
        ("how many SGs can I create per vpc", "500", 1021),
        ("which services can sns deliver to", "SQS", 2564),
        ("how many buckets can one account have", "100", 64),
    ],
)
def test_engine_real_model_answers_and_cites(aws_engine: Engine, question: str, expected: str, line: int) -> None:
    answer = aws_engine.ask(question)
    assert expected in answer.answer[:300].replace(" ", "")
    assert any(c.line_start <= line <= c.line_end for c in answer.citations[:3])


@pytest.mark.slow
@pytest.mark.parametrize("question", ["what is aws fargate"])
def test_engine_real_model_abstains(aws_engine: Engine, question: str) -> None:
    assert aws_engine.ask(question).abstained


@pytest.mark.slow
@pytest.mark.parametrize("questions", [["max object size s3", "what is a nat gateway", "what is aws fargate"]])
def test_cli_ask_batch_reads_stdin(aws_store: Path, questions: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "ask", "-", "--json", "--store", str(aws_store)],
        input="\n".join(questions),
        capture_output=True,
        text=True,
        check=True,
    )
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["question"] for a in answers] == questions
    assert answers[2]["abstained"] and not answers[0]["abstained"]


@pytest.mark.parametrize("fixture", ["small_store"])
def test_store_passages_spans_are_short(fixture: str, request: pytest.FixtureRequest) -> None:
    store = KnowledgeStore(request.getfixturevalue(fixture))
    assert all(p.line_end - p.line_start < 12 for p in store.passages)
