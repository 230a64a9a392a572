"""The composer: which units an answer quotes, and how it leads."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from kg.index.tokens import tokenize
from kg.qa.answer import ANSWER_CHARS
from kg.qa.compose import _figure, _filled, _in_turn, comparing, covering, inner_scores, render
from kg.qa.features import INTENTS, Asked, sides
from kg.qa.units import Unit


def _unit(i: int, text: str, kind: str = "bullet", title: str = "", line: int | None = None) -> Unit:
    unit = Unit(i, kind, "n.md", line or i + 1, line or i + 1, text, title, title, (i,))
    unit.tokens = frozenset(tokenize(text))
    unit.context_tokens = unit.title_tokens = frozenset(tokenize(title))
    first = text.split("\n")[0]
    unit.first_tokens = frozenset(tokenize(first))
    unit.lead_tokens = frozenset(tokenize(" ".join(first.split()[:6])))
    return unit


def _ranked(question: str, units: list[Unit], intent: str = "definition") -> SimpleNamespace:
    tokens = tokenize(question)
    probabilities = np.zeros(len(INTENTS))
    probabilities[INTENTS.index(intent)] = 1.0
    asked = Asked(question, tokens, {t: 1.0 for t in tokens}, set(), probabilities, set(tokens), {})
    return SimpleNamespace(asked=asked, units=units, scores=np.arange(len(units), 0, -1.0), links=[])


@pytest.mark.parametrize(
    ("question", "expected"),
    [("security group vs network acl", ({"security", "group"}, {"network", "acl"})), ("what is s3", None)],
)
def test_compose_sides_of_a_comparison(question: str, expected: object) -> None:
    assert sides(question) == expected


@pytest.mark.parametrize("question", ["simple ad vs microsoft ad"])
def test_compose_comparing_takes_each_items_own_unit(question: str) -> None:
    units = [
        _unit(0, "Simple AD is your best choice with 5,000 or fewer users, without the Microsoft AD features"),
        _unit(1, "User accounts in Simple AD can access WorkSpaces"),
        _unit(2, "Microsoft AD is your best choice with more than 5,000 users"),
    ]
    chosen = comparing(_ranked(question, units, "comparison"), sides(question))  # type: ignore[arg-type]
    assert [u.id for u in chosen] == [0, 2]


@pytest.mark.parametrize("question", ["how long does a glacier restore take and how much can i retrieve for free"])
def test_compose_covering_adds_a_unit_for_the_unsaid_part(question: str) -> None:
    units = [
        _unit(0, "A Glacier restore takes 3 to 5 hours"),
        _unit(1, "Glacier archives are encrypted"),
        _unit(2, "You can retrieve up to 5% of your data for free each month"),
    ]
    assert [u.id for u in covering(_ranked(question, units))] == [0, 2]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "question", "figure"),
    [
        ("Default retention is 1 day. Max retention = 35 days.", "max retention", "35 days"),
        ("NodePort range is 30000-32767 and the default port is 80", "nodeport range", "30000-32767"),
    ],
)
def test_compose_figure_near_the_question(text: str, question: str, figure: str) -> None:
    assert _figure(text, {t: 1.0 for t in tokenize(question)}) == figure


@pytest.mark.parametrize("kind", ["list"])
def test_compose_render_long_list_keeps_every_item_and_the_asked_one_whole(kind: str) -> None:
    items = [f"Item {n} - a long explanation of the item that goes on and on for a while" for n in range(6)]
    items[4] = "Scoring: ranks the remaining nodes on a scale from 0 to 10 after filtering"
    unit = _unit(0, "\n".join(["Scheduler phases:", *items]), kind)
    text = render(None, unit, {t: 1.0 for t in tokenize("scoring scale")})  # type: ignore[arg-type]
    assert text.startswith("Scheduler phases: Scoring: ranks the remaining nodes on a scale from 0 to 10")
    assert all(f"Item {n}" in text for n in (0, 1, 2, 3, 5))


@pytest.mark.parametrize("kind", ["code"])
def test_compose_render_code_without_fences(kind: str) -> None:
    unit = _unit(0, "[bash]\n```bash\nkubectl get pods\n```", kind)
    assert render(None, unit) == "kubectl get pods"  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["section"])
def test_compose_render_long_section_keeps_its_code_lines_whole(kind: str) -> None:
    """A YAML line's colon is not an item's head: "kind: NetworkPolicy" is not cut to "kind"."""
    code = ["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata:", "  name: web-policy"]
    prose = [f"Step {n}: a long explanation of the step that goes on and on for a while" for n in range(5)]
    unit = _unit(0, "\n".join(["Network policy:", *prose, "```yaml", *code, "```"]), kind)
    text = render(None, unit, {t: 1.0 for t in tokenize("egress")})  # type: ignore[arg-type]
    assert "Network policy: Step 0; Step 1" in text
    assert "apiVersion: networking.k8s.io/v1; kind: NetworkPolicy; metadata:; name: web-policy" in text


def test_compose_render_long_section_leads_with_the_item_that_says_most_of_the_question() -> None:
    """ "Which services can SNS deliver to": the delivery line comes right after the head, whole, before
    the other items' first words (it was the eighth item, past the answer's 300 characters)."""
    items = [f"Item {n}: a long explanation that goes on and on for quite a while, far past its head" for n in range(7)]
    lines = ["Amazon SNS", *items, "messages are delivered to Amazon SQS, HTTP, email, SMS and Lambda", "Item 8: more"]
    unit = _unit(0, "\n".join(lines), "section")
    text = render(None, unit, {t: 1.0 for t in tokenize("deliver")})  # type: ignore[arg-type]
    assert text.startswith("Amazon SNS: messages are delivered to Amazon SQS, HTTP, email, SMS and Lambda; Item 0")
    assert text.index("Item 6") < text.index("Item 8")  # the others keep their order


def test_compose_render_leads_with_the_line_the_ranker_scored_best_as_its_own_unit() -> None:
    """A section whose lines are also ranked as units of their own: the line the ranker put highest
    leads, even where another line repeats more of the question's words; without the ranker's
    scores the render falls back to the words said."""
    items = [f"Item {n}: a long explanation that goes on and on for quite a while, far past its head" for n in range(6)]
    wordy = "Delivery retries: SNS retries a failed delivery"
    answer = "Endpoints: SQS, HTTP, email, SMS and Lambda"
    section = _unit(0, "\n".join(["Amazon SNS", wordy, *items, answer]), "section", line=1)
    section.line_end = 9
    lines = [_unit(1, wordy, line=2), _unit(2, answer, line=9)]
    weights = {t: 1.0 for t in tokenize("sns delivery retries")}
    ranked = SimpleNamespace(units=[section, lines[1], lines[0]], scores=np.array([3.0, 2.0, 1.0]))
    led = render(None, section, weights, inner_scores(ranked, section))  # type: ignore[arg-type]
    assert led.startswith(f"Amazon SNS: {answer}; Delivery retries")
    assert render(None, section, weights).startswith(f"Amazon SNS: {wordy}; Item 0")  # type: ignore[arg-type]


def test_compose_parts_speak_in_rank_order_within_the_answer() -> None:
    best = "Owner - full access to all resources, including the right to delegate access to others. " * 2
    second = "Contributor - can create and manage all types of resources but cannot grant access to others."
    third = "Reader - can view existing resources."
    shown = _in_turn([best, second, third], ANSWER_CHARS)
    assert shown[0] == " ".join(best.split())  # the best part whole, not cut to an equal share
    assert shown[1].startswith("Contributor - can create")
    assert len(" | ".join(shown)) <= ANSWER_CHARS  # every part shown is within what a reader sees first
    assert _in_turn([best * 3, second], ANSWER_CHARS) == [_in_turn([best * 3], ANSWER_CHARS)[0]]


def test_compose_a_short_answer_is_filled_by_the_next_readings_that_say_something_else() -> None:
    units = [
        _unit(0, "S3 objects are up to 5 TB", line=10),
        _unit(1, "S3 objects are up to 5 TB each", line=10),  # the same line at another grain
        _unit(2, "Objects up to 5 TB", line=10),
        _unit(3, "A single PUT uploads up to 5 GB", line=12),
        _unit(4, "Multipart upload is advised above 100 MB", line=13),
        _unit(5, "Glacier archives are up to 40 TB", line=20),
    ]
    ranked = _ranked("biggest s3 object", units, "limit")
    used = _filled(ranked, [units[0]], lambda u: render(None, u, ranked.asked.weights))  # type: ignore[arg-type]
    assert [u.id for u in used] == [0, 3, 4]  # past the overlapping ones, at most three parts


def test_compose_render_in_an_answer_shows_whole_each_item_saying_another_part_of_the_question() -> None:
    """ "rwo vs rwx": a long list of access modes shows both asked items whole, the other items by
    their first words; a unit rendered alone (as training grades read it) shows only the best whole."""
    filler = [
        f"Mode {n} - a long explanation that goes on and on for quite a while, far past its head" for n in range(5)
    ]
    rwx = "ReadWriteMany(RWX) - volume can be mounted as read-write by many nodes"
    rwo = "ReadWriteOnce(RWO) - volume can be mounted as read-write by a single node"
    unit = _unit(0, "\n".join(["Access Modes:", rwx, *filler, rwo]), "list")
    weights = {t: 1.0 for t in tokenize("rwo vs rwx")}
    ranked = SimpleNamespace(units=[unit], scores=np.array([1.0]))
    shown = render(None, unit, weights, inner_scores(ranked, unit))  # type: ignore[arg-type]
    assert shown.startswith(f"Access Modes: {rwx}; {rwo}; Mode 0")
    assert "by a single node" not in render(None, unit, weights)  # type: ignore[arg-type]
