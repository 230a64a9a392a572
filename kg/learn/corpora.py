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
    # Real notes by other authors, committed with their SOURCE.md: two tune sets and one unseen set each.
    *(
        Corpus(
            name,
            ROOT / "benchmarks" / "corpora" / folder / "notes",
            (f"{stem}-tune", f"{stem}-tune2"),
            (f"{stem}-unseen",),
            real=True,
        )
        for name, folder, stem in (
            ("k8s", "k8s-cka-damienjburks", "k8s"),
            ("terraform", "terraform-assoc-arihacks", "tf"),
            ("docker", "docker-fast-omerbsezer", "docker"),
            ("aws-clf", "aws-clf-kananinirav", "clf"),
            ("gcp-ace", "gcp-ace-silverkea", "ace"),
            ("az900", "az900-undergroundwires", "az900"),
            ("kafka", "kafka-devops-hassonor", "kafka"),
            # stop 24: their first unseen sets became tune; new unseen sets were written blind
            ("aws-saa", "aws-saa-alozano77", "saa"),
            ("az104", "azure-az104-mischavandenburg", "az104"),
            ("ccna", "ccna-gitbook-xndadelin", "ccna"),
            ("ckad", "ckad-qa-jamesbuckett", "ckad"),
            ("linux", "linux-obsidian-erfort", "linux"),
            ("postgres", "postgres-til-jbranchaud", "pg"),
            # stop 24: found and copied by helpers
            ("aws-devops", "aws-devops-gillouche", "devops"),
            ("ansible", "ansible-kodekloud-joseeden", "ansible"),
            ("gcp-pde", "gcp-pde-shawlu95", "pde"),
            ("secplus", "secplus-obsidian-sawft99", "secplus"),
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
