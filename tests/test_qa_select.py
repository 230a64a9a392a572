"""Choosing the answer: candidate answers over the ranked units, what each shows, the learned choice."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from kg.qa.compose import candidates, choose, render
from kg.qa.ranker import Trees
from kg.qa.select import SELECT_FEATURES, Shown, select_row
from tests.test_qa_compose import _ranked, _unit


def _say(ranked: SimpleNamespace):  # type: ignore[no-untyped-def]
    return lambda unit: render(None, unit, ranked.asked.weights)  # type: ignore[arg-type]


def _stump(feature: str, left: float, right: float, threshold: float = 0.5) -> Trees:
    """One tree splitting on ``feature``: ``left`` at or below ``threshold``, ``right`` above."""
    return Trees(
        np.array([[SELECT_FEATURES.index(feature), -1, -1]], dtype=np.int32),
        np.array([[threshold, 0.0, 0.0]]),
        np.array([[1, 1, 2]], dtype=np.int32),
        np.array([[2, 1, 2]], dtype=np.int32),
        np.array([[0.0, left, right]]),
        np.array([[True, True, True]]),
        SELECT_FEATURES,
    )


def test_select_candidates_are_the_composers_pick_then_each_best_unit_leading() -> None:
    units = [
        _unit(0, "A Glacier restore takes 3 to 5 hours " + "and more words " * 20, line=1),
        _unit(1, "Glacier archives are encrypted " + "at rest " * 20, line=5),
        _unit(2, "You can retrieve up to 5% of your data for free each month", line=9),
        _unit(3, "Glacier vaults hold archives", line=12),
    ]
    ranked = _ranked("how long does a glacier restore take and how much can i retrieve for free", units)
    found = candidates(ranked, _say(ranked))  # type: ignore[arg-type]
    keys = [tuple(u.id for u in used) for used in found]
    assert keys[0][:2] == (0, 2)  # the composer's pick: a unit for each part of the question
    assert [k[0] for k in keys[1:]] == [0, 1, 2, 3]  # then each best unit leading, its next readings after it
    assert len(set(keys)) == len(keys)  # no two alike


def test_select_row_reads_what_the_answer_shows() -> None:
    units = [_unit(0, "Security groups are stateful"), _unit(1, "Network ACLs are stateless")]
    ranked = _ranked("security group vs network acl", units, "comparison")
    both = Shown(
        units,
        ["Security groups are stateful", "Network ACLs are…"],
        "",
        "Security groups are stateful | Network ACLs are…",
    )
    one = Shown(units[1:], ["Network ACLs are stateless"], "", "Network ACLs are stateless")
    row = dict(zip(SELECT_FEATURES, select_row(ranked, both, _say(ranked)), strict=True))  # type: ignore[arg-type]
    other = dict(zip(SELECT_FEATURES, select_row(ranked, one, _say(ranked)), strict=True))  # type: ignore[arg-type]
    assert (row["sides_shown"], other["sides_shown"]) == (2, 1)
    assert (row["first_rank"], other["first_rank"]) == (0, 1)
    assert (row["cut"], row["first_cut"], other["cut"]) == (1, 0.0, 0)
    assert row["said"] > other["said"]
    assert row["intent_comparison"] == 1.0


def test_select_choose_shows_the_candidate_the_model_scores_best() -> None:
    units = [_unit(0, "Security groups are stateful"), _unit(1, "Network ACLs are stateless")]
    ranked = _ranked("security group vs network acl", units, "comparison")
    found = [Shown([u], [u.text], "", u.text) for u in units]
    say = _say(ranked)
    prefers_second = SimpleNamespace(select=_stump("first_rank", 0.0, 1.0))
    assert choose(ranked, found, say, prefers_second).units == [units[1]]  # type: ignore[arg-type]
    prefers_first = SimpleNamespace(select=_stump("first_rank", 1.0, 0.0))
    assert choose(ranked, found, say, prefers_first).units == [units[0]]  # type: ignore[arg-type]
    assert choose(ranked, found, say, SimpleNamespace(select=None)).units == [units[0]]  # type: ignore[arg-type]
