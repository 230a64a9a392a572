"""Facts to RDF in the notes-kg ontology: one named graph per source file.

Every fact node carries ``prov:wasDerivedFrom`` to its Passage, and its source and line span
directly, so SPARQL can filter by lines without a join. IRIs are derived from content, so building
the same notes twice gives the same graph.

>>> str(passage_iri("notes/aws notes.txt", 70, 70))
'https://notes-kg.dev/id/passage/notes%2Faws%20notes.txt/L70-70'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from ingest.facts import ComparisonFact, Extraction, Provenance
from ingest.model import NON_CONTENT_KINDS, Document
from ontology import VOCABULARY_TTL
from ontology.namespace import NKG, NKG_IRI, RES

GRAPH_BASE = Namespace("https://notes-kg.dev/graph/")
ONTOLOGY_GRAPH = URIRef("https://notes-kg.dev/graph/ontology")
PREFIXES: dict[str, str] = {
    "nkg": str(NKG._NS),
    "res": str(RES),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "xsd": str(XSD),
    "owl": "http://www.w3.org/2002/07/owl#",
}


def sparql_prefixes() -> str:
    """The PREFIX lines of our namespaces, for queries and the app's editor."""
    return "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())


def with_prefixes(query: str) -> str:
    """The query with PREFIX lines for those of our prefixes it uses without declaring (runnable as is).

    >>> with_prefixes("SELECT ?s WHERE { ?s a nkg:Limit }").splitlines()[0]
    'PREFIX nkg: <https://notes-kg.dev/ontology#>'
    """
    declared = {m.lower() for m in re.findall(r"PREFIX\s+([\w-]*):", query, re.IGNORECASE)}
    used = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in PREFIXES.items()
        if name not in declared and re.search(rf"(?<![\w?$:<#/-]){name}:", query)
    ]
    return "\n".join([*used, query.strip()])


def _path_segment(text: str) -> str:
    return quote(text, safe="")


def document_iri(source: str) -> URIRef:
    return RES[f"document/{_path_segment(source)}"]


def graph_iri(source: str) -> URIRef:
    return GRAPH_BASE[f"source/{_path_segment(source)}"]


def passage_iri(source: str, line_start: int, line_end: int) -> URIRef:
    return RES[f"passage/{_path_segment(source)}/L{line_start}-{line_end}"]


def section_iri(source: str, section_id: int) -> URIRef:
    return RES[f"section/{_path_segment(source)}/{section_id}"]


def entity_iri(entity_id: str) -> URIRef:
    return RES[f"entity/{_path_segment(entity_id)}"]


def category_iri(category: str) -> URIRef:
    return RES[f"category/{_path_segment(category.lower().replace(' ', '-'))}"]


def _fact_iri(kind: str, *parts: object) -> URIRef:
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return RES[f"{kind}/{digest}"]


def _decimal(value: Decimal) -> Literal:
    return Literal(format(value, "f"), datatype=XSD.decimal)


def _span(graph: Graph, node: URIRef, prov: Provenance) -> None:
    graph.add((node, NKG.source, Literal(prov.source)))
    graph.add((node, NKG.lineStart, Literal(prov.line_start, datatype=XSD.integer)))
    graph.add((node, NKG.lineEnd, Literal(prov.line_end, datatype=XSD.integer)))


@dataclass
class GraphBuild:
    """The RDF of a set of documents: one graph per source, plus the shared entity nodes."""

    dataset: Dataset = field(default_factory=lambda: Dataset(default_union=True))
    passage_for_block: dict[tuple[str, int], URIRef] = field(default_factory=dict)


def build_dataset(documents: Iterable[Document], extraction: Extraction) -> Dataset:
    """Return the dataset: ontology graph, entity graph, and one graph per document."""
    build = GraphBuild()
    dataset = build.dataset
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    ontology.parse(VOCABULARY_TTL, format="turtle")
    entities = dataset.graph(GRAPH_BASE["entities"])
    for document in documents:
        graph = dataset.graph(graph_iri(document.source))
        _add_document(graph, document, build)
    _add_entities(entities, extraction, build)
    for definition in extraction.definitions:
        graph = dataset.graph(graph_iri(definition.prov.source))
        node = _fact_iri("definition", definition.entity_id, definition.prov.source, definition.prov.line_start)
        graph.add((node, RDF.type, NKG.Definition))
        graph.add((node, NKG.about, entity_iri(definition.entity_id)))
        graph.add((node, NKG.text, Literal(definition.text)))
        graph.add((node, PROV.wasDerivedFrom, _passage(build, definition.prov)))
        _span(graph, node, definition.prov)
        entities.add((entity_iri(definition.entity_id), NKG.definition, node))
        entities.add((entity_iri(definition.entity_id), SKOS.definition, Literal(definition.text)))
    for limit in extraction.limits:
        graph = dataset.graph(graph_iri(limit.prov.source))
        node = _fact_iri(
            "limit",
            limit.entity_id,
            limit.attribute,
            limit.kind,
            limit.value_text,
            limit.prov.source,
            limit.prov.line_start,
        )
        graph.add((node, RDF.type, NKG.Limit))
        graph.add((node, NKG.about, entity_iri(limit.entity_id)))
        graph.add((node, NKG.attribute, Literal(limit.attribute)))
        graph.add((node, NKG.limitKind, Literal(limit.kind)))
        graph.add((node, NKG.value, _decimal(limit.value)))
        graph.add((node, NKG.unit, Literal(limit.unit)))
        graph.add((node, NKG.normalizedValue, _decimal(limit.normalized)))
        graph.add((node, NKG.baseUnit, Literal(limit.base_unit)))
        if limit.value_max is not None and limit.normalized_max is not None:
            graph.add((node, NKG.valueMax, _decimal(limit.value_max)))
            graph.add((node, NKG.normalizedValueMax, _decimal(limit.normalized_max)))
        graph.add((node, NKG.text, Literal(limit.value_text)))
        graph.add((node, RDFS.label, Literal(f"{limit.value_text}: {limit.attribute}")))
        graph.add((node, PROV.wasDerivedFrom, _passage(build, limit.prov)))
        _span(graph, node, limit.prov)
    for relation in extraction.relations:
        graph = dataset.graph(graph_iri(relation.prov.source))
        node = _fact_iri(
            "relation",
            relation.subject_id,
            relation.predicate,
            relation.object_id,
            relation.prov.source,
            relation.prov.line_start,
        )
        predicate = URIRef(NKG_IRI + relation.predicate)
        graph.add((node, RDF.type, NKG.Relationship))
        graph.add((node, NKG.relationSubject, entity_iri(relation.subject_id)))
        graph.add((node, NKG.relationPredicate, predicate))
        graph.add((node, NKG.relationObject, entity_iri(relation.object_id)))
        graph.add((node, NKG.text, Literal(relation.text)))
        graph.add((node, PROV.wasDerivedFrom, _passage(build, relation.prov)))
        _span(graph, node, relation.prov)
        graph.add((entity_iri(relation.subject_id), predicate, entity_iri(relation.object_id)))
    for comparison in extraction.comparisons:
        _add_comparison(dataset.graph(graph_iri(comparison.prov.source)), comparison, build)
    return dataset


def _passage(build: GraphBuild, prov: Provenance) -> URIRef:
    found = build.passage_for_block.get((prov.source, prov.block_id))
    return found if found is not None else passage_iri(prov.source, prov.line_start, prov.line_end)


def _add_document(graph: Graph, document: Document, build: GraphBuild) -> None:
    doc_node = document_iri(document.source)
    graph.add((doc_node, RDF.type, NKG.Document))
    graph.add((doc_node, NKG.source, Literal(document.source)))
    graph.add((doc_node, DCTERMS.title, Literal(document.source)))
    graph.add((doc_node, NKG.sha256, Literal(document.sha256)))
    graph.add((doc_node, NKG.format, Literal(document.format)))
    for section in document.sections[1:]:
        node = section_iri(document.source, section.id)
        graph.add((node, RDF.type, NKG.Section))
        graph.add((node, DCTERMS.title, Literal(section.title)))
        graph.add((node, NKG.level, Literal(section.level, datatype=XSD.integer)))
        graph.add((node, NKG.inDocument, doc_node))
        graph.add((node, NKG.source, Literal(document.source)))
        graph.add((node, NKG.lineStart, Literal(section.line, datatype=XSD.integer)))
        graph.add((node, NKG.sectionPath, Literal(document.section_path(section.id))))
        if section.parent_id:
            graph.add((node, NKG.parentSection, section_iri(document.source, section.parent_id)))
    for block in document.blocks:
        # Headings are passages too (entities are first named there); navigation, comments and rules are not.
        if block.kind in NON_CONTENT_KINDS and block.kind != "heading":
            continue
        node = passage_iri(document.source, block.line_start, block.line_end)
        build.passage_for_block[(document.source, block.id)] = node
        graph.add((node, RDF.type, NKG.Passage))
        graph.add((node, NKG.text, Literal(block.text)))
        graph.add((node, NKG.blockKind, Literal(block.kind)))
        graph.add((node, NKG.inDocument, doc_node))
        graph.add((node, NKG.sectionPath, Literal(document.section_path(block.section_id))))
        graph.add((node, NKG.context, Literal(document.context(block))))
        if block.section_id:
            graph.add((node, NKG.inSection, section_iri(document.source, block.section_id)))
        if block.parent_id is not None:
            parent = document.blocks[block.parent_id]
            graph.add((node, NKG.parentPassage, passage_iri(document.source, parent.line_start, parent.line_end)))
        _span(graph, node, Provenance(document.source, block.line_start, block.line_end, block.id))


def _add_entities(graph: Graph, extraction: Extraction, build: GraphBuild) -> None:
    for record in extraction.entities.values():
        node = entity_iri(record.id)
        if record.kind in {"service", "component"}:
            graph.add((node, RDF.type, NKG.Service if record.kind == "service" else NKG.Component))
        graph.add((node, RDF.type, NKG.Entity))
        graph.add((node, SKOS.prefLabel, Literal(record.label)))
        graph.add((node, RDFS.label, Literal(record.label)))
        for alias in sorted(record.aliases):
            if alias != record.label:
                graph.add((node, SKOS.altLabel, Literal(alias)))
        graph.add((node, NKG.provider, Literal(record.provider)))
        graph.add((node, NKG.discovered, Literal(record.discovered)))
        if record.catalog_id:
            graph.add((node, NKG.catalogId, Literal(record.catalog_id)))
        if record.part_of and record.part_of in extraction.entities:
            graph.add((node, NKG.partOf, entity_iri(record.part_of)))
        if record.kind == "service":
            category = category_iri(record.category)
            graph.add((node, NKG.inCategory, category))
            graph.add((category, RDF.type, NKG.Category))
            graph.add((category, SKOS.prefLabel, Literal(record.category)))
        if record.first is not None:
            graph.add((node, NKG.firstMention, _passage(build, record.first)))
            _span(graph, node, record.first)
    for (source, block_id), mentions in extraction.mentions.items():
        passage = build.passage_for_block.get((source, block_id))
        if passage is None:
            continue
        for mention in mentions:
            if mention.entity_id in extraction.entities:
                graph.add((passage, NKG.mentions, entity_iri(mention.entity_id)))


def _add_comparison(graph: Graph, comparison: ComparisonFact, build: GraphBuild) -> None:
    node = _fact_iri(
        "comparison",
        comparison.prov.source,
        comparison.prov.line_start,
        comparison.prov.line_end,
        comparison.kind,
        "|".join(comparison.items),
    )
    graph.add((node, RDF.type, NKG.Comparison))
    graph.add((node, DCTERMS.title, Literal(comparison.title)))
    graph.add((node, NKG.comparisonType, Literal(comparison.kind)))
    graph.add((node, PROV.wasDerivedFrom, _passage(build, comparison.prov)))
    if comparison.note:
        graph.add((node, RDFS.comment, Literal(comparison.note)))
    _span(graph, node, comparison.prov)
    items = []
    for position, label in enumerate(comparison.items):
        item = URIRef(f"{node}/item/{position}")
        items.append(item)
        graph.add((node, NKG.item, item))
        graph.add((item, RDF.type, NKG.ComparisonItem))
        graph.add((item, RDFS.label, Literal(label)))
        graph.add((item, NKG.position, Literal(position, datatype=XSD.integer)))
        entity = comparison.item_entities[position] if position < len(comparison.item_entities) else None
        if entity:
            graph.add((item, NKG.refersTo, entity_iri(entity)))
    dimensions = []
    for position, label in enumerate(comparison.dimensions):
        dimension = URIRef(f"{node}/dimension/{position}")
        dimensions.append(dimension)
        graph.add((node, NKG.dimension, dimension))
        graph.add((dimension, RDF.type, NKG.Dimension))
        graph.add((dimension, RDFS.label, Literal(label)))
        graph.add((dimension, NKG.position, Literal(position, datatype=XSD.integer)))
    for item_index, dimension_index, value in comparison.cells:
        cell = URIRef(f"{node}/cell/{item_index}-{dimension_index}")
        graph.add((node, NKG.cell, cell))
        graph.add((cell, RDF.type, NKG.Cell))
        graph.add((cell, NKG.cellItem, items[item_index]))
        graph.add((cell, NKG.cellDimension, dimensions[dimension_index]))
        graph.add((cell, NKG.cellValue, Literal(value)))
