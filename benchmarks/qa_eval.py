"""Question-answering quality on the dev question sets (``benchmarks/questions/*.jsonl``).

Answer accuracy: the answer contains the gold strings (any one, or all, as the question says),
case- and space-insensitive. Citation hit@k: one of the first k cited spans contains a gold line.
Abstention: unanswerable questions must abstain; answerable ones must not (false abstentions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
ANSWER_CHARS = 300  # the part of an answer that must hold the gold words


def load_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def answer_correct(question: dict[str, Any], answer: str) -> bool:
    golds = [_squash(g) for g in question["gold_answer"]]
    got = _squash(answer)
    if not golds:
        return False
    if question.get("answer_mode", "any") == "all":
        return all(g in got for g in golds)
    return any(g in got for g in golds)


def cited(question: dict[str, Any], citations: Sequence[dict[str, Any]], k: int) -> bool:
    """One of the first ``k`` citations spans a gold line (of the gold file, where the corpus has several)."""
    lines = set(question["gold_lines"])
    source = question.get("gold_source")
    return any(
        (not source or c.get("source") == source) and any(c["line_start"] <= line <= c["line_end"] for line in lines)
        for c in citations[:k]
    )


@dataclass
class Report:
    name: str
    answerable: int = 0
    correct: int = 0
    hit1: int = 0
    hit3: int = 0
    unanswerable: int = 0
    abstained_ok: int = 0
    false_abstentions: int = 0
    failures: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {
            "set": self.name,
            "questions": self.answerable + self.unanswerable,
            "answer_accuracy": ratio(self.correct, self.answerable),
            "hit@1": ratio(self.hit1, self.answerable),
            "hit@3": ratio(self.hit3, self.answerable),
            "abstention_accuracy": ratio(self.abstained_ok, self.unanswerable),
            "false_abstention_rate": ratio(self.false_abstentions, self.answerable),
        }


def evaluate(name: str, questions: Sequence[dict[str, Any]], answers: Sequence[dict[str, Any]]) -> Report:
    """Score answers (dicts of the `kg ask --json` contract) against their questions."""
    report = Report(name)
    for question, answer in zip(questions, answers, strict=True):
        if not question["answerable"]:
            report.unanswerable += 1
            if answer["abstained"]:
                report.abstained_ok += 1
            else:
                report.failures.append(
                    f"[not abstained] {question['id']} {question['question']} -> {answer['answer'][:120]}"
                )
            continue
        report.answerable += 1
        if answer["abstained"]:
            report.false_abstentions += 1
        ok = not answer["abstained"] and answer_correct(question, answer["answer"][:ANSWER_CHARS])
        report.correct += ok
        report.hit1 += cited(question, answer["citations"], 1)
        report.hit3 += cited(question, answer["citations"], 3)
        if not ok:
            report.failures.append(
                f"[{question['intent']}] {question['id']} {question['question']} | gold {question['gold_answer']} "
                f"{question['gold_lines']} | got {'ABSTAIN' if answer['abstained'] else answer['answer'][:200]} | "
                f"cited {[c['line_start'] for c in answer['citations'][:3]]}"
            )
    return report


def run_engine(
    ask_many: Callable[[list[str]], list[dict[str, Any]]], path: Path, split: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    questions = [q for q in load_questions(path) if split is None or q["split"] == split]
    return questions, ask_many([q["question"] for q in questions])
