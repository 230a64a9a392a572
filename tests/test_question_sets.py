"""The benchmark's question sets hold what the bench reads: the schema, gold lines that exist and say
the gold strings, and, for notes by other authors, a SOURCE.md with their licence."""

from __future__ import annotations

import json
import re

import pytest

from kg.learn.corpora import CORPORA, Corpus, gold_source, question_file
from kg.qa.features import INTENTS

KEYS = ["id", "question", "intent", "answerable", "gold_lines", "gold_answer", "answer_mode", "tags"]  # and gold_source
KINDS = {*INTENTS, "unanswerable"}
SETS = [(corpus, stem) for corpus in CORPORA for stem in (*corpus.tune, *corpus.unseen)]


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


@pytest.mark.parametrize(("corpus", "stem"), SETS, ids=[stem for _, stem in SETS])
def test_question_set_gold_lines_say_the_gold_strings(corpus: Corpus, stem: str) -> None:
    questions = [json.loads(line) for line in question_file(stem).read_text(encoding="utf-8").splitlines()]
    assert questions, stem
    unseen = stem in corpus.unseen
    folder = corpus.notes if corpus.notes.is_dir() else corpus.notes.parent
    for question in questions:
        assert [k for k in question if k in KEYS] == KEYS, question["id"]
        assert question["intent"] in KINDS, question["id"]
        assert question["intent"] != "unanswerable" or not question["answerable"], question["id"]
        assert question.get("split", "tune") in ({"unseen"} if unseen else {"tune", "heldout"}), question["id"]
        if not question["answerable"]:
            assert question["gold_lines"] == [] and question["gold_answer"] == [], question["id"]
            continue
        lines = (folder / gold_source(question, corpus)).read_text(encoding="utf-8").split("\n")
        assert all(1 <= n <= len(lines) for n in question["gold_lines"]), question["id"]
        said = _squashed(" ".join(lines[n - 1] for n in question["gold_lines"]))
        strings = question["gold_answer"][1:] if question["intent"] == "yesno" else question["gold_answer"]
        found = [_squashed(s) in said for s in strings] or [True]  # a bare Yes / No
        assert all(found) if question["answer_mode"] == "all" else any(found), (question["id"], strings)


@pytest.mark.parametrize("corpus", [c for c in CORPORA if c.notes.is_dir()], ids=lambda c: c.name)
def test_question_set_real_notes_keep_their_source_and_licence(corpus: Corpus) -> None:
    source = (corpus.notes.parent / "SOURCE.md").read_text(encoding="utf-8")
    assert re.search(r"^- Licen[sc]e: \*\*(MIT|Apache-2\.0|CC BY 4\.0|BSD|CC0)\b", source, re.M | re.I)
    assert re.search(r"https://github\.com/[\w.-]+/[\w.-]+", source)
