"""The service catalog: canonical names, acronyms and aliases of cloud services, loaded from data.

The data lives in ``ontology/catalog/*.json`` (one file per provider, schema in its README). This
module turns it into lookup tables: exact lookups by any written form (case, spacing, the
``Amazon``/``AWS``/``Azure``/``Google Cloud`` prefix and plurals folded), and the naming
patterns by which notes introduce services the catalog lacks.

>>> catalog = default_catalog()
>>> catalog.lookup("Simple Storage Service").label
'Amazon Simple Storage Service'
>>> catalog.lookup("amazon s3").id == catalog.lookup("S3").id
True
>>> catalog.is_service_title("Amazon Elastic Block Store (EBS)")
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import OntologyError

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
KINDS = frozenset({"service", "component", "tool", "engine"})
PROVIDER_PREFIXES: tuple[str, ...] = (
    "amazon web services",
    "microsoft azure",
    "google cloud platform",
    "google cloud",
    "amazon",
    "aws",
    "azure",
    "microsoft",
    "google",
    "gcp",
)
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(p) for p in PROVIDER_PREFIXES) + r")\s+")
_PAREN_RE = re.compile(r"^(?P<name>.*?)\s*\((?P<inner>[^()]*)\)\s*[_*]*$")
# Words that make "AWS X" a topic rather than a product name ("AWS Fundamentals", "AWS Credentials").
GENERIC_TITLE_WORDS = frozenset(
    """fundamentals overview basics introduction intro program programs features feature security
    credentials account accounts infrastructure global compliance pricing summary notes services
    service cloud platform best practices practice tips limits certification exam concepts use cases
    case architecture responsibility model terminology glossary""".split()
)
SERVICE_NAME_RE = re.compile(
    r"\b(?P<name>(?:Amazon|AWS|Azure|Microsoft Azure|Google Cloud|GCP|Cloud)"
    r"(?:\s+(?:[A-Z][\w./-]*|[0-9]+|for|and|on|of))*?\s+[A-Z][\w/-]*)"
    r"(?:\s*\((?P<acronym>[A-Z][A-Za-z0-9]{1,7})\))?"
)


def normalize(text: str) -> str:
    """Fold a written name to its lookup key: lowercase, punctuation to spaces, spaces collapsed.

    >>> normalize("  Amazon  Route-53 ")
    'amazon route 53'
    """
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9/+]+", " ", text)
    text = re.sub(r"(?<=[a-z])(?=[0-9])", " ", text)
    return " ".join(text.split())


def strip_provider(key: str) -> str:
    """Drop a leading provider word from a normalized key (``amazon s 3`` → ``s 3``)."""
    return _PREFIX_RE.sub("", key, count=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalog entry: a service, a component of one, a tool or an engine."""

    id: str
    label: str
    kind: str
    provider: str
    category: str = "Other"
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()
    part_of: str | None = None

    def names(self) -> tuple[str, ...]:
        """Every written form the catalog gives, label first."""
        return (self.label, *self.acronyms, *self.aliases, *self.misspellings)

    @property
    def short_label(self) -> str:
        """The label without its provider prefix (``Amazon S3`` → ``S3``), or its acronym."""
        return self.acronyms[0] if self.acronyms else _strip_words(self.label)


def _strip_words(label: str) -> str:
    words = label.split()
    while len(words) > 1 and normalize(words[0]) in PROVIDER_PREFIXES:
        words = words[1:]
    return " ".join(words)


def is_distinctive(name: str) -> bool:
    """A name unlikely to be an ordinary word: a digit, an inner capital ("DynamoDB"), an acronym,
    or a provider prefix ("Amazon Pinpoint" yes, "Pinpoint" no)."""
    if any(ch.isdigit() for ch in name) or normalize(name) != strip_provider(normalize(name)):
        return True
    words = name.split()
    return any(any(c.isupper() for c in w[1:]) for w in words) or (len(words) == 1 and name.isupper())


def _strip_provider_words(name: str) -> str:
    words = name.split()
    while len(words) > 1 and normalize(words[0]) in PROVIDER_PREFIXES:
        words = words[1:]
    return " ".join(words)


def _variants(name: str, kind: str, *, strip: bool = True) -> Iterator[str]:
    key = normalize(name)
    if not key:
        return
    yield key
    yield key.replace(" ", "")
    bare = strip_provider(key)
    bare_name = _strip_provider_words(name)
    # "Azure Storage" must not make the plain word "storage" a name: keep a stripped form only when
    # it is still a name (several words, or a distinctive single word such as "DynamoDB").
    if strip and bare != key and len(bare) >= 2 and (len(bare.split()) > 1 or is_distinctive(bare_name)):
        yield bare
        yield bare.replace(" ", "")
    if kind == "component" and not key.endswith("s"):
        yield key + "s"
        if bare != key:
            yield bare + "s"


@dataclass
class Catalog:
    """Lookup tables over catalog entries.

    Args:
        entries: The entries, ids unique.
    """

    entries: list[Entry]
    by_id: dict[str, Entry] = field(init=False)
    _keys: dict[str, str] = field(init=False)  # normalized written form -> entry id

    def __post_init__(self) -> None:
        self.by_id = {}
        for entry in self.entries:
            if entry.id in self.by_id:
                raise OntologyError(f"catalog id {entry.id!r} is defined twice: give each entry its own id")
            if entry.kind not in KINDS:
                raise OntologyError(f"catalog entry {entry.id!r} has kind {entry.kind!r}: use one of {sorted(KINDS)}")
            self.by_id[entry.id] = entry
        for entry in self.entries:
            if entry.part_of and entry.part_of not in self.by_id:
                raise OntologyError(f"catalog entry {entry.id!r} is part of unknown {entry.part_of!r}: fix part_of")
        explicit: dict[str, str] = {}
        derived: dict[str, str] = {}
        for entry in self.entries:
            for name in entry.names():
                first = True
                # Only the label loses its provider prefix: aliases already list their bare forms.
                for variant in _variants(name, entry.kind, strip=name == entry.label):
                    target = explicit if first else derived
                    target.setdefault(variant, entry.id)
                    first = False
        self._keys = {**derived, **explicit}

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def keys(self) -> dict[str, str]:
        """Every normalized written form mapped to its entry id."""
        return dict(self._keys)

    def lookup(self, text: str) -> Entry | None:
        """The entry written as ``text`` (exactly, up to case, spacing, prefix and plural)."""
        key = normalize(text)
        if not key:
            return None
        for candidate in (
            key,
            key.replace(" ", ""),
            strip_provider(key),
            key[:-1] if key.endswith("s") else "",
        ):
            if candidate and candidate in self._keys:
                return self.by_id[self._keys[candidate]]
        return None

    def service_of(self, entry: Entry) -> Entry:
        """The service an entry belongs to (itself for services)."""
        seen = {entry.id}
        while entry.part_of and entry.part_of not in seen:
            seen.add(entry.part_of)
            entry = self.by_id[entry.part_of]
        return entry

    def is_service_title(self, title: str) -> bool:
        """True when a heading is just the name of a service, maybe with its acronym in brackets."""
        title = title.strip().strip("_*").strip()
        candidates = [title]
        paren = _PAREN_RE.match(title)
        if paren:
            candidates = [paren.group("name"), paren.group("inner")]
        for candidate in candidates:
            entry = self.lookup(candidate)
            if entry is not None and entry.kind == "service":
                return True
        return looks_like_service_name(candidates[0]) and bool(paren or len(candidates[0].split()) <= 4)


def looks_like_service_name(text: str) -> bool:
    """True for ``Amazon X``/``AWS X``/``Azure X`` names whose words are not generic topic words."""
    key = normalize(text)
    bare = strip_provider(key)
    if bare == key or not bare:
        return False
    words = bare.split()
    if not text.strip().split()[-1][:1].isupper() or bare in PROVIDER_PREFIXES:
        return False
    return not any(word in GENERIC_TITLE_WORDS for word in words)


def load_entries(paths: Iterable[Path]) -> list[Entry]:
    """Read catalog JSON files into entries.

    Raises:
        OntologyError: A file is unreadable or an entry lacks ``id``/``label``.
    """
    entries: list[Entry] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OntologyError(f"{path.name}: cannot read the service catalog ({exc}): fix the JSON") from None
        provider = data.get("provider", path.stem)
        for raw in data.get("entries", []):
            try:
                entries.append(
                    Entry(
                        id=raw["id"],
                        label=raw["label"],
                        kind=raw.get("kind", "service"),
                        provider=provider,
                        category=raw.get("category") or "Other",
                        acronyms=tuple(raw.get("acronyms") or ()),
                        aliases=tuple(raw.get("aliases") or ()),
                        misspellings=tuple(raw.get("misspellings") or ()),
                        part_of=raw.get("part_of"),
                    )
                )
            except KeyError as exc:
                raise OntologyError(f"{path.name}: a catalog entry lacks {exc}: add it") from None
    return entries


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The catalog shipped in ``ontology/catalog/`` (loaded once)."""
    return Catalog(load_entries(sorted(CATALOG_DIR.glob("*.json"))))
