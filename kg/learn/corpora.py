"""The notes corpora the question sets are asked of, and which sets are tune and which unseen.

The models of the answer path are fitted on the tune sets (``make train``); the bench scores
each corpus with models fitted without it (leave-one-corpus-out).

A *tune* set is one whose failures someone has read (or that a model was fitted on); an *unseen*
set is one nobody has read the failures of: its figures are printed as aggregates only and its
failures are never written. Once an unseen set is tuned on it moves to ``tune`` and a new one is written.

Real notes (``real=True``) were written by people outside the project (see each ``SOURCE.md``);
the other Markdown corpora were written for the benchmark by helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
QUESTIONS = ROOT / "benchmarks" / "questions"


@dataclass(frozen=True, slots=True)
class Corpus:
    """A notes file or folder with its question sets (file stems in ``benchmarks/questions``)."""

    name: str
    notes: Path
    tune: tuple[str, ...]
    unseen: tuple[str, ...] = ()
    real: bool = False
    local: bool = False  # notes fetched for measuring here, not committed (see benchmarks/questions/README.md)

    @property
    def files(self) -> list[Path]:
        return [self.notes]

    @property
    def present(self) -> bool:
        return self.notes.exists()


CORPORA: tuple[Corpus, ...] = (
    Corpus(
        "aws",
        ROOT / "data" / "notes" / "aws-notes.txt",
        ("aws", "aws2", "aws3", "aws4", "aws5", "aws6", "aws7", "aws-para", "aws-para2"),
        ("aws-unseen",),
        real=True,
    ),
    Corpus("gcp", ROOT / "benchmarks" / "data" / "gcp-notes.md", ("gcp", "gcp-b", "gcp-para")),
    Corpus("azure", ROOT / "tests" / "data" / "azure-notes.md", ("azure", "azure-b", "azure-para")),
    Corpus(
        "aws-extra",
        ROOT / "benchmarks" / "data" / "aws-extra-notes.md",
        ("aws-extra", "aws-extra-b", "aws-extra-para"),
    ),
    Corpus("azure2", ROOT / "benchmarks" / "data" / "azure2-notes.md", ("azure2", "azure2-b", "azure2-para")),
    Corpus("azure3", ROOT / "benchmarks" / "data" / "azure3-notes.md", ("azure3", "azure3-para")),
    # Real notes by other authors, committed with their SOURCE.md: two tune sets each, and one unseen
    # set on the first three.
    *(
        Corpus(
            name,
            ROOT / "benchmarks" / "corpora" / folder / "notes",
            (f"{stem}-tune", f"{stem}-tune2"),
            (f"{stem}-unseen",) if unseen else (),
            real=True,
        )
        for name, folder, stem, unseen in (
            ("k8s", "k8s-cka-damienjburks", "k8s", True),
            ("terraform", "terraform-assoc-arihacks", "tf", True),
            ("docker", "docker-fast-omerbsezer", "docker", True),
            ("aws-clf", "aws-clf-kananinirav", "clf", False),
            ("gcp-ace", "gcp-ace-silverkea", "ace", False),
            ("az900", "az900-undergroundwires", "az900", False),
            ("kafka", "kafka-devops-hassonor", "kafka", False),
        )
    ),
)
LOCAL = ROOT / "benchmarks" / "corpora-local"
# Real notes by other authors, fetched for measuring only: every set on them is unseen.
LOCAL_CORPORA: tuple[Corpus, ...] = tuple(
    Corpus(name, LOCAL / folder / "notes", (), (stem,), real=True, local=True)
    for name, folder, stem in (
        ("aws-saa", "aws-saa-alozano77", "saa-unseen"),
        ("az104", "azure-az104-mischavandenburg", "az104-unseen"),
        ("ccna", "ccna-gitbook-xndadelin", "ccna-unseen"),
        ("ckad", "ckad-qa-jamesbuckett", "ckad-unseen"),
        ("linux", "linux-obsidian-erfort", "linux-unseen"),
        ("postgres", "postgres-til-jbranchaud", "pg-unseen"),
    )
)


def corpus(name: str) -> Corpus:
    return next(c for c in (*CORPORA, *LOCAL_CORPORA) if c.name == name)


def question_file(stem: str) -> Path:
    return QUESTIONS / f"{stem}.jsonl"


def gold_source(question: dict[str, object], corpus: Corpus) -> str:
    """The file a question's gold lines are in (a one-file corpus names none)."""
    found = question.get("gold_source")
    return str(found) if found else corpus.notes.name
