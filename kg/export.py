"""`kg export`: the whole graph as Turtle, N-Triples, N-Quads or JSON-LD."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.build import PREFIXES
from kg.errors import KGError
from kg.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from kg.store.remote import RemoteGraph

FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS}


def export_graph(graph: OxigraphStore | RemoteGraph, fmt: str) -> bytes:
    """Serialize every triple; Turtle and N-Triples merge the named graphs, N-Quads keeps them.

    A graph on a server is exported with the graph names of the notes, as an embedded one.
    """
    if fmt == "nq":
        if isinstance(graph, OxigraphStore):
            return graph.raw.dump(format=ox.RdfFormat.N_QUADS) or b""
        return ox.serialize(list(graph.quads()), format=ox.RdfFormat.N_QUADS) or b""
    quads = graph.raw if isinstance(graph, OxigraphStore) else graph.quads()
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
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
