"""SPARQL templates per intent: the facts about the entities a question links to.

Each template takes the linked entity IRIs through a VALUES clause, reaches components through
``nkg:partOf`` (so "S3" finds the S3 object's limits), and returns rows with the passage each fact
was read from. The query text actually run is returned with the rows, for the answer's ``sparql``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kg.build import entity_iri, sparql_prefixes, with_prefixes
from kg.types import GraphStore

P = sparql_prefixes()


def _values(entity_ids: Sequence[str]) -> str:
    return " ".join(f"<{entity_iri(e)}>" for e in entity_ids)


LIMITS = (
    P
    + """
SELECT ?limit ?subject ?subject_label ?attribute ?kind ?value ?value_max ?unit ?normalized ?normalized_max
       ?base_unit ?value_text ?source ?line_start ?line_end ?passage_text ?linked
WHERE {{
  VALUES ?linked {{ {values} }}
  ?subject nkg:partOf* ?linked .
  ?limit a nkg:Limit ; nkg:about ?subject ; nkg:attribute ?attribute ; nkg:limitKind ?kind ;
         nkg:value ?value ; nkg:unit ?unit ; nkg:normalizedValue ?normalized ; nkg:baseUnit ?base_unit ;
         nkg:text ?value_text ; nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end ;
         prov:wasDerivedFrom ?passage .
  ?subject skos:prefLabel ?subject_label .
  ?passage nkg:text ?passage_text .
  OPTIONAL {{ ?limit nkg:valueMax ?value_max ; nkg:normalizedValueMax ?normalized_max }}
}}
"""
)

DEFINITIONS = (
    P
    + """
SELECT ?entity ?label ?text ?source ?line_start ?line_end
WHERE {{
  VALUES ?entity {{ {values} }}
  ?definition a nkg:Definition ; nkg:about ?entity ; nkg:text ?text ;
              nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  ?entity skos:prefLabel ?label .
}}
"""
)

RELATIONS = (
    P
    + """
SELECT ?subject ?subject_label ?predicate ?predicate_label ?object ?object_label ?text ?source ?line_start ?line_end
WHERE {{
  VALUES ?linked {{ {values} }}
  ?relation a nkg:Relationship ; nkg:relationSubject ?subject ; nkg:relationPredicate ?predicate ;
            nkg:relationObject ?object ; nkg:text ?text ;
            nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  {{ ?subject nkg:partOf* ?linked }} UNION {{ ?object nkg:partOf* ?linked }}
  ?subject skos:prefLabel ?subject_label .
  ?object skos:prefLabel ?object_label .
  ?predicate rdfs:label ?predicate_label .
}}
"""
)

COMPARISONS = (
    P
    + """
SELECT ?comparison ?title ?type ?source ?line_start ?line_end (COUNT(DISTINCT ?linked) AS ?matched)
WHERE {{
  VALUES ?linked {{ {values} }}
  ?comparison a nkg:Comparison ; dcterms:title ?title ; nkg:comparisonType ?type ; nkg:item ?item ;
              nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  ?item nkg:refersTo ?entity .
  ?entity nkg:partOf* ?linked .
}}
GROUP BY ?comparison ?title ?type ?source ?line_start ?line_end
ORDER BY DESC(?matched)
"""
)

COMPARISON_DETAIL = (
    P
    + """
SELECT ?item_label ?item_position ?refers ?dimension_label ?dimension_position ?value
WHERE {{
  BIND(<{iri}> AS ?comparison)
  ?comparison nkg:item ?item .
  ?item rdfs:label ?item_label ; nkg:position ?item_position .
  OPTIONAL {{ ?item nkg:refersTo ?refers }}
  OPTIONAL {{
    ?comparison nkg:cell ?cell .
    ?cell nkg:cellItem ?item ; nkg:cellDimension ?dimension ; nkg:cellValue ?value .
    ?dimension rdfs:label ?dimension_label ; nkg:position ?dimension_position .
  }}
}}
ORDER BY ?dimension_position ?item_position
"""
)

ALL_COMPARISONS = (
    P
    + """
SELECT ?comparison ?title ?type ?source ?line_start ?line_end (GROUP_CONCAT(?item_label; separator="\\u001f") AS ?items)
WHERE {
  ?comparison a nkg:Comparison ; dcterms:title ?title ; nkg:comparisonType ?type ; nkg:item ?item ;
              nkg:source ?source ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  ?item rdfs:label ?item_label .
}
GROUP BY ?comparison ?title ?type ?source ?line_start ?line_end
"""
)


FACTS_AT = (
    P
    + """
SELECT ?subject ?predicate ?object ?source ?line_start ?line_end
WHERE {{
  ?fact nkg:source {source} ; nkg:lineStart ?line_start ; nkg:lineEnd ?line_end .
  {line_filter}
  {{ ?fact a nkg:Limit ; nkg:about ?entity ; nkg:attribute ?attribute ; nkg:text ?object .
     BIND(CONCAT("has ", ?attribute) AS ?predicate) }}
  UNION
  {{ ?fact a nkg:Relationship ; nkg:relationSubject ?entity ; nkg:relationPredicate ?p ; nkg:relationObject ?o .
     ?p rdfs:label ?predicate . ?o skos:prefLabel ?object }}
  UNION
  {{ ?fact a nkg:Definition ; nkg:about ?entity ; nkg:text ?object . BIND("is defined as" AS ?predicate) }}
  ?entity skos:prefLabel ?subject .
  BIND({source} AS ?source)
}}
ORDER BY ?line_start ?subject
"""
)


LINE_FILTER = "FILTER(?line_start <= {end} && ?line_end >= {start})"


def literal(text: str) -> str:
    """A SPARQL string literal of ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def run(graph: GraphStore, template: str, log: list[str], **params: Any) -> list[dict[str, Any]]:
    """Fill a template, run it, and record the query text in ``log``."""
    query = template.format(**params)
    log.append(with_prefixes(query.replace(P, "")))  # logged runnable, with the prefixes it uses
    return graph.select(query)


def limits(graph: GraphStore, entity_ids: Sequence[str], log: list[str]) -> list[dict[str, Any]]:
    return run(graph, LIMITS, log, values=_values(entity_ids)) if entity_ids else []


def definitions(graph: GraphStore, entity_ids: Sequence[str], log: list[str]) -> list[dict[str, Any]]:
    return run(graph, DEFINITIONS, log, values=_values(entity_ids)) if entity_ids else []


def relations(graph: GraphStore, entity_ids: Sequence[str], log: list[str]) -> list[dict[str, Any]]:
    return run(graph, RELATIONS, log, values=_values(entity_ids)) if entity_ids else []


def comparisons(graph: GraphStore, entity_ids: Sequence[str], log: list[str]) -> list[dict[str, Any]]:
    return run(graph, COMPARISONS, log, values=_values(entity_ids)) if entity_ids else []


def comparison_detail(graph: GraphStore, iri: str, log: list[str]) -> list[dict[str, Any]]:
    return run(graph, COMPARISON_DETAIL, log, iri=iri)
