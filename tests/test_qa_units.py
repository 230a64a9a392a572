"""Answer units, their features, and the composer, on hand-made notes (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.facts import Extraction
from ingest.parse import parse_string
from kg.passages import build_passages
from kg.qa.features import FEATURES, INDEX, INTENTS, Asked, Signals, UnitTable, unit_rows
from kg.qa.units import Heading, Unit, build_units, file_words

NOTES = """# Kubernetes Services

Services expose pods. A service selects its pods
by the labels in their pod template. Traffic is
spread across every selected pod by kube-proxy,
which balances the connections between them.

- Service types:
  - ClusterIP
  - NodePort
  - LoadBalancer
- To create a deployment:

```bash
kubectl create deployment nginx --image=nginx
kubectl get deployments
```

## Steps

- Drain the node
- Upgrade kubeadm
- Upgrade the kubelet
- Uncordon the node

## Location Types

### Region

- one region

### Dual-region

- two regions
"""


@pytest.fixture(scope="module")
def notes() -> tuple[list[Unit], list[str]]:
    document = parse_string(NOTES, "services.md")
    passages = build_passages([document], Extraction())
    headings = [Heading("services.md", document.section_path(s.id), s.title, s.line) for s in document.sections[1:]]
    return build_units(passages, headings, lambda source: document.lines), document.lines


def _unit(units: list[Unit], kind: str, starting: str) -> Unit:
    return next(u for u in units if u.kind == kind and u.text.startswith(starting))


@pytest.mark.parametrize(("sentence", "start", "end"), [("A service selects", 3, 4), ("Traffic is spread", 4, 6)])
def test_units_sentences_of_wrapped_prose_cite_their_own_lines(notes, sentence: str, start: int, end: int) -> None:  # type: ignore[no-untyped-def]
    units, _ = notes
    unit = _unit(units, "sentence", sentence)
    assert (unit.line_start, unit.line_end) == (start, end)


@pytest.mark.parametrize(
    ("kind", "head", "members"), [("list", "Service types:", ["ClusterIP", "NodePort", "LoadBalancer"])]
)
def test_units_list_holds_its_items(notes, kind: str, head: str, members: list[str]) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(notes[0], kind, head)
    assert all(m in unit.text for m in members) and (unit.line_start, unit.line_end) == (8, 11)


@pytest.mark.parametrize("lead", ["To create a deployment:"])
def test_units_lead_in_takes_the_code_it_announces(notes, lead: str) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(notes[0], "lead-in", lead)
    assert "kubectl create deployment" in unit.text and unit.line_end == 17


@pytest.mark.parametrize("line", ["kubectl get deployments"])
def test_units_code_lines_are_units(notes, line: str) -> None:  # type: ignore[no-untyped-def]
    units, lines = notes
    unit = _unit(units, "code-line", line)
    assert lines[unit.line_start - 1] == line


@pytest.mark.parametrize(
    ("first", "last"), [("Drain the node", "Upgrade the kubelet"), ("Upgrade kubeadm", "Uncordon")]
)
def test_units_runs_of_three_items(notes, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(notes[0], "run", first)
    assert unit.text.split("\n")[-1].startswith(last)


@pytest.mark.parametrize(("title", "members"), [("Location Types", ["Region", "Dual-region"])])
def test_units_sub_headings_are_the_members_of_their_heading(notes, title: str, members: list[str]) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(notes[0], "section", title)
    assert unit.text.split("\n")[1:] == members


@pytest.mark.parametrize(
    ("source", "words"), [("LAB03-DockerCompose.md", "LAB 03 Docker Compose"), ("13_deployments.md", "13 deployments")]
)
def test_units_file_words(source: str, words: str) -> None:
    assert file_words(source) == words


def _asked(text: str, intent: str = "definition") -> Asked:
    from kg.index.tokens import tokenize

    tokens = tokenize(text)
    probabilities = np.zeros(len(INTENTS))
    probabilities[INTENTS.index(intent)] = 1.0
    return Asked(text, tokens, {t: 1.0 for t in tokens}, set(), probabilities, set(tokens), {})


def _made(text: str, kind: str = "list") -> Unit:
    from kg.index.tokens import tokenize

    unit = Unit(0, kind, "x.md", 1, text.count("\n") + 1, text, "", "", (0,))
    unit.tokens = unit.first_tokens = unit.lead_tokens = frozenset(tokenize(text))
    return unit


def _rows(units: list[Unit], asked: Asked, similarity: np.ndarray | None = None) -> np.ndarray:
    passages = max(max(u.passages) for u in units) + 1
    found = np.full(passages, 0.5, dtype=np.float32) if similarity is None else similarity
    signals = Signals(found, np.arange(passages), {})
    table = UnitTable.build(units, [(set(), set())] * passages, {})
    return unit_rows(asked, units, signals, table, 10.0)


@pytest.mark.parametrize(
    ("question", "starting", "feature", "value"),
    [
        ("service types", "Service types:", "cover_text", 1.0),
        ("service types", "Service types:", "kind_list", 1.0),
        ("how to create a deployment", "To create a deployment:", "lead_colon", 1.0),
        ("how to create a deployment", "To create a deployment:", "commands", 1.0),
    ],
)
def test_features_read_the_unit(notes, question: str, starting: str, feature: str, value: float) -> None:  # type: ignore[no-untyped-def]
    unit = next(u for u in notes[0] if u.text.startswith(starting) and u.kind in {"list", "lead-in"})
    row = _rows([unit], _asked(question))[0]
    assert row[INDEX[feature]] >= value


@pytest.mark.parametrize(
    ("text", "feature", "expected"),
    [
        ("Max object size = 5 TB", "quantities", 1.0),
        ("Security groups are not stateless", "negation", 1.0),
        ("A bucket is a container for objects", "defines", 1.0),
    ],
)
def test_features_shape_of_the_text(text: str, feature: str, expected: float) -> None:
    row = _rows([_made(text, "bullet")], _asked("what is a bucket" if feature == "defines" else text))[0]
    assert row[INDEX[feature]] == expected


def test_features_a_unit_of_several_passages_reads_their_vectors(notes) -> None:  # type: ignore[no-untyped-def]
    """A list's dense similarity is its closest passage's; its head's and the mean are apart."""
    unit = next(u for u in notes[0] if u.kind == "list" and u.text.startswith("Service types:"))
    similarity = np.full(max(unit.passages) + 1, 0.1, dtype=np.float32)
    similarity[unit.passages[0]] = 0.3
    similarity[unit.passages[2]] = 0.9
    row = _rows([unit], _asked("service types"), similarity)[0]
    assert row[INDEX["dense_max"]] == pytest.approx(0.9)
    assert row[INDEX["dense_unit_share"]] == pytest.approx(1.0)
    assert row[INDEX["dense_head"]] == pytest.approx(0.3)
    assert row[INDEX["dense_mean"]] == pytest.approx(np.mean(similarity[list(unit.passages)]))
    assert len(FEATURES) == len(row)


@pytest.mark.parametrize(
    ("question", "text", "feature", "expected"),
    [
        # the line that says most of the question, and where it stands in the unit
        ("snowball sizes", "AWS Snowball\nSnowball comes in two sizes", "cover_line", 1.0),
        ("snowball sizes", "AWS Snowball\nSnowball comes in two sizes", "cover_line_at", 1.0),
        ("snowball sizes", "Snowball comes in two sizes\nAWS Snowball", "cover_line_at", 0.0),
        ("snowball sizes", "Snowball\nsizes", "cover_line", 0.5),
        # what the unit says beyond the question's words (a heading that echoes the question says nothing)
        ("what is a bucket", "A bucket is a container for objects", "echo", 1 / 3),
        ("what is a bucket", "A bucket is a container for objects", "novel", float(np.log1p(2))),
        ("what is a bucket", "Bucket", "echo", 1.0),
        # the items of a comparison the unit names
        ("sg vs nacl", "SG are stateful, NACL are stateless", "sides", 1.0),
        ("sg vs nacl", "SG are stateful", "sides", 0.5),
        ("what is a sg", "SG are stateful", "sides", 0.0),
    ],
)
def test_features_what_the_unit_adds_to_the_question(question: str, text: str, feature: str, expected: float) -> None:
    row = _rows([_made(text)], _asked(question))[0]
    assert row[INDEX[feature]] == pytest.approx(expected, abs=1e-6)
