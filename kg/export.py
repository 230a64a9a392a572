"""`kg export`: the whole graph as Turtle, N-Triples, N-Quads or JSON-LD."""

from __future__ import annotations

import pyoxigraph as ox

from kg.build import PREFIXES
from kg.errors import KGError
from kg.store.oxigraph import OxigraphStore

FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS}


def export_graph(graph: OxigraphStore, fmt: str) -> bytes:
    """Serialize every triple; Turtle and N-Triples merge the named graphs, N-Quads keeps them."""
    store = graph.raw
    if fmt == "nq":
        return store.dump(format=ox.RdfFormat.N_QUADS) or b""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store]
    unique = list(dict.fromkeys(triples))
    if fmt in FORMATS:
        prefixes = PREFIXES if fmt == "turtle" else None
        return ox.serialize(unique, format=FORMATS[fmt], prefixes=prefixes) or b""
    if fmt == "jsonld":
        from rdflib import Graph

        rdf = Graph()
        rdf.parse(data=(ox.serialize(unique, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"), format="nt")
        context = {name: iri for name, iri in PREFIXES.items()}
        return rdf.serialize(format="json-ld", context=context, indent=2).encode("utf-8")
    raise KGError(f"unknown export format {fmt!r}: use turtle, nt, nq or jsonld")
