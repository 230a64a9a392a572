"""Typed facts extracted from notes, each carrying the source lines it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact was read: the block's source file and 1-based line span."""

    source: str
    line_start: int
    line_end: int
    block_id: int = -1


@dataclass(slots=True)
class EntityRecord:
    """A service or component node: one per thing, however the notes write it.

    Attributes:
        id: Stable slug (the catalog id, or a slug of the label for discovered entities).
        label: Canonical name.
        kind: ``service``, ``component``, ``tool`` (consoles, CLIs) or ``engine`` (MySQL, Redis).
        provider: ``aws``, ``azure``, ``gcp`` or ``unknown``.
        category: Service category from the catalog, ``Other`` when unknown.
        aliases: Every other name the notes (or the catalog) use for it.
        part_of: The id of the entity it belongs to.
        catalog_id: The catalog entry it resolved to, ``None`` when discovered in the notes.
        first: Where the notes first name it.
    """

    id: str
    label: str
    kind: str
    provider: str = "unknown"
    category: str = "Other"
    aliases: set[str] = field(default_factory=set)
    part_of: str | None = None
    catalog_id: str | None = None
    first: Provenance | None = None

    @property
    def discovered(self) -> bool:
        return self.catalog_id is None


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity named in a block: character offsets into the block's text."""

    entity_id: str
    text: str
    start: int
    end: int


@dataclass(slots=True)
class DefinitionFact:
    entity_id: str
    text: str
    prov: Provenance


@dataclass(slots=True)
class LimitFact:
    """A numeric limit. ``value``/``value_max`` are in ``unit``; ``normalized*`` in ``base_unit``."""

    entity_id: str
    attribute: str
    kind: str
    value: Decimal
    unit: str
    base_unit: str
    normalized: Decimal
    text: str
    value_text: str
    subject_text: str
    prov: Provenance
    value_max: Decimal | None = None
    normalized_max: Decimal | None = None


@dataclass(slots=True)
class RelationFact:
    """A relationship; ``features`` describe how its sentence links the ends (``relation_check``)."""

    subject_id: str
    predicate: str
    object_id: str
    text: str
    prov: Provenance
    features: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(slots=True)
class ComparisonFact:
    """Items compared along dimensions; ``cells`` are (item index, dimension index, value)."""

    title: str
    kind: str  # "table" or "prose"
    items: list[str]
    dimensions: list[str]
    cells: list[tuple[int, int, str]]
    prov: Provenance
    item_entities: list[str | None] = field(default_factory=list)
    note: str = ""


@dataclass(slots=True)
class Extraction:
    """Everything extracted from a set of documents."""

    entities: dict[str, EntityRecord] = field(default_factory=dict)
    definitions: list[DefinitionFact] = field(default_factory=list)
    limits: list[LimitFact] = field(default_factory=list)
    relations: list[RelationFact] = field(default_factory=list)
    comparisons: list[ComparisonFact] = field(default_factory=list)
    mentions: dict[tuple[str, int], list[Mention]] = field(default_factory=dict)  # (source, block id) -> mentions
    topics: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # entities a block's context is about
    dropped: int = 0  # facts dropped because their subject or value text was not in their lines
