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
    # Real notes by other authors, committed with their SOURCE.md: tune sets, and one unseen set each.
    *(
        Corpus(
            name,
            ROOT / "benchmarks" / "corpora" / folder / "notes",
            tuple(f"{stem}-{part}" for part in tune),
            (f"{stem}-unseen",),
            real=True,
        )
        for name, folder, stem, tune in (
            ("k8s", "k8s-cka-damienjburks", "k8s", ("tune", "tune2")),
            ("terraform", "terraform-assoc-arihacks", "tf", ("tune", "tune2")),
            ("docker", "docker-fast-omerbsezer", "docker", ("tune", "tune2")),
            ("aws-clf", "aws-clf-kananinirav", "clf", ("tune", "tune2")),
            ("gcp-ace", "gcp-ace-silverkea", "ace", ("tune", "tune2")),
            ("az900", "az900-undergroundwires", "az900", ("tune", "tune2")),
            ("kafka", "kafka-devops-hassonor", "kafka", ("tune", "tune2")),
            # stop 24: their first unseen sets became tune; new unseen sets were written blind
            ("aws-saa", "aws-saa-alozano77", "saa", ("tune", "tune2")),
            ("az104", "azure-az104-mischavandenburg", "az104", ("tune", "tune2")),
            ("ccna", "ccna-gitbook-xndadelin", "ccna", ("tune", "tune2")),
            ("ckad", "ckad-qa-jamesbuckett", "ckad", ("tune", "tune2")),
            ("linux", "linux-obsidian-erfort", "linux", ("tune", "tune2")),
            ("postgres", "postgres-til-jbranchaud", "pg", ("tune", "tune2")),
            # stop 24: found and copied by helpers, with two tune sets and an unseen set each
            ("aws-devops", "aws-devops-gillouche", "devops", ("tune", "tune2")),
            ("ansible", "ansible-kodekloud-joseeden", "ansible", ("tune", "tune2")),
            ("gcp-pde", "gcp-pde-shawlu95", "pde", ("tune", "tune2")),
            ("secplus", "secplus-obsidian-sawft99", "secplus", ("tune", "tune2")),
        )
    ),
)


def corpus(name: str) -> Corpus:
    return next(c for c in CORPORA if c.name == name)


def question_file(stem: str) -> Path:
    return QUESTIONS / f"{stem}.jsonl"


def gold_source(question: dict[str, object], corpus: Corpus) -> str:
    """The file a question's gold lines are in (a one-file corpus names none)."""
    found = question.get("gold_source")
    return str(found) if found else corpus.notes.name
