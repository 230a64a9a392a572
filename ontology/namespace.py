"""The notes-kg vocabulary as code, mirroring ``ontology/notes_kg.ttl`` (a test keeps them equal).

>>> str(NKG.Limit)
'https://notes-kg.dev/ontology#Limit'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

NKG_IRI = "https://notes-kg.dev/ontology#"
#: Instances (services, passages, facts) live under this namespace.
RES = Namespace("https://notes-kg.dev/id/")


class NKG(DefinedNamespace):
    """Terms of the notes-kg ontology; an unknown term raises ``AttributeError``."""

    _fail = True
    _NS = Namespace(NKG_IRI)

    # Classes
    Category: URIRef
    Cell: URIRef
    Comparison: URIRef
    ComparisonItem: URIRef
    Component: URIRef
    Definition: URIRef
    Dimension: URIRef
    Document: URIRef
    Entity: URIRef
    Fact: URIRef
    Limit: URIRef
    Passage: URIRef
    Relationship: URIRef
    Section: URIRef
    Service: URIRef

    # Properties
    about: URIRef
    alternativeTo: URIRef
    attribute: URIRef
    baseUnit: URIRef
    blockKind: URIRef
    catalogId: URIRef
    cell: URIRef
    cellDimension: URIRef
    cellItem: URIRef
    cellValue: URIRef
    comparisonType: URIRef
    compatibleWith: URIRef
    context: URIRef
    definition: URIRef
    deliversTo: URIRef
    dimension: URIRef
    discovered: URIRef
    firstMention: URIRef
    format: URIRef
    inCategory: URIRef
    inDocument: URIRef
    inSection: URIRef
    integratesWith: URIRef
    item: URIRef
    level: URIRef
    limitKind: URIRef
    lineEnd: URIRef
    lineStart: URIRef
    mentions: URIRef
    monitors: URIRef
    normalizedValue: URIRef
    normalizedValueMax: URIRef
    parentPassage: URIRef
    parentSection: URIRef
    partOf: URIRef
    position: URIRef
    provider: URIRef
    readsFrom: URIRef
    refersTo: URIRef
    relatedTo: URIRef
    relationObject: URIRef
    relationPredicate: URIRef
    relationSubject: URIRef
    replicatesTo: URIRef
    runsOn: URIRef
    sectionPath: URIRef
    sha256: URIRef
    source: URIRef
    storesDataIn: URIRef
    text: URIRef
    triggers: URIRef
    unit: URIRef
    uses: URIRef
    value: URIRef
    valueMax: URIRef


#: The relation properties (sub-properties of ``nkg:relatedTo``), with their labels.
RELATION_PREDICATES: dict[str, str] = {
    "alternativeTo": "alternative to",
    "compatibleWith": "compatible with",
    "deliversTo": "delivers to",
    "integratesWith": "integrates with",
    "monitors": "monitors",
    "partOf": "part of",
    "readsFrom": "reads from",
    "replicatesTo": "replicates to",
    "runsOn": "runs on",
    "storesDataIn": "stores data in",
    "triggers": "triggers",
    "uses": "uses",
}

LIMIT_KINDS: tuple[str, ...] = ("max", "min", "default", "range", "exact", "rate", "percent")
