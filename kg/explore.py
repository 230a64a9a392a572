"""What the app's Explore and Compare pages show, read from the graph by SPARQL.

An :class:`Explorer` reads the facts of one store once (through :mod:`kg.facts`) and answers:
fuzzy entity search, an entity's page (definition, aliases, limits, relations, comparisons and its
neighbourhood), the corpus overview (services per category, fact counts, coverage), comparison
tables for picked items, and labels for IRIs in SPARQL results.

>>> entity_id("https://notes-kg.dev/id/entity/s3")
's3'
>>> Span("notes.md", 70, 72).label
'notes.md:70–72'
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from rapidfuzz import fuzz, process, utils

from kg import facts
from kg.build import entity_iri, sparql_prefixes
from kg.errors import IngestError, KGError
from kg.types import Encoder, GraphStore
from ontology.namespace import RES

P = sparql_prefixes()
ENTITY_PREFIX = f"{RES}entity/"
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown")

# Queries are written without PREFIX lines; ours (P) go in front when they run.
PART_OF_QUERY = "SELECT ?part ?whole WHERE { ?part nkg:partOf ?whole . ?whole a nkg:Entity }"
CATEGORY_QUERY = "SELECT ?service ?category WHERE { ?service a nkg:Service ; nkg:inCategory/skos:prefLabel ?category }"
PREDICATE_QUERY = "SELECT ?predicate ?label WHERE { ?predicate a owl:ObjectProperty ; rdfs:label ?label }"
COUNTS_QUERY = """
SELECT ?type (COUNT(DISTINCT ?node) AS ?count) WHERE {
  ?node a ?type . FILTER(?type IN (nkg:Service, nkg:Component, nkg:Limit, nkg:Relationship, nkg:Definition,
                                   nkg:Comparison, nkg:Passage, nkg:Document))
} GROUP BY ?type
"""
FACT_SPANS_QUERY = """
SELECT ?source ?line_start ?line_end WHERE {
  { ?fact a ?type . FILTER(?type IN (nkg:Limit, nkg:Relationship, nkg:Definition, nkg:Comparison)) }
  UNION { ?fact a nkg:Entity }
  ?fact nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
}
"""
PASSAGE_SPANS_QUERY = """
SELECT ?source ?line_start ?line_end ?section WHERE {
  ?passage a nkg:Passage ; nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  OPTIONAL { ?passage nkg:sectionPath ?section }
}
"""
LABELS_QUERY = """
SELECT ?iri (SAMPLE(?name) AS ?label) WHERE {
  VALUES ?iri { %s }
  { ?iri skos:prefLabel ?name } UNION { ?iri rdfs:label ?name } UNION { ?iri dcterms:title ?name }
} GROUP BY ?iri
"""


def entity_id(iri: str) -> str | None:
    """The id of an entity IRI (``res:entity/s3`` → ``s3``); None for any other IRI."""
    return unquote(iri[len(ENTITY_PREFIX) :]) if iri.startswith(ENTITY_PREFIX) else None


@dataclass(frozen=True, slots=True)
class Span:
    """Lines of a source file that a fact was read from."""

    source: str
    line_start: int
    line_end: int

    @property
    def label(self) -> str:
        lines = f"{self.line_start}" if self.line_start == self.line_end else f"{self.line_start}–{self.line_end}"
        return f"{self.source}:{lines}"


def _span(row: dict[str, Any]) -> Span:
    return Span(str(row.get("source", "")), int(row.get("line_start") or 0), int(row.get("line_end") or 0))


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    label: str
    kind: str
    aliases: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class SearchHit:
    entity: Entity
    score: float
    matched: str


@dataclass(frozen=True, slots=True)
class Edge:
    """One relationship between two entities, as the neighbourhood graph draws it."""

    subject: str
    predicate: str
    object: str
    span: Span | None


@dataclass
class EntityPage:
    entity: Entity
    category: str = ""
    definition: str = ""
    definition_span: Span | None = None
    whole: list[Entity] = field(default_factory=list)
    parts: list[Entity] = field(default_factory=list)
    limits: list[dict[str, Any]] = field(default_factory=list)
    relations_out: list[dict[str, Any]] = field(default_factory=list)
    relations_in: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    hidden_parts: int = 0  # direct parts left out of ``edges`` to keep the drawing readable


@dataclass
class Coverage:
    """Which content lines produced a fact: totals, per section, and the lines that produced none."""

    lines: int
    covered: int
    sections: list[dict[str, Any]]
    uncovered: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Cell:
    value: str
    span: Span


@dataclass
class ComparisonTable:
    """A comparison from the notes, narrowed to the picked items: rows are dimensions."""

    title: str
    span: Span
    items: list[str]
    rows: list[tuple[str, dict[str, Cell]]]


class Explorer:
    """Read-only views of one store's graph for browsing.

    Args:
        graph: The store's graph.
        source_lines: Returns the lines of an ingested file (to show and to cite single lines).
    """

    def __init__(self, graph: GraphStore, source_lines: Callable[[str], list[str]] | None = None) -> None:
        self.graph = graph
        self._source_lines = source_lines

    # -- facts, read once -------------------------------------------------------------------------

    @cached_property
    def entities(self) -> dict[str, Entity]:
        out = {}
        for row in facts.services(self.graph):
            key = entity_id(row["iri"])
            if key is not None:
                out[key] = Entity(key, row["label"], row["kind"], tuple(row["aliases"]), _span(row))
        return out

    @cached_property
    def limits(self) -> list[dict[str, Any]]:
        return facts.limits(self.graph)

    @cached_property
    def relations(self) -> list[dict[str, Any]]:
        rows = facts.relations(self.graph)
        names = self.predicate_labels
        return [{**r, "predicate_label": names.get(r["predicate"], r["predicate"].rsplit("#", 1)[-1])} for r in rows]

    @cached_property
    def comparisons(self) -> list[dict[str, Any]]:
        return facts.comparisons(self.graph)

    @cached_property
    def definitions(self) -> dict[str, dict[str, Any]]:
        return facts.definitions(self.graph)

    @cached_property
    def predicate_labels(self) -> dict[str, str]:
        return {row["predicate"]: row["label"] for row in self.graph.select(P + PREDICATE_QUERY)}

    @cached_property
    def part_of(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for row in self.graph.select(P + PART_OF_QUERY):
            part, whole = entity_id(row["part"]), entity_id(row["whole"])
            if part and whole and part != whole:
                out.setdefault(part, []).append(whole)
        return out

    @cached_property
    def categories(self) -> dict[str, str]:
        return {entity_id(r["service"]) or "": r["category"] for r in self.graph.select(P + CATEGORY_QUERY)}

    def lines(self, source: str) -> list[str]:
        """The lines of a source file, or none when the store keeps no copy."""
        try:
            return self._source_lines(source) if self._source_lines else []
        except KGError:
            return []

    # -- search and entity pages ------------------------------------------------------------------

    @cached_property
    def _names(self) -> list[tuple[str, str]]:
        """(name, entity id) for every label and alias."""
        return [(name, key) for key, e in self.entities.items() for name in (e.label, *e.aliases)]

    def search(self, text: str, limit: int = 8) -> list[SearchHit]:
        """Entities whose name or an alias is close to ``text`` (typos allowed), best first."""
        names = self._names
        found = process.extract(
            text, [n for n, _ in names], scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 4
        )
        best: dict[str, SearchHit] = {}
        query = utils.default_process(text)
        for name, score, index in found:
            key = names[index][1]
            exact = utils.default_process(name) == query
            score = 101.0 if exact else float(score)
            if score >= 60 and (key not in best or score > best[key].score):
                best[key] = SearchHit(self.entities[key], score, name)
        # Services before their parts on equal scores, then shorter names.
        ranked = sorted(best.values(), key=lambda h: (-h.score, h.entity.kind != "service", len(h.entity.label)))
        return ranked[:limit]

    def short_name(self, key: str) -> str:
        """The label, or for a long label its shortest alias (S3 for Amazon Simple Storage Service)."""
        entity = self.entities[key]
        if len(entity.label) <= 24:
            return entity.label
        return min([n for n in entity.aliases if len(n) >= 2] or [entity.label], key=len)

    def service_of(self, key: str) -> str | None:
        """The service an entity belongs to (itself when it is one), following partOf."""
        seen = set()
        while key in self.entities and key not in seen:
            if self.entities[key].kind == "service":
                return key
            seen.add(key)
            key = (self.part_of.get(key) or [""])[0]
        return None

    def descendants(self, key: str) -> list[str]:
        children: dict[str, list[str]] = {}
        for part, wholes in self.part_of.items():
            for whole in wholes:
                children.setdefault(whole, []).append(part)
        out, todo = [], list(children.get(key, []))
        while todo:
            item = todo.pop(0)
            if item not in out and item != key:
                out.append(item)
                todo.extend(children.get(item, []))
        return out

    def page(self, key: str, max_edges: int = 16) -> EntityPage | None:
        """Everything the graph says about one entity; None when there is no such entity."""
        entity = self.entities.get(key)
        if entity is None:
            return None
        iri = str(entity_iri(key))
        family = {iri, *(str(entity_iri(k)) for k in self.descendants(key))}
        page = EntityPage(entity=entity, category=self.categories.get(key, ""))
        definition = self.definitions.get(iri)
        if definition:
            page.definition, page.definition_span = definition["text"], _span(definition)
        page.whole = [self.entities[k] for k in self.part_of.get(key, []) if k in self.entities]
        page.parts = [self.entities[k] for k in self.descendants(key) if k in self.entities]
        page.limits = [row for row in self.limits if row["subject"] in family]
        page.relations_out = [r for r in self.relations if r["subject"] == iri]
        page.relations_in = [r for r in self.relations if r["object"] == iri]
        for comparison in self.comparisons:
            for label, refers in zip(comparison["items"], comparison["item_entities"], strict=False):
                if refers in family:
                    page.comparisons.append({**comparison, "item": label})
                    break
        page.edges = self._edges(key, page, max_edges)
        return page

    def _edges(self, key: str, page: EntityPage, max_edges: int) -> list[Edge]:
        """Stated relationships first, then what it is part of, then its direct parts (busiest first)."""
        edges: dict[tuple[str, str, str], Edge] = {}
        for row in page.relations_out + page.relations_in:
            subject, obj = entity_id(row["subject"]), entity_id(row["object"])
            if subject and obj:
                edges.setdefault(
                    (subject, row["predicate_label"], obj), Edge(subject, row["predicate_label"], obj, _span(row))
                )
        for whole in page.whole:
            edges.setdefault((key, "part of", whole.id), Edge(key, "part of", whole.id, None))
        busy = {entity_id(r[end]) for r in self.relations for end in ("subject", "object")}
        parts = sorted((p for p, wholes in self.part_of.items() if key in wholes), key=lambda p: (p not in busy, p))
        for part in parts:
            edges.setdefault((part, "part of", key), Edge(part, "part of", key, None))
        kept = list(edges.values())[:max_edges]
        page.hidden_parts = sum(
            1 for e in list(edges.values())[max_edges:] if e.object == key and e.predicate == "part of"
        )
        return kept

    # -- corpus overview --------------------------------------------------------------------------

    def services_by_category(self) -> dict[str, list[Entity]]:
        out: dict[str, list[Entity]] = {}
        for key, category in self.categories.items():
            if key in self.entities:
                out.setdefault(category, []).append(self.entities[key])
        ordered = sorted(out.items(), key=lambda item: (-len(item[1]), item[0]))
        return {name: sorted(members, key=lambda e: e.label.lower()) for name, members in ordered}

    def counts(self) -> dict[str, int]:
        rows = self.graph.select(P + COUNTS_QUERY)
        found = {row["type"].rsplit("#", 1)[-1]: int(row["count"]) for row in rows}
        names = ("Document", "Passage", "Service", "Component", "Definition", "Limit", "Relationship", "Comparison")
        return {name: found.get(name, 0) for name in names}

    @cached_property
    def coverage(self) -> Coverage:
        """Content lines (lines of passages) and whether any fact was read from them."""
        covered: set[tuple[str, int]] = set()
        for row in self.graph.select(P + FACT_SPANS_QUERY):
            covered.update((row["source"], n) for n in range(int(row["line_start"]), int(row["line_end"]) + 1))
        content: dict[tuple[str, int], str] = {}
        for row in self.graph.select(P + PASSAGE_SPANS_QUERY):
            for n in range(int(row["line_start"]), int(row["line_end"]) + 1):
                content.setdefault((row["source"], n), row.get("section", ""))
        sections: dict[tuple[str, str], list[int]] = {}
        uncovered = []
        for (source, n), section in sorted(content.items()):
            hit = (source, n) in covered
            sections.setdefault((source, section), [0, 0])[hit] += 1
            if not hit:
                lines = self.lines(source)
                text = lines[n - 1].strip() if 0 < n <= len(lines) else ""
                if text:
                    uncovered.append({"source": source, "line": n, "section": section, "text": text})
        table = [
            {"source": s, "section": sec, "lines": a + b, "with_facts": b, "coverage": round(100 * b / (a + b))}
            for (s, sec), (a, b) in sections.items()
        ]
        return Coverage(len(content), sum(1 for k in content if k in covered), table, uncovered)

    # -- compare ----------------------------------------------------------------------------------

    @cached_property
    def compare_options(self) -> dict[str, str]:
        """Items that can be compared: comparison items (by entity when linked), then entities."""
        options: dict[str, str] = {}
        for comparison in self.comparisons:
            for label, refers in zip(comparison["items"], comparison["item_entities"], strict=False):
                options.setdefault(self._item_key(label, refers), self._item_label(label, refers))
        for key, entity in sorted(self.entities.items(), key=lambda item: item[1].label.lower()):
            options.setdefault(f"entity:{key}", entity.label)
        return options

    def _item_key(self, label: str, refers: str | None) -> str:
        key = entity_id(refers) if refers else None
        return f"entity:{key}" if key else f"item:{' '.join(label.lower().split())}"

    def _item_label(self, label: str, refers: str | None) -> str:
        key = entity_id(refers) if refers else None
        return self.entities[key].label if key and key in self.entities else label

    def comparison_keys(self, iri: str) -> list[str]:
        """The option keys of every item of one comparison."""
        for comparison in self.comparisons:
            if comparison["iri"] == iri:
                pairs = zip(comparison["items"], comparison["item_entities"], strict=False)
                return list(dict.fromkeys(self._item_key(label, refers) for label, refers in pairs))
        return []

    def compare(self, keys: Sequence[str]) -> list[ComparisonTable]:
        """The notes' comparisons holding at least two of ``keys``, narrowed to those items."""
        wanted = set(keys)
        tables = []
        for comparison in self.comparisons:
            pairs = zip(comparison["items"], comparison["item_entities"], strict=False)
            items = [label for label, refers in pairs if self._item_key(label, refers) in wanted]
            if len(set(items)) < 2 or not comparison["dimensions"]:
                continue
            span = _span(comparison)
            rows: dict[str, dict[str, Cell]] = {d: {} for d in comparison["dimensions"]}
            for cell in comparison["cells"]:
                if cell["item"] in items:
                    line = self._cell_line(span, cell["value"])
                    rows[cell["dimension"]][cell["item"]] = Cell(cell["value"], line)
            filled = [(d, cells) for d, cells in rows.items() if cells]
            if filled:
                tables.append(ComparisonTable(comparison["title"], span, list(dict.fromkeys(items)), filled))
        return tables

    def _cell_line(self, span: Span, value: str) -> Span:
        """The line of the comparison that holds ``value`` (the whole comparison when not found)."""
        needle = " ".join(value.split())[:40].lower()
        lines = self.lines(span.source)
        for n in range(span.line_start, min(span.line_end, len(lines)) + 1):
            if needle and needle in " ".join(lines[n - 1].split()).lower():
                return Span(span.source, n, n)
        return span

    def side_by_side(self, keys: Sequence[str]) -> list[tuple[str, dict[str, Cell]]]:
        """Definitions and limits of the picked entities, one row per attribute."""
        picked = [self.entities[k[7:]] for k in keys if k.startswith("entity:") and k[7:] in self.entities]
        if len(picked) < 2:
            return []
        rows: dict[str, dict[str, Cell]] = {"definition": {}}
        for entity in picked:
            iri = str(entity_iri(entity.id))
            definition = self.definitions.get(iri)
            if definition:
                rows["definition"][entity.label] = Cell(definition["text"], _span(definition))
            for limit in self.limits:
                if limit["subject"] == iri:
                    line = self._cell_line(_span(limit), limit["value_text"])
                    rows.setdefault(limit["attribute"], {}).setdefault(entity.label, Cell(limit["value_text"], line))
        if not rows["definition"]:
            del rows["definition"]
        return list(rows.items())

    # -- SPARQL results ---------------------------------------------------------------------------

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """Labels (skos:prefLabel, rdfs:label or dcterms:title) of IRIs, where the graph has one."""
        wanted = [i for i in dict.fromkeys(iris) if re.fullmatch(r"[^<>\"{}|^`\\\s]+", i)]
        out: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            values = " ".join(f"<{i}>" for i in wanted[start : start + 500])
            out.update({row["iri"]: str(row["label"]) for row in self.graph.select(P + LABELS_QUERY % values)})
        return out


def build_upload_store(files: Sequence[tuple[str, bytes]], beside: Path, *, encoder: Encoder | None = None) -> Path:
    """Build a new store from uploaded notes, in a fresh folder next to ``beside``.

    Args:
        files: (file name, content) pairs; names are reduced to their last part.
        beside: The current store; the new one is ``<beside>.upload-<n>``.
        encoder: Passage encoder (default: all-MiniLM-L6-v2).

    Returns:
        The new store's folder.

    Raises:
        IngestError: No notes file was given, or a file is not .txt/.md (ParseError: unreadable).
        StoreError: The store could not be written.
    """
    from kg.builder import build_store

    if not files:
        raise IngestError("no file uploaded: choose one or more .txt or .md notes files")
    with tempfile.TemporaryDirectory(prefix="kg-upload-") as folder:
        names: set[str] = set()
        for name, data in files:
            clean = Path(name.replace("\\", "/")).name
            if not clean.lower().endswith(UPLOAD_SUFFIXES):
                raise IngestError(f"{clean}: not a notes file; upload .txt or .md files")
            if clean in names:
                raise IngestError(f"{clean}: two uploaded files share this name; rename one and upload again")
            names.add(clean)
            (Path(folder) / clean).write_bytes(data)
        target = claim_upload_folder(beside)
        try:
            build_store([Path(folder)], target, encoder=encoder)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)  # the empty folder claimed above, or our failed build
            raise
    return target


def claim_upload_folder(beside: Path) -> Path:
    """A new empty ``<beside>.upload-<n>`` folder, claimed atomically (two sessions never share one)."""
    n = 1
    while True:
        target = Path(f"{beside}.upload-{n}")
        try:
            target.mkdir(parents=True)
            return target
        except FileExistsError:
            n += 1


def example_questions(explorer: Explorer, per_kind: int = 3) -> list[str]:
    """Questions the store's own facts suggest (a limit, a definition, a comparison, a relation)."""
    kinds: list[list[str]] = [[], [], [], []]
    for limit in explorer.limits:
        service = explorer.service_of(entity_id(limit["subject"]) or "")
        if limit["kind"] == "max" and service and len(limit["attribute"].split()) >= 2:
            kinds[0].append(f"What is the maximum {limit['attribute']} in {explorer.short_name(service)}?")
    for iri in explorer.definitions:
        key = entity_id(iri)
        if key in explorer.entities and explorer.entities[key].kind == "service":
            kinds[1].append(f"What is {explorer.entities[key].label}?")
    for comparison in explorer.comparisons:
        linked = [k for k in (entity_id(r) for r in comparison["item_entities"] if r) if k in explorer.entities]
        if len(set(linked)) == 2 and len({explorer.entities[k].kind for k in linked}) == 1:
            kinds[2].append(" vs ".join(explorer.short_name(k) for k in dict.fromkeys(linked)) + "?")
    for relation in explorer.relations:
        key = entity_id(relation["subject"])
        if relation["predicate"].endswith("#deliversTo") and key in explorer.entities:
            kinds[3].append(f"Where does {explorer.short_name(key)} deliver data?")
    picked = [list(dict.fromkeys(k))[:per_kind] for k in kinds]
    return [q for group in zip(*[(g + [""] * per_kind)[:per_kind] for g in picked], strict=True) for q in group if q]


def answerable(questions: Sequence[str], ask_many: Callable[[Sequence[str]], Sequence[Any]], n: int = 4) -> list[str]:
    """The first ``n`` questions the engine answers (without abstaining), asked ``n`` at a time."""
    found: list[str] = []
    for start in range(0, len(questions), n):
        batch = list(questions[start : start + n])
        found += [q for q, a in zip(batch, ask_many(batch), strict=True) if not a.abstained]
        if len(found) >= n:
            break
    return found[:n]


@dataclass(frozen=True, slots=True)
class ExampleQuery:
    name: str
    description: str
    text: str


def example_queries() -> list[ExampleQuery]:
    """The example SPARQL queries shipped in ``kg/queries`` (their first comment line describes them)."""
    out = []
    for path in sorted((Path(__file__).resolve().parent / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        description = first.lstrip("#").strip() if first.startswith("#") else path.stem
        out.append(ExampleQuery(path.stem, description, text))
    return out
