"""Read facts back from the graph by SPARQL (the `kg facts --json` contract, the app's pages).

Nothing here reads an in-memory list: every row comes from the store's graph.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kg.build import sparql_prefixes
from kg.types import GraphStore

P = sparql_prefixes()

SERVICES_QUERY = (
    P
    + """
SELECT ?iri ?label ?kind ?source ?line_start ?line_end
       (GROUP_CONCAT(DISTINCT ?alias; separator="\\u001f") AS ?aliases)
WHERE {
  ?iri a nkg:Entity ; skos:prefLabel ?label .
  BIND(IF(EXISTS { ?iri a nkg:Service }, "service", IF(EXISTS { ?iri a nkg:Component }, "component", "other")) AS ?kind)
  OPTIONAL { ?iri skos:altLabel ?alias }
  OPTIONAL { ?iri nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end }
}
GROUP BY ?iri ?label ?kind ?source ?line_start ?line_end
ORDER BY LCASE(?label)
"""
)

LIMITS_QUERY = (
    P
    + """
SELECT ?iri ?subject ?subject_label ?attribute ?value ?value_max ?unit ?kind ?normalized ?normalized_max
       ?base_unit ?text ?passage_text ?source ?line_start ?line_end
WHERE {
  ?iri a nkg:Limit ; nkg:about ?subject ; nkg:attribute ?attribute ; nkg:value ?value ; nkg:unit ?unit ;
       nkg:limitKind ?kind ; nkg:normalizedValue ?normalized ; nkg:baseUnit ?base_unit ; nkg:text ?text ;
       nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end ;
       prov:wasDerivedFrom ?passage .
  ?subject skos:prefLabel ?subject_label .
  OPTIONAL { ?passage nkg:text ?passage_text }
  OPTIONAL { ?iri nkg:valueMax ?value_max ; nkg:normalizedValueMax ?normalized_max }
}
ORDER BY ?source ?line_start ?iri
"""
)

RELATIONS_QUERY = (
    P
    + """
SELECT ?iri ?subject ?subject_label ?predicate ?object ?object_label ?text ?source ?line_start ?line_end
WHERE {
  ?iri a nkg:Relationship ; nkg:relationSubject ?subject ; nkg:relationPredicate ?predicate ;
       nkg:relationObject ?object ; nkg:text ?text ;
       nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  ?subject skos:prefLabel ?subject_label .
  ?object skos:prefLabel ?object_label .
}
ORDER BY ?source ?line_start ?iri
"""
)

COMPARISONS_QUERY = (
    P
    + """
SELECT ?iri ?title ?type ?note ?source ?line_start ?line_end
WHERE {
  ?iri a nkg:Comparison ; dcterms:title ?title ; nkg:comparisonType ?type ;
       nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  OPTIONAL { ?iri rdfs:comment ?note }
}
ORDER BY ?source ?line_start ?iri
"""
)

COMPARISON_PARTS_QUERY = (
    P
    + """
SELECT ?comparison ?part ?position ?label ?role ?refers
WHERE {
  { ?comparison nkg:item ?part . BIND("item" AS ?role) OPTIONAL { ?part nkg:refersTo ?refers } }
  UNION
  { ?comparison nkg:dimension ?part . BIND("dimension" AS ?role) }
  ?part nkg:position ?position ; rdfs:label ?label .
}
"""
)

COMPARISON_CELLS_QUERY = (
    P
    + """
SELECT ?comparison ?item_position ?dimension_position ?value
WHERE {
  ?comparison nkg:cell ?cell .
  ?cell nkg:cellItem ?item ; nkg:cellDimension ?dimension ; nkg:cellValue ?value .
  ?item nkg:position ?item_position .
  ?dimension nkg:position ?dimension_position .
}
"""
)

DEFINITIONS_QUERY = (
    P
    + """
SELECT ?entity ?text ?source ?line_start ?line_end
WHERE {
  ?definition a nkg:Definition ; nkg:about ?entity ; nkg:text ?text ;
              nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
}
"""
)


def _number(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def services(graph: GraphStore) -> list[dict[str, Any]]:
    """Every service and component node with its aliases and first mention."""
    rows = []
    for row in graph.select(SERVICES_QUERY):
        aliases = sorted({a for a in row.get("aliases", "").split("\x1f") if a})
        rows.append(
            {
                "iri": row["iri"],
                "label": row["label"],
                "kind": row["kind"],
                "aliases": aliases,
                "source": row.get("source", ""),
                "line_start": row.get("line_start", 0),
                "line_end": row.get("line_end", 0),
            }
        )
    return rows


def limits(graph: GraphStore) -> list[dict[str, Any]]:
    rows = []
    for row in graph.select(LIMITS_QUERY):
        rows.append(
            {
                "iri": row["iri"],
                "subject": row["subject"],
                "subject_label": row["subject_label"],
                "attribute": row["attribute"],
                "value": _number(row["value"]),
                "value_max": _number(row.get("value_max")),
                "unit": row["unit"],
                "kind": row["kind"],
                "normalized_value": _number(row["normalized"]),
                "normalized_value_max": _number(row.get("normalized_max")),
                "base_unit": row["base_unit"],
                "value_text": row["text"],
                "text": row.get("passage_text", row["text"]),
                "source": row["source"],
                "line_start": row["line_start"],
                "line_end": row["line_end"],
            }
        )
    return rows


def relations(graph: GraphStore) -> list[dict[str, Any]]:
    rows = []
    for row in graph.select(RELATIONS_QUERY):
        rows.append(
            {
                "iri": row["iri"],
                "subject": row["subject"],
                "subject_label": row["subject_label"],
                "predicate": row["predicate"],
                "object": row["object"],
                "object_label": row["object_label"],
                "text": row["text"],
                "source": row["source"],
                "line_start": row["line_start"],
                "line_end": row["line_end"],
            }
        )
    return rows


def comparisons(graph: GraphStore) -> list[dict[str, Any]]:
    parts: dict[str, dict[str, dict[int, tuple[str, str | None]]]] = {}
    for row in graph.select(COMPARISON_PARTS_QUERY):
        role = parts.setdefault(row["comparison"], {"item": {}, "dimension": {}})[row["role"]]
        role[int(row["position"])] = (row["label"], row.get("refers"))
    cells: dict[str, list[tuple[int, int, str]]] = {}
    for row in graph.select(COMPARISON_CELLS_QUERY):
        cells.setdefault(row["comparison"], []).append(
            (int(row["item_position"]), int(row["dimension_position"]), row["value"])
        )
    out = []
    for row in graph.select(COMPARISONS_QUERY):
        iri = row["iri"]
        found = parts.get(iri, {"item": {}, "dimension": {}})
        items = [found["item"][i][0] for i in sorted(found["item"])]
        dimensions = [found["dimension"][i][0] for i in sorted(found["dimension"])]
        out.append(
            {
                "iri": iri,
                "title": row["title"],
                "type": row["type"],
                "items": items,
                "item_entities": [found["item"][i][1] for i in sorted(found["item"])],
                "dimensions": dimensions,
                "cells": [
                    {"item": items[i], "dimension": dimensions[d], "value": value}
                    for i, d, value in sorted(cells.get(iri, []))
                    if i < len(items) and d < len(dimensions)
                ],
                "note": row.get("note", ""),
                "source": row["source"],
                "line_start": row["line_start"],
                "line_end": row["line_end"],
            }
        )
    return out


def definitions(graph: GraphStore) -> dict[str, dict[str, Any]]:
    return {row["entity"]: row for row in graph.select(DEFINITIONS_QUERY)}


def all_facts(graph: GraphStore) -> dict[str, list[dict[str, Any]]]:
    """The `kg facts --json` document."""
    return {
        "services": services(graph),
        "limits": limits(graph),
        "relations": relations(graph),
        "comparisons": comparisons(graph),
    }
