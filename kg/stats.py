"""`kg stats`: counts per class and per source, from the graph."""

from __future__ import annotations

from typing import Any

from kg.build import sparql_prefixes
from kg.store import KnowledgeStore

CLASS_COUNTS = (
    sparql_prefixes()
    + """
SELECT ?class (COUNT(DISTINCT ?node) AS ?count)
WHERE { ?node a ?class . FILTER(STRSTARTS(STR(?class), STR(nkg:))) }
GROUP BY ?class ORDER BY ?class
"""
)

SOURCE_COUNTS = (
    sparql_prefixes()
    + """
SELECT ?source ?class (COUNT(DISTINCT ?node) AS ?count)
WHERE { ?node a ?class ; nkg:source ?source . FILTER(?class IN (nkg:Passage, nkg:Limit, nkg:Relationship,
        nkg:Comparison, nkg:Definition, nkg:Section)) }
GROUP BY ?source ?class ORDER BY ?source ?class
"""
)


def graph_stats(store: KnowledgeStore) -> dict[str, Any]:
    classes = {row["class"].split("#")[-1]: row["count"] for row in store.graph.select(CLASS_COUNTS)}
    sources: dict[str, dict[str, int]] = {}
    for row in store.graph.select(SOURCE_COUNTS):
        sources.setdefault(row["source"], {})[row["class"].split("#")[-1]] = row["count"]
    server = store.manifest.graph.get("server", {}).get("query", "")
    return {
        "store": str(store.folder),
        "graph": getattr(store.graph, "endpoint", server) or "embedded",
        "created": store.manifest.created,
        "model": store.manifest.model,
        "triples": len(store.graph),
        "classes": classes,
        "sources": sources,
        "timings": store.manifest.timings,
    }


def render_stats(stats: dict[str, Any]) -> str:
    lines = [f"store   {stats['store']} (built {stats['created']}, {stats['triples']} triples)"]
    lines.append(f"graph   {stats['graph']}")
    lines.append("classes")
    lines += [f"  {name:<16}{count:>7}" for name, count in stats["classes"].items()]
    lines.append("sources")
    for source, counts in stats["sources"].items():
        detail = ", ".join(f"{name} {count}" for name, count in counts.items())
        lines.append(f"  {source}: {detail}")
    return "\n".join(lines)
