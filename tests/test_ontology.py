"""The vocabulary, its Python mirror, the SHACL shapes and the service catalog."""

from __future__ import annotations

import json

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from ontology import SHAPES_TTL, VOCABULARY_TTL
from ontology.catalog import CATALOG_DIR, Catalog, default_catalog, load_entries, normalize
from ontology.namespace import NKG, NKG_IRI, RELATION_PREDICATES


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    return Graph().parse(VOCABULARY_TTL, format="turtle")


def _terms(graph: Graph) -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {
        str(s)[len(NKG_IRI) :] for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(NKG_IRI)
    }


@pytest.mark.parametrize("source", ["turtle"])
def test_namespace_matches_turtle(vocabulary: Graph, source: str) -> None:
    python_terms = set(NKG.__annotations__)
    assert _terms(vocabulary) == python_terms


@pytest.mark.parametrize("annotation", [RDFS.label, RDFS.comment])
def test_ontology_every_term_documented(vocabulary: Graph, annotation: URIRef) -> None:
    missing = [term for term in _terms(vocabulary) if vocabulary.value(NKG[term], annotation) is None]
    assert missing == []


@pytest.mark.parametrize("term", ["Foo", "limits"])
def test_namespace_unknown_term_fails(term: str) -> None:
    with pytest.raises(AttributeError):
        getattr(NKG, term)


@pytest.mark.parametrize("predicate", sorted(RELATION_PREDICATES))
def test_ontology_relation_predicates_are_subproperties(vocabulary: Graph, predicate: str) -> None:
    assert (NKG[predicate], RDFS.subPropertyOf, NKG.relatedTo) in vocabulary


@pytest.mark.parametrize("shapes", [SHAPES_TTL])
def test_shapes_cover_every_class(vocabulary: Graph, shapes) -> None:  # type: ignore[no-untyped-def]
    graph = Graph().parse(shapes, format="turtle")
    targeted = {str(o)[len(NKG_IRI) :] for o in graph.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass"))}
    classes = {str(s)[len(NKG_IRI) :] for s in vocabulary.subjects(RDF.type, OWL.Class) if str(s).startswith(NKG_IRI)}
    assert classes - {"Entity"} <= targeted | {"Entity"}


@pytest.mark.parametrize(
    ("written", "entity_id"),
    [
        ("S3", "s3"),
        ("Amazon S3", "s3"),
        ("Simple Storage Service", "s3"),
        ("ElasticCache", "elasticache"),
        ("security groups", "security-group"),
        ("Route53", "route53"),
        ("Azure Blob Storage", "azure-blob-storage"),
    ],
)
def test_catalog_lookup_folds_spellings(written: str, entity_id: str) -> None:
    entry = default_catalog().lookup(written)
    assert entry is not None and entry.id == entity_id


@pytest.mark.parametrize("word", ["storage", "policy", "functions", "bucket", "config"])
def test_catalog_plain_words_are_not_names(word: str) -> None:
    assert default_catalog().lookup(word) is None or (
        word == "bucket" and default_catalog().lookup(word).kind == "component"
    )


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
def test_catalog_files_are_consistent(provider: str) -> None:
    data = json.loads((CATALOG_DIR / f"{provider}.json").read_text(encoding="utf-8"))
    assert data["entries"], provider
    catalog = Catalog(load_entries([CATALOG_DIR / f"{provider}.json"]))
    explicit: dict[str, str] = {}
    for entry in catalog:
        for name in entry.names():
            key = normalize(name)
            assert explicit.setdefault(key, entry.id) == entry.id, f"{name!r} names two entries"


@pytest.mark.parametrize("title", ["Amazon Elastic Block Store (EBS)", "AWS Lambda", "Amazon ElasticCache"])
def test_catalog_service_titles(title: str) -> None:
    assert default_catalog().is_service_title(title)


@pytest.mark.parametrize("title", ["S3 Overview", "AWS Fundamentals", "Use Cases", "Amazon AWS"])
def test_catalog_topic_titles_are_not_services(title: str) -> None:
    assert not default_catalog().is_service_title(title)
